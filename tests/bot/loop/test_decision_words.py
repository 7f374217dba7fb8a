"""The words of a decision notice, per language: `sauti decision load` warns about every
campaign language the file lacks, `preview` shows what each language would read (with its
buttons), and a notice sent anyway to someone whose language is lacking speaks their language
around the company's text and says that text is not yet translated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.conversation.inbound import Join
from bot.conversation.inbox import open_notice
from tests.bot.commands import Deployment, deployed, sauti
from tests.bot.loop import SIM_DECISION, UP_TO_SIM_ID, publish_all
from tests.kit.example import CAMPAIGN

ARABIC_MESSAGE = "سنظل نطلب بطاقة هوية، لكن الوكلاء يقبلون الآن رسالة من شيخ القرية."
ENGLISH_MESSAGE = (
    "We will still ask for an ID card, but agents now accept a letter from the village chief."
)
NO_ARABIC = SIM_DECISION.replace(f'  ar: "{ARABIC_MESSAGE}"\n', "")
UNTRANSLATED_AR = "(لم يُترجم بعد إلى لغتك: نص الشركة أعلاه مكتوب بـEnglish.)"
ARABIC_RATIONALE = "يفرض القانون التحقق من الهوية لكل شريحة."
NO_ARABIC_RATIONALE = SIM_DECISION.replace(f'  ar: "{ARABIC_RATIONALE}"\n', "")


@pytest.fixture
async def deployment(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Deployment]:
    async with deployed(redis_url, tmp_path, monkeypatch) as value:
        yield value


async def _said_yes(deployment: Deployment, name: str, language: str) -> str:
    """A web chat participant who asked to hear back and said yes to the ID question."""
    pid = deployment.participant(f"tok-{name}")
    await deployment.send(pid, Join(CAMPAIGN, language))
    for text in ("/updates yes", *UP_TO_SIM_ID, "yes", "0", "5", "1"):
        await deployment.drain()
        await deployment.send(pid, text)
    await deployment.drain()
    return pid


async def _told(deployment: Deployment, pid: str) -> list[str]:
    """The decision notices in a web chat participant's inbox."""
    app = deployment.app
    wrapped: Any = await app.redis.hget(app.schema.participant(pid), "wk")
    key = app.crypto.unwrap_data_key(wrapped)
    sealed: Any = await app.redis.lrange(app.schema.webchat_inbox(pid), 0, -1)
    notices = [notice for item in sealed if (notice := open_notice(item, pid, key))]
    return [notice.text for notice in notices if notice.menu]  # decisions come with buttons


async def test_load_warns_about_every_campaign_language_the_decision_lacks(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Nobody reads Arabic yet: the warning comes all the same, at load and in the preview."""
    decision = tmp_path / "sim.yaml"
    decision.write_text(NO_ARABIC)
    assert await sauti("decision", "load", str(decision)) == 0
    out = capsys.readouterr().out
    assert "WARNING: no message (or rationale) in ar of the campaign's languages" in out
    assert "they get the en text, in a notice in their language marked as not yet" in out
    assert await sauti("decision", "load", "--check", str(decision)) == 0
    assert "WARNING: no message (or rationale) in ar" in capsys.readouterr().out

    assert await sauti("decision", "preview", CAMPAIGN, "sim-without-id") == 0
    preview = capsys.readouterr().out
    assert "messages: every participant's language is covered" in preview  # nobody reads ar
    assert "WARNING: no message (or rationale) in ar" in preview

    decision.write_text(SIM_DECISION)
    assert await sauti("decision", "load", str(decision)) == 0
    assert "WARNING" not in capsys.readouterr().out


async def test_preview_shows_the_words_each_language_reads_with_its_buttons(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    await _said_yes(deployment, "amina", "en")
    decision = tmp_path / "sim.yaml"
    decision.write_text(NO_ARABIC)
    assert await sauti("decision", "load", str(decision)) == 0
    capsys.readouterr()
    assert await sauti("decision", "preview", CAMPAIGN, "sim-without-id") == 0
    preview = capsys.readouterr().out
    english = preview.split("--- what en readers get\n", 1)[1].split("\n---", 1)[0]
    assert english.startswith("You told us “Yes” when we asked “To get a SIM card")
    assert f"Nuru Mobile has decided not to make this change: {ENGLISH_MESSAGE}" in english
    assert "Why: The law requires an ID check for every SIM card." in english
    assert "[Helpful]  [Still concerned]  [Tell me more]" in english
    swahili = preview.split("--- what sw readers get\n", 1)[1].split("\n---", 1)[0]
    assert swahili.startswith("Ulituambia “Ndiyo”")
    assert "[Imesaidia]" in swahili
    header = "--- what ar readers get  (not translated: sent only with --allow-missing"
    assert header in preview
    arabic = preview.split(header, 1)[1].split("\n---", 1)[0]
    assert arabic.splitlines()[1].startswith("أخبرتنا «نعم»")  # their language around it
    assert ENGLISH_MESSAGE in arabic  # the company's text, in the default language...
    assert UNTRANSLATED_AR in arabic  # ...marked as such
    assert "[مفيد]" in arabic


async def test_sent_anyway_the_arabic_reader_gets_arabic_around_a_marked_english_text(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """It used to be an English notice, whole, inside their Arabic page."""
    pid = await _said_yes(deployment, "layla", "ar")
    decision = tmp_path / "sim.yaml"
    decision.write_text(NO_ARABIC)
    assert await sauti("decision", "load", str(decision)) == 0
    assert await sauti("decision", "publish", CAMPAIGN, "sim-without-id") == 1
    assert "no message (or rationale) in ar (1 participants)" in capsys.readouterr().err
    assert await _told(deployment, pid) == []  # refused: nothing sent
    allowed = ("--allow-missing-translations",)
    assert await sauti("decision", "publish", CAMPAIGN, "sim-without-id", *allowed) == 0
    await publish_all(deployment.app.publisher())
    [notice] = await _told(deployment, pid)
    assert notice.startswith("أخبرتنا «نعم» عندما سألناك")
    assert ENGLISH_MESSAGE in notice
    assert notice.endswith(UNTRANSLATED_AR)
    assert "You told us" not in notice


async def test_a_lacking_rationale_alone_does_not_mark_an_arabic_message_untranslated(
    deployment: Deployment, tmp_path: Path
) -> None:
    """The message they read is theirs: no line calls it another language's. The reason,
    lacking in Arabic, comes in the campaign's default language."""
    assert NO_ARABIC_RATIONALE != SIM_DECISION
    pid = await _said_yes(deployment, "amina", "ar")
    decision = tmp_path / "sim.yaml"
    decision.write_text(NO_ARABIC_RATIONALE)
    assert await sauti("decision", "load", str(decision)) == 0
    allowed = ("--allow-missing-translations",)
    assert await sauti("decision", "publish", CAMPAIGN, "sim-without-id", *allowed) == 0
    await publish_all(deployment.app.publisher())
    [notice] = await _told(deployment, pid)
    assert ARABIC_MESSAGE in notice
    assert "The law requires an ID check for every SIM card." in notice
    assert "لم يُترجم بعد" not in notice
