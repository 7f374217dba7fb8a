"""The translators' round trip on the command line, against the example campaign in Redis: a
PO file exported, edited as a translator would, checked by gettext's own `msgfmt -c`, imported
(all or nothing, every problem located), and the review gate that opening passes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot.access.organisations import DEFAULT_ORG
from bot.conversation.campaign import Campaign
from bot.records.campaigns import CampaignStore
from bot.records.translations import TranslationRecords
from dialogues.localization import builtin_catalog
from dialogues.overrides import campaign_catalog
from tests.bot.commands import Deployment, sauti
from tests.kit.example import CAMPAIGN, example_text_count

Capture = pytest.CaptureFixture[str]
MSGFMT = shutil.which("msgfmt")

TEXTS = example_text_count()


async def _export(tmp_path: Path, language: str = "sw") -> Path:
    path = tmp_path / f"{language}.po"
    assert await sauti("translations", "export", CAMPAIGN, "--lang", language, "-o", str(path)) == 0
    return path


def _edit(path: Path, changes: dict[str, str], *, review_all: bool = True) -> None:
    """What a translator does in their tool: change some texts, clear `fuzzy` on what they
    reviewed (Babel writes it back as any PO tool would)."""
    with path.open("rb") as po:
        catalog = read_po(po)
    for message in catalog:
        if message.id and message.context in changes:
            message.string = changes[message.context]
        if message.id and review_all:
            message.flags.discard("fuzzy")
    with path.open("wb") as po:
        write_po(po, catalog, width=0)


def _msgfmt(path: Path) -> subprocess.CompletedProcess[str]:
    assert MSGFMT is not None
    return subprocess.run(
        [MSGFMT, "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True, check=False
    )


async def _stored(deployment: Deployment) -> Campaign:
    """The campaign as stored now (the app's own store caches it a moment)."""
    store = CampaignStore(deployment.app.redis, deployment.app.schema, cache_seconds=0)
    campaign = await store.get(CAMPAIGN)
    assert campaign is not None
    return campaign


async def _revision(deployment: Deployment) -> str:
    return (await _stored(deployment)).survey.revision


@pytest.mark.skipif(
    MSGFMT is None, reason="msgfmt is not installed (apt package gettext): the PO check needs it"
)
async def test_an_exported_file_and_the_same_edited_pass_msgfmt(
    deployment: Deployment, tmp_path: Path
) -> None:
    path = await _export(tmp_path)
    assert _msgfmt(path).returncode == 0, _msgfmt(path).stderr
    _edit(path, {"questions.uses.options.calls": "Simu", "title": "Simu yako, usalama wako"})
    checked = _msgfmt(path)
    assert checked.returncode == 0, checked.stderr
    # and it notices what the import would refuse too: a placeholder not in the source
    _edit(path, {"system:hint.scale": "Jibu kwa namba kuanzia {min} hadi {maks}."})
    assert _msgfmt(path).returncode == 1


async def test_an_exported_file_edited_and_imported_is_a_new_version_with_its_review(
    deployment: Deployment, tmp_path: Path, capsys: Capture
) -> None:
    path = await _export(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert 'msgctxt "questions.uses.options.calls"\nmsgid "Calls"\nmsgstr "Kupiga simu"' in text
    assert 'msgctxt "system:button.skip"' in text
    assert "#. A button label: at most 20 characters." in text
    assert "#. Keep {max}, {min} exactly as written" in text
    assert "#, fuzzy" in text  # the example's Swahili is machine-drafted

    _edit(path, {"questions.uses.options.calls": "Simu", "title": "Simu yako, usalama wako"})
    before = await _revision(deployment)
    capsys.readouterr()
    assert await sauti("translations", "import", CAMPAIGN, str(path), "--reviewer", "Amina") == 0
    assert "campaign texts stored" in capsys.readouterr().out

    campaign = await _stored(deployment)
    assert campaign.survey.revision != before  # a new version, as a reloaded file makes
    assert campaign.survey.title["sw"] == "Simu yako, usalama wako"
    uses = campaign.survey.question("uses")
    assert uses is not None
    assert uses.options[0].text == {"en": "Calls", "fr": "Appels", "ar": "المكالمات", "sw": "Simu"}
    assert campaign.survey.translation_status["sw"] == "reviewed"

    assert await sauti("translations", "status", CAMPAIGN) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"en\t{TEXTS}/{TEXTS} translated\tsource"
    assert lines[1] == f"fr\t{TEXTS}/{TEXTS} translated\tmachine-drafted"
    assert lines[3].startswith(f"sw\t{TEXTS}/{TEXTS} translated\treviewed by Amina, ")


async def test_every_problem_is_said_with_its_line_and_nothing_is_stored(
    deployment: Deployment, tmp_path: Path, capsys: Capture
) -> None:
    path = await _export(tmp_path)
    _edit(
        path,
        {
            "questions.uses.options.calls": "Kupiga simu kwa familia yangu",  # 29 characters
            "promise": "",
            "system:hint.scale": "Jibu kwa namba kuanzia {min} hadi {maks}.",
        },
    )
    text = path.read_text(encoding="utf-8").replace('msgctxt "intro"', 'msgctxt "intro2"')
    path.write_text(text, encoding="utf-8")
    before = await _revision(deployment)
    capsys.readouterr()

    assert await sauti("translations", "import", CAMPAIGN, str(path), "--reviewer", "Amina") == 1
    said = capsys.readouterr().err.splitlines()
    lines = text.splitlines()

    def line_of(context: str) -> int:
        return lines.index(f'msgctxt "{context}"') + 2  # the entry's msgid line

    assert said[0] == (
        f"{path}:{line_of('promise')}: promise: the translation is empty: "
        "every text of this campaign is required"
    )
    assert said[1].startswith(f"{path}:{line_of('intro2')}: intro2: no text of this campaign")
    assert f"{path}:{line_of('questions.uses.options.calls')}: " in said[2]
    assert "29 characters: at most 20" in said[2]
    assert any("{max} is missing" in line for line in said)
    assert any("{maks} is not in the source text" in line for line in said)
    assert said[-1].startswith("sauti: nothing was stored: ")
    assert await _revision(deployment) == before
    records = TranslationRecords(deployment.app.redis, deployment.app.schema, button_chars=20)
    campaign = await _stored(deployment)
    assert [s.state.value for s in await records.statuses(campaign)][3] == "machine-drafted"


async def test_a_file_of_another_campaign_or_a_wrong_plural_is_refused(
    deployment: Deployment, tmp_path: Path, capsys: Capture
) -> None:
    path = await _export(tmp_path)
    text = path.read_text(encoding="utf-8")
    plural = text.replace(
        'msgctxt "title"\nmsgid "Your phone and your safety"\nmsgstr "Simu yako na usalama wako"',
        'msgctxt "title"\nmsgid "Your phone and your safety"\nmsgid_plural "Your phones"\n'
        'msgstr[0] "Simu yako"\nmsgstr[1] "Simu zako"',
    )
    assert plural != text
    path.write_text(plural, encoding="utf-8")
    assert await sauti("translations", "import", CAMPAIGN, str(path)) == 1
    assert "title: this text has one form, not 2 plural forms" in capsys.readouterr().err

    path.write_text(text.replace("Sauti campaign safe-connect-2026", "Sauti campaign other"))
    assert await sauti("translations", "import", CAMPAIGN, str(path)) == 1
    assert "the texts of the campaign 'other', not of 'safe-connect-2026'" in (
        capsys.readouterr().err
    )
    path.write_text('msgid "x\n', encoding="utf-8")
    assert await sauti("translations", "import", CAMPAIGN, str(path)) == 1
    assert "nothing was stored" in capsys.readouterr().err


async def test_an_unreviewed_language_blocks_opening_until_accepted_and_is_marked(
    deployment: Deployment, tmp_path: Path, capsys: Capture
) -> None:
    assert await sauti("campaign", "close", CAMPAIGN) == 0
    capsys.readouterr()
    assert await sauti("campaign", "open", CAMPAIGN) == 1
    refused = capsys.readouterr().err
    assert "stays closed" in refused
    for language in ("fr", "ar", "sw"):
        assert f"  {language}: machine-drafted" in refused
    assert not (await _stored(deployment)).is_open

    # Swahili reviewed (nothing changed, every entry vouched for): the other two still block.
    path = await _export(tmp_path)
    _edit(path, {})
    assert await sauti("translations", "import", CAMPAIGN, str(path), "--reviewer", "Juma") == 0
    assert await sauti("campaign", "open", CAMPAIGN) == 1
    refused = capsys.readouterr().err
    assert "sw:" not in refused
    assert "  fr: machine-drafted" in refused

    assert await sauti("campaign", "open", CAMPAIGN, "--accept-machine-drafted") == 0
    assert (await _stored(deployment)).is_open
    entries = [e.record async for e in deployment.app.audit_log().everything(DEFAULT_ORG)]
    opened = [r for r in entries if r is not None and r.action == "campaign_opened"]
    assert dict(opened[-1].details) == {"machine_drafted": "fr,ar"}
    assert await sauti("campaign", "list") == 0
    assert capsys.readouterr().out.rstrip().endswith("\tmachine-drafted: fr, ar")
    assert await sauti("translations", "status", CAMPAIGN) == 0
    status = capsys.readouterr().out
    assert "opened with machine-drafted text accepted by operator on " in status
    assert status.rstrip().endswith(": fr machine-drafted; ar machine-drafted")


async def test_an_imported_file_left_fuzzy_is_not_reviewed(
    deployment: Deployment, tmp_path: Path, capsys: Capture
) -> None:
    path = await _export(tmp_path, "fr")
    _edit(path, {"title": "Votre téléphone, votre sécurité"}, review_all=False)
    assert await sauti("translations", "import", CAMPAIGN, str(path), "--reviewer", "Luc") == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"fr\t{TEXTS}/{TEXTS} translated\tunreviewed"


async def test_a_new_language_is_added_and_stays_incomplete_without_sautis_own_texts(
    deployment: Deployment, tmp_path: Path, capsys: Capture
) -> None:
    path = await _export(tmp_path, "ti")  # Tigrinya: Sauti ships no texts of its own in it yet
    with path.open("rb") as po:
        catalog = read_po(po)
    own = {str(m.context): f"ትግ {m.id}"[:20] for m in catalog if m.id and ":" not in str(m.context)}
    _edit(path, own)
    assert await sauti("translations", "import", CAMPAIGN, str(path), "--reviewer", "Selam") == 0
    campaign = await _stored(deployment)
    assert "ti" in campaign.survey.languages
    assert campaign.survey.title["ti"] == "ትግ Your phone and yo"

    assert await sauti("campaign", "close", CAMPAIGN) == 0
    capsys.readouterr()
    assert await sauti("campaign", "open", CAMPAIGN) == 1
    total = len([m for m in catalog if m.id])
    missing = total - len(own)
    assert f"  ti: {missing} of {total} texts untranslated" in capsys.readouterr().err


async def test_a_language_code_that_is_not_one_is_refused(
    deployment: Deployment, capsys: Capture
) -> None:
    assert await sauti("translations", "export", CAMPAIGN, "--lang", "../sw") == 1
    assert "is not a language code" in capsys.readouterr().err
    assert await sauti("translations", "export", CAMPAIGN, "--lang", "en") == 1
    assert "source language" in capsys.readouterr().err
    assert await sauti("translations", "status", "no-such-campaign") == 1
    assert "no campaign 'no-such-campaign'" in capsys.readouterr().err


async def test_a_file_imported_unchanged_makes_no_new_version(
    deployment: Deployment, tmp_path: Path, capsys: Capture
) -> None:
    path = await _export(tmp_path, "ar")
    before = await _revision(deployment)
    assert await sauti("translations", "import", CAMPAIGN, str(path)) == 0
    assert await _revision(deployment) == before
    assert capsys.readouterr().out.splitlines()[-1] == f"ar\t{TEXTS}/{TEXTS} translated\tunreviewed"
    assert (await _stored(deployment)).survey.translation_status["ar"] == "machine-drafted"


async def test_a_translator_s_wording_of_sautis_thanks_is_the_campaign_s_own_and_exported_back(
    deployment: Deployment, tmp_path: Path, capsys: Capture
) -> None:
    path = await _export(tmp_path)
    own = "Asante sana kwa majibu yako!"
    _edit(path, {"system:survey.thanks": own})
    assert await sauti("translations", "import", CAMPAIGN, str(path), "--reviewer", "Amina") == 0
    campaign = await _stored(deployment)
    assert campaign.survey.system_texts == {"survey.thanks": {"sw": own}}
    assert campaign_catalog(campaign.survey).message("survey.thanks", "sw") == own
    # Sauti's shipped text, which every other campaign shows, is untouched.
    assert builtin_catalog().message("survey.thanks", "sw") != own

    (tmp_path / "again").mkdir()
    again = await _export(tmp_path / "again")
    text = again.read_text(encoding="utf-8")
    assert 'msgctxt "system:survey.thanks"\nmsgid "' in text
    assert f'msgstr "{own}"' in text

    # Put back as Sauti's own, the campaign's wording goes.
    _edit(again, {"system:survey.thanks": builtin_catalog().message("survey.thanks", "sw")})
    assert await sauti("translations", "import", CAMPAIGN, str(again), "--reviewer", "Amina") == 0
    assert (await _stored(deployment)).survey.system_texts == {}


async def test_a_decision_notice_is_still_not_changed_from_one_campaign(
    deployment: Deployment, tmp_path: Path, capsys: Capture
) -> None:
    path = await _export(tmp_path)
    _edit(path, {"notice:loop.notice": "Mlituambia {summary}. {organisation} {status}: {message}"})
    capsys.readouterr()
    assert await sauti("translations", "import", CAMPAIGN, str(path), "--reviewer", "Amina") == 1
    assert "send the correction to the Sauti team" in capsys.readouterr().err
