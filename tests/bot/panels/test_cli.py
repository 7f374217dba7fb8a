"""`sauti invite preview|send` and `sauti panel show`: the counts an operator reads go through
small-cell suppression (a count that would give a small group away by subtraction is withheld
too), a wrong segment is refused with what is wrong, and a send is audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.audit.entry import AuditAction
from bot.conversation.inbound import Join
from tests.bot.commands import deployed, sauti
from tests.bot.panels import FOLLOW_UP, follow_up_survey
from tests.kit.example import CAMPAIGN


async def test_invite_preview_and_send_show_suppressed_counts_and_audit_the_send(
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with deployed(redis_url, tmp_path, monkeypatch) as deployment:
        app = deployment.app
        await app.campaigns.load(follow_up_survey(), open_now=True)
        for n in range(8):  # six may be asked again, two may not; none finished the example
            pid = deployment.participant(f"web-{n}")
            await deployment.send(pid, Join(CAMPAIGN, "en", updates=False, contact=n < 6))
        await deployment.drain()

        assert await sauti("invite", "preview", FOLLOW_UP, "--segment", "language=en") == 0
        out = capsys.readouterr().out
        assert "panel members in the segment: 8" in out
        assert "would be invited: 0" in out
        # 8 - 0 - 6 would give the two without consent away: both are withheld.
        assert "another survey of theirs unfinished" in out
        assert "no consent to be contacted again" in out
        assert " 6\n" not in out
        assert " 2\n" not in out

        assert await sauti("invite", "preview", FOLLOW_UP, "--segment", "area") == 2
        assert "write attribute=value" in capsys.readouterr().err

        assert await sauti("panel", "show") == 0
        assert "members: 6" in capsys.readouterr().out

        assert await sauti("invite", "send", FOLLOW_UP) == 0
        capsys.readouterr()
        page = await app.audit_log().entries("default", action=AuditAction.PANEL_INVITED)
        sent = [entry.record for entry in page.entries if entry.record is not None]
        assert [(r.actor, r.target, r.count) for r in sent] == [
            ("operator", f"campaign:{FOLLOW_UP}", 0)
        ]
