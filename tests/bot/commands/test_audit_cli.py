"""`sauti audit list|export|verify`: the operator reads an organisation's audit log a page at a
time, archives it with its hashes (checkable with the documented recipe and the key alone), and
learns from the exit code whether the chain is intact, and where it breaks if not."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from bot.audit import GENESIS, AuditAction, AuditLog
from bot.audit.chain import AUDIT_KEY_LABEL
from tests.bot.commands import Deployment, sauti

ORG = "acme"
AMINA = "staff:amina@acme.example"


async def _recorded(deployment: Deployment, count: int = 3) -> tuple[AuditLog, list[str]]:
    log = deployment.app.audit_log()
    ids = [(await log.record(ORG, actor=AMINA, action=AuditAction.SIGN_IN, address="192.0.2.7")).id]
    for n in range(count - 1):
        entry = await log.record(
            ORG,
            actor=AMINA,
            action=AuditAction.FREE_TEXT_READ,
            target="campaign:water-2026",
            count=10 + n,
            details={"question": "q3"},
        )
        ids.append(entry.id)
    return log, ids


async def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await sauti("audit", *argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_list_shows_one_line_per_entry_and_the_cursor_of_the_next_page(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    _, ids = await _recorded(deployment, 3)

    code, out, _ = await _run(capsys, "list", "--org", ORG, "--limit", "2")
    first = out.splitlines()
    code_2, out_2, _ = await _run(capsys, "list", "--org", ORG, "--after", ids[1], "--limit", "2")

    assert code == code_2 == 0
    assert first[0].startswith(f"{ids[0]}  ")
    assert "sign_in  staff:amina@acme.example  -  from=192.0.2.7" in first[0]
    assert first[1].startswith(f"{ids[1]}  ")
    assert "free_text_read  staff:amina@acme.example  campaign:water-2026  count=10" in first[1]
    assert "question=q3" in first[1]
    assert first[2] == f"next page: --after {ids[1]}"
    # The second page: the last entry, then the operator's own reading of the first page.
    second = out_2.splitlines()
    assert second[0].startswith(f"{ids[2]}  ")
    assert "audit_read  operator  org:acme  count=2" in second[1]
    assert "via=list" in second[1]
    assert len(second) == 2  # no next page


async def test_list_filters_by_action(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    _, ids = await _recorded(deployment, 3)

    code, out, _ = await _run(capsys, "list", "--org", ORG, "--action", "sign_in")

    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [ids[0]]


async def test_a_log_that_was_never_written_stays_unwritten_when_listed(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await _run(capsys, "list", "--org", "acme-typo")

    assert (code, out) == (0, "")
    assert "no more entries in the audit log of acme-typo" in err
    assert await deployment.app.audit_log().head("acme-typo") is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["list", "--org", "Acme Corp"], "not an organisation slug"),
        (["list", "--org", ORG, "--after", "page-2"], "not an audit cursor"),
        (["list", "--org", ORG, "--limit", "0"], "--limit must be 1 to 500"),
        (["list", "--org", ORG, "--limit", "10000"], "--limit must be 1 to 500"),
        (["export", "--org", ORG, "--output", "/no/such/folder/audit.jsonl"], "not a directory"),
        (["verify", "--org", "{acme}"], "not an organisation slug"),
    ],
)
async def test_bad_arguments_get_a_clear_answer(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = await _run(capsys, *argv)

    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


async def test_an_unknown_action_is_refused_by_the_parser(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        await sauti("audit", "list", "--org", ORG, "--action", "read_everything")
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


async def test_the_jsonl_export_holds_every_entry_with_hashes_that_check_with_the_key_alone(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, ids = await _recorded(deployment, 3)
    archive = tmp_path / "acme-audit.jsonl"

    code, _, err = await _run(capsys, "export", "--org", ORG, "--output", str(archive))

    assert code == 0
    assert "exported 3 audit entries of acme" in err
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it names staff and addresses
    lines = [json.loads(line) for line in archive.read_text().splitlines()]
    assert [line["id"] for line in lines] == ids
    assert lines[1]["action"] == "free_text_read"
    assert (lines[1]["count"], lines[1]["details"]) == (10, {"question": "q3"})
    # Checked elsewhere: the recipe of docs/data-protection.md, with nothing of Sauti's.
    key = hmac.new(_id_secret(deployment), AUDIT_KEY_LABEL, hashlib.sha256).digest()
    previous = GENESIS
    for line in lines:
        assert line["previous"] == previous
        assert line["hash"] == _documented_hash(key, line)
        previous = line["hash"]
    # The export was itself recorded, after what it exported.
    after = (await deployment.app.audit_log().entries(ORG, after=ids[-1])).entries
    assert [e.record.action if e.record else None for e in after] == ["audit_read"]
    assert after[0].record is not None
    assert after[0].record.details == {"via": "export", "format": "jsonl"}


async def test_the_csv_export_has_a_row_per_entry_with_its_hashes(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    _, ids = await _recorded(deployment, 2)

    code, out, _ = await _run(capsys, "export", "--org", ORG, "--format", "csv")

    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["id"] for row in rows] == ids
    assert {row["org"] for row in rows} == {ORG}
    assert rows[0]["previous"] == GENESIS
    assert rows[1]["previous"] == rows[0]["hash"]
    assert (rows[1]["count"], rows[1]["details"]) == ("10", '{"question": "q3"}')
    assert (rows[0]["address"], rows[1]["address"]) == ("192.0.2.7", "")
    assert rows[0]["at"].endswith("Z")


async def test_verify_says_intact_then_names_the_entry_that_was_altered(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    _, ids = await _recorded(deployment, 3)

    code, out, _ = await _run(capsys, "verify", "--org", ORG)
    assert (code, out) == (0, "chain intact: 3 entries\n")

    redis, stream = deployment.app.redis, deployment.app.schema.audit(ORG)
    stored: Any = await redis.xrange(stream)
    await redis.delete(stream)
    for entry_id, fields in stored:
        if entry_id.decode() == ids[1]:
            fields[b"count"] = b"1"  # "only one record was read"
        await redis.xadd(stream, fields, id=entry_id)

    code, out, _ = await _run(capsys, "verify", "--org", ORG)
    assert code == 1
    assert out.startswith(f"chain broken at entry {ids[1]}: altered: ")
    assert "(1 entries before it intact)" in out


async def test_verify_reports_entries_removed_from_the_end(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    _, ids = await _recorded(deployment, 3)
    await deployment.app.redis.xdel(deployment.app.schema.audit(ORG), ids[2])

    code, out, _ = await _run(capsys, "verify", "--org", ORG)

    assert code == 1
    assert out.startswith(f"chain broken at entry {ids[1]}: head: ")
    assert "removed from the end" in out
    assert "(2 entries intact)" in out


def _id_secret(deployment: Deployment) -> bytes:
    return deployment.app.crypto.id_secret.reveal()


def _documented_hash(key: bytes, line: dict[str, Any]) -> str:
    # Every fact of the export but its time, which it also gives in ISO form.
    fields = ("org", "actor", "action", "target", "count", "address", "details")
    document = {"v": 1, "at": line["at_ms"], **{name: line[name] for name in fields}}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, line["previous"].encode() + canonical.encode(), hashlib.sha256).hexdigest()


async def test_an_earlier_export_catches_a_log_deleted_and_started_again(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log, _ = await _recorded(deployment, 3)
    archive = tmp_path / "acme-audit.jsonl"
    assert (await _run(capsys, "export", "--org", ORG, "--output", str(archive)))[0] == 0
    last = json.loads(archive.read_text().splitlines()[-1])
    await log.record(ORG, actor=AMINA, action=AuditAction.SIGN_OUT)

    code, out, _ = await _run(capsys, "verify", "--org", ORG, "--against", str(archive))
    assert code == 0
    assert out.splitlines() == [
        "chain intact: 5 entries",  # the three, the export's audit_read, the sign-out
        f"the log still holds entry {last['id']}, the last of {archive}",
    ]

    # Stream and head deleted together, then new entries: a chain that verifies on its own.
    app = deployment.app
    await app.redis.delete(app.schema.audit(ORG), app.schema.audit_head(ORG))
    await log.record(ORG, actor=AMINA, action=AuditAction.SIGN_IN)
    code, out, _ = await _run(capsys, "verify", "--org", ORG, "--against", str(archive))
    assert code == 1
    assert out.splitlines()[0] == "chain intact: 1 entries"
    assert "no longer holds entry" in out.splitlines()[1]


async def test_verify_against_a_file_that_is_no_export_gets_a_clear_answer(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    wrong = tmp_path / "notes.txt"
    wrong.write_text("meeting notes\n")

    code, _, err = await _run(capsys, "verify", "--org", ORG, "--against", str(wrong))
    missing, _, err_missing = await _run(
        capsys, "verify", "--org", ORG, "--against", str(tmp_path / "absent.jsonl")
    )

    assert code == missing == 2
    assert "not a JSON-lines audit export" in err
    assert "No such file" in err_missing


async def test_an_entry_written_by_hand_is_listed_and_exported_as_unreadable(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    _, ids = await _recorded(deployment, 1)
    app = deployment.app
    written: Any = await app.redis.xadd(app.schema.audit(ORG), {"actor": "\x1b[2Jx@y", "n": "1"})
    forged: str = written.decode()

    code, out, _ = await _run(capsys, "list", "--org", ORG)
    assert code == 0
    forged_line = out.splitlines()[1]
    assert forged_line.startswith(f"{forged}  unreadable entry: fields missing")
    assert "\x1b" not in out

    code, out, _ = await _run(capsys, "export", "--org", ORG)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [line["id"] for line in lines[:2]] == [ids[0], forged]
    assert lines[1]["fields"] == {"actor": "\x1b[2Jx@y", "n": "1"}
    assert "unreadable" in lines[1]
