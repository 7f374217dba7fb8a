"""`sauti whatsapp link|templates`: what an operator prints on a poster, and whether every
campaign language can still be reached once its 24-hour window has closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.commands import deployed, sauti
from tests.kit.example import CAMPAIGN

ROOT = Path(__file__).resolve().parents[3]
WHATSAPP = {
    "WHATSAPP_VERIFY_TOKEN": "verify-token",
    "WHATSAPP_APP_SECRET": "app-secret-0123456789",
    "WHATSAPP_ACCESS_TOKEN": "access-token",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_TEMPLATES_FILE": str(ROOT / "config" / "whatsapp_templates.toml"),
}


async def test_the_link_opens_whatsapp_with_the_join_code_typed_in(
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with deployed(
        redis_url, tmp_path, monkeypatch, **WHATSAPP, WHATSAPP_DISPLAY_NUMBER="254700123456"
    ):
        assert await sauti("whatsapp", "link", CAMPAIGN) == 0
        assert capsys.readouterr().out == f"https://wa.me/254700123456?text={CAMPAIGN}\n"
        assert await sauti("whatsapp", "link", "no-such-campaign") == 1


async def test_without_the_display_number_the_link_command_says_which_setting_is_missing(
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with deployed(redis_url, tmp_path, monkeypatch, **WHATSAPP):
        assert await sauti("whatsapp", "link", CAMPAIGN) == 2
        assert "WHATSAPP_DISPLAY_NUMBER" in capsys.readouterr().err


async def test_templates_lists_each_language_and_exits_1_when_one_is_missing(
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with deployed(redis_url, tmp_path, monkeypatch, **WHATSAPP):
        assert await sauti("whatsapp", "templates") == 0
        lines = capsys.readouterr().out.splitlines()
        assert "sw\tnotice\tsauti_update\tsw\tsafe-connect-2026" in lines
        assert "ar\tcontinue\tsauti_continue\tar\tsafe-connect-2026" in lines
        assert "fr\tdecision\tsauti_decision\tfr\tsafe-connect-2026" in lines
        assert "sw\tshared\tsauti_shared\tsw\tsafe-connect-2026" in lines
        assert "ar\tshared_continue\tsauti_shared_continue\tar\tsafe-connect-2026" in lines
        assert "sw\tinvitation\tsauti_invitation\tsw\tsafe-connect-2026" in lines
    partial = tmp_path / "partial.toml"
    partial.write_text(
        '[fallback]\nar = ["fr"]\n\n[templates.notice]\nname = "sauti_update"\n'
        'parameters = ["text"]\n\n[templates.notice.languages.fr]\n'
        'body = "Nouvelles : {{1}} Répondez ici."\n',
        encoding="utf-8",
    )
    async with deployed(
        redis_url, tmp_path, monkeypatch, **{**WHATSAPP, "WHATSAPP_TEMPLATES_FILE": str(partial)}
    ):
        assert await sauti("whatsapp", "templates") == 1
        captured = capsys.readouterr()
        lines = captured.out.splitlines()
        assert "ar\tnotice\tsauti_update\tfr (fallback)\tsafe-connect-2026" in lines
        assert "sw\tnotice\tMISSING\t-\tsafe-connect-2026" in lines
        assert "en\tcontinue\tMISSING\t-\tsafe-connect-2026" in lines
        assert "sw\tdecision\tMISSING\t-\tsafe-connect-2026" in lines
        assert "fr\tdecision\tMISSING: sauti_update, no buttons\tfr\tsafe-connect-2026" in lines
        assert (
            "ar\tdecision\tMISSING: sauti_update, no buttons\tfr (fallback)\tsafe-connect-2026"
            in lines
        )
        # continue x4, notice and decision for en and sw, the shared-phone templates x8 (any
        # participant may turn shared-phone mode on) and the invitation x4 (no other stands in)
        assert "sw\tshared\tMISSING\t-\tsafe-connect-2026" in lines
        assert "ar\tinvitation\tMISSING\t-\tsafe-connect-2026" in lines
        assert "20 missing" in captured.err
        assert "2 without buttons" in captured.err  # decision notices in fr and ar
