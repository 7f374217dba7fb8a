"""`sauti keys rotate|rewrap|retire`: a backup taken before a rotation holds the wrapped keys of
people erased since; once the old master key is retired, nothing in it decrypts any more, while
everything live still does. Run on Sauti's own embedded Redis, key files and all."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.access.totp import open_secret, seal_secret
from bot.app import App
from bot.conversation.inbound import Action, Answer, Channel, Command, InboundEvent, Join
from bot.conversation.stored_answers import read_answers
from bot.privacy import ParticipantCrypto, ParticipantId, decrypt_field, field_aad
from bot.records.key_epochs import read_epochs
from bot.records.key_holders import announce
from bot.secret import Secret
from bot.settings import Settings, read_settings
from bot.storage.disk_rewrite import data_files
from bot.storage.keys import KeySchema
from bot.storage.lua import ScriptCall, run_batch
from bot.storage.scripts import RESEAL_FIELD
from dialogues.inbound import TextReply
from tests.bot.commands import sauti
from tests.kit.disk import recover
from tests.kit.example import CAMPAIGN
from tests.kit.running import built, drain
from tests.kit.settings import deployment_environment, server_secrets, settings_from

WORDS = "{} says the mast behind the clinic was cut"
STAFF = "amina@example.org"
TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A single-machine deployment: embedded Redis and key files (a short path: the Redis
    socket's must fit in 107 bytes)."""
    with tempfile.TemporaryDirectory(prefix="sauti-") as directory:
        config = Path(directory) / "sauti.toml"
        config.touch()
        for name in ("REDIS_URL", "SAUTI_MASTER_KEY", "SAUTI_ID_SECRET"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("SAUTI_CONFIG", str(config))
        monkeypatch.setenv("SAUTI_DATA_DIR", str(Path(directory) / "var"))
        monkeypatch.setenv("SAUTI_SHARDS", "2")
        monkeypatch.setenv("SAUTI_BACKUP_RETENTION_DAYS", "0")
        yield Path(directory) / "var"


def settings() -> Settings:
    return read_settings()


async def tell(app: App, pid: str, *actions: Action | str) -> None:
    """What a web chat participant did (a string is typed text), processed by a worker."""
    for action in actions:
        event = InboundEvent(
            event_id=f"webchat:{secrets.token_hex(8)}",
            channel=Channel.WEBCHAT,
            participant_id=pid,
            received_at_ms=int(time.time() * 1000),
            action=Answer(TextReply(action)) if isinstance(action, str) else action,
        )
        await app.ingestor.ingest(event)
        await drain(app.worker("test-worker"), app.schema.shards)


async def answered(app: App, *users: str) -> list[str]:
    """Participants who joined on the web chat and wrote their free-text answer."""
    pids: list[str] = []
    for user in users:
        pid = app.crypto.participant_id(Channel.WEBCHAT.value, user)
        await tell(app, pid, Join(CAMPAIGN, "en"), "1", "1,2", "yes", WORDS.format(user))
        pids.append(pid)
    return pids


async def erase(app: App, pid: str) -> None:
    await tell(app, pid, "delete", Command("delete", "confirm"))


async def words_of(app: App, pid: str) -> list[str]:
    """What their stored free text says, opened with the running app's keys."""
    schema = app.schema
    wrapped: Any = await app.redis.hget(schema.participant(pid), "wk")
    key = app.crypto.unwrap_data_key(wrapped)
    answers: Any = await app.redis.hgetall(schema.answers(pid, CAMPAIGN))
    found = []
    for question, answer in read_answers(answers).items():
        if answer.sealed is not None:
            aad = field_aad(ParticipantId(pid), f"answer:{CAMPAIGN}:{question}")
            found.append(decrypt_field(key, answer.sealed, aad))
    return found


async def test_after_rotation_and_retirement_a_backup_from_before_decrypts_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = data_dir.parent / "backup"
    async with built(settings()) as app:
        victim, neighbour = await answered(app, "victim", "neighbour")
        await app.staff().set_totp_secret(STAFF, seal_secret(app.crypto, STAFF, TOTP))
        await app.redis.bgrewriteaof()
        await _copy_when_rewritten(app, data_dir / "redis", backup)  # the nightly backup
        await erase(app, victim)
        old_crypto = app.crypto
        assert await sauti("keys", "rotate") == 0
    assert "master key 1 made" in capsys.readouterr().out
    assert recover(data_files(backup), [old_crypto], [victim]).mention("victim says")

    async with built(settings()) as app:  # every process restarted: key 1 is current
        assert app.crypto.master_key_ids == (1, 0)
        assert await sauti("keys", "retire", "0") == 1
        assert "still wrapped under master key 0" in capsys.readouterr().err
        assert await sauti("keys", "rewrap") == 0
        said = capsys.readouterr().out
        assert "1 data keys wrapped again under master key 1, 1 secrets sealed again" in said
        assert "master key 0: 0 data keys still under it" in said
        assert await sauti("keys", "retire", "0") == 0
    assert "master key 0 destroyed" in capsys.readouterr().out
    assert not (data_dir / "keys" / "master.key").exists()

    async with built(settings()) as app:  # the keys the server holds from now on
        assert app.crypto.master_key_ids == (1,)
        traces = recover(data_files(backup), [app.crypto], [victim, neighbour])
        assert traces.data_keys == set()  # no wrapped key in the backup opens
        assert traces.mention("victim says", "neighbour says") == []
        # What is live reads as before.
        assert await words_of(app, neighbour) == [WORDS.format("neighbour")]
        member = await app.staff().get(STAFF)
        assert member is not None
        assert member.totp_secret is not None
        assert open_secret(app.crypto, STAFF, member.totp_secret) == TOTP
        assert await sauti("keys", "status") == 0
    status = capsys.readouterr().out
    assert "master key 1\tcurrent\tdata keys 1" in status
    assert "master key 0\tretired" in status


async def test_an_old_key_is_kept_for_the_backup_retention(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAUTI_BACKUP_RETENTION_DAYS", "30")
    async with built(settings()) as app:
        await answered(app, "imani")
        assert await sauti("keys", "rotate") == 0
    async with built(settings()) as app:
        assert await sauti("keys", "rewrap") == 0
        capsys.readouterr()
        assert await sauti("keys", "retire", "0") == 1
    refusal = capsys.readouterr().err
    assert "backups taken before" in refusal
    assert "SAUTI_BACKUP_RETENTION_DAYS" in refusal
    assert (data_dir / "keys" / "master.key").exists()


async def _copy_when_rewritten(app: App, source: Path, target: Path) -> None:
    info: dict[str, Any] = await app.redis.info("persistence")
    while info.get("aof_rewrite_in_progress") or info.get("aof_rewrite_scheduled"):
        info = await app.redis.info("persistence")
    await asyncio.to_thread(_copy, source, target)


def _copy(source: Path, target: Path) -> None:
    target.mkdir()
    for path in data_files(source):
        shutil.copy(path, target / path.name)


async def test_a_participant_erased_while_a_rewrap_runs_stays_erased(redis_client: Redis) -> None:
    """The rewrap read their wrapped key, then they erased themselves: writing the key wrapped
    again must not bring their record back."""
    schema = KeySchema(prefix="t", shards=1)
    old = ParticipantCrypto(Secret(os.urandom(32)), Secret(os.urandom(32)))
    older = ((0, old.master_key),)
    new = ParticipantCrypto(
        Secret(os.urandom(32)), old.id_secret, master_key_id=1, older_master_keys=older
    )
    erased, kept = schema.participant("a" * 32), schema.participant("b" * 32)
    read: dict[str, bytes] = {}
    for record in (erased, kept):
        read[record] = old.new_data_key()[1]
        await redis_client.hset(record, "wk", read[record])
    await redis_client.delete(erased)  # /delete, between the read and the write
    calls = [
        ScriptCall(RESEAL_FIELD, (record,), ("wk", wrapped, new.rewrapped(wrapped) or b""))
        for record, wrapped in read.items()
    ]
    assert await run_batch(redis_client, calls) == [0, 1]
    assert not await redis_client.exists(erased)
    now: Any = await redis_client.hget(kept, "wk")
    assert new.unwrap_data_key(now) == old.unwrap_data_key(read[kept])


async def test_rewrap_and_retire_wait_for_every_process_to_use_the_new_key(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A process started before the rotation still wraps new participants' keys under the old
    one: a rewrap would leave them behind, and a retire would make them unreadable."""
    async with built(settings()) as app:
        await answered(app, "imani")
        old_crypto = app.crypto
        assert await sauti("keys", "rotate") == 0
    async with built(settings()) as app:
        await announce(app.redis, app.schema, "host-a-1", old_crypto, int(time.time() * 1000))
        capsys.readouterr()
        assert await sauti("keys", "rewrap") == 1
        refusal = capsys.readouterr().err
        assert "host-a-1 does not hold master key 1" in refusal
        assert (await read_epochs(app.redis, app.schema)).emptied_ms == {}
        await announce(app.redis, app.schema, "host-a-1", app.crypto, int(time.time() * 1000))
        assert await sauti("keys", "rewrap") == 0
        await announce(app.redis, app.schema, "host-b-2", old_crypto, int(time.time() * 1000))
        assert await sauti("keys", "retire", "0") == 1
        assert "host-b-2 does not hold master key 1" in capsys.readouterr().err
        assert (data_dir / "keys" / "master.key").exists()
        # A process gone (no heartbeat for 30 s) holds nothing back.
        await announce(
            app.redis, app.schema, "host-b-2", old_crypto, int(time.time() * 1000) - 60_000
        )
        assert await sauti("keys", "retire", "0") == 0
    assert "master key 0 destroyed" in capsys.readouterr().out


async def test_a_key_wrapped_under_again_after_a_rewrap_found_it_empty_keeps_its_backups_safe(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time from which backups no longer need the old key is the end of the last pass that
    moved something away from it, not the first that found it empty."""
    monkeypatch.setenv("SAUTI_BACKUP_RETENTION_DAYS", "30")
    async with built(settings()) as app:
        await answered(app, "imani")
        old_crypto = app.crypto
        assert await sauti("keys", "rotate") == 0
    async with built(settings()) as app:
        assert await sauti("keys", "rewrap") == 0
        long_ago = int(time.time() * 1000) - 40 * 86_400_000
        await app.redis.hset(app.schema.master_keys, "emptied:0", long_ago)
        # Meanwhile a late process wrapped a new participant's key under the old one.
        late = app.crypto.participant_id(Channel.WEBCHAT.value, "late")
        _, wrapped = old_crypto.new_data_key()
        await app.redis.hset(app.schema.participant(late), "wk", wrapped)
        assert await sauti("keys", "rewrap") == 0
        assert "1 data keys wrapped again" in capsys.readouterr().out
        assert (await read_epochs(app.redis, app.schema)).emptied_ms[0] > long_ago
        assert await sauti("keys", "retire", "0") == 1
    assert "backups taken before" in capsys.readouterr().err
    assert (data_dir / "keys" / "master.key").exists()


async def test_retire_checks_staff_secrets_again_and_counts_dead_letters(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with built(settings()) as app:
        await answered(app, "imani")
        old_crypto = app.crypto
        assert await sauti("keys", "rotate") == 0
    async with built(settings()) as app:
        assert await sauti("keys", "rewrap") == 0
        # A second factor set by a process still on the old key, after the rewrap.
        await app.staff().set_totp_secret(STAFF, seal_secret(old_crypto, STAFF, TOTP))
        capsys.readouterr()
        assert await sauti("keys", "retire", "0") == 1
        assert "not sealed under the current key" in capsys.readouterr().err
        assert await sauti("keys", "rewrap") == 0
        dead = app.schema.outbox_dead(0)
        body = old_crypto.seal_in_transit('{"text": "x"}', b"k-1")
        await app.redis.xadd(dead, {"k": "k-1", "pid": "p", "body": body, "kind": "outbox"})
        capsys.readouterr()
        assert await sauti("keys", "retire", "0") == 0
    said = capsys.readouterr().out
    assert "1 dead letters are sealed under an older key" in said
    assert "master key 0 destroyed" in said


async def test_on_a_shared_redis_a_key_is_not_called_retired_while_still_configured(
    redis_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sauti cannot destroy a key it reads from the settings: `retire` says what the operator
    must do, and `status` does not claim the key retired while it is still configured."""
    before = deployment_environment(redis_url, tmp_path, SAUTI_BACKUP_RETENTION_DAYS="0")
    async with built(settings_from(before)) as app:
        await answered(app, "imani")
    old_key = before["SAUTI_MASTER_KEY"]
    rotated = {
        **before,
        "SAUTI_MASTER_KEY": server_secrets()["SAUTI_MASTER_KEY"],
        "SAUTI_MASTER_KEY_ID": "1",
        "SAUTI_PREVIOUS_MASTER_KEYS": f"0:{old_key}",
    }
    for name, value in rotated.items():
        monkeypatch.setenv(name, value)
    assert await sauti("keys", "rewrap") == 0
    assert await sauti("keys", "retire", "0") == 0
    assert "remove 0:<key> from SAUTI_PREVIOUS_MASTER_KEYS" in capsys.readouterr().out
    assert await sauti("keys", "status") == 0
    assert "master key 0\tretire ordered" in capsys.readouterr().out
    monkeypatch.delenv("SAUTI_PREVIOUS_MASTER_KEYS")  # the operator did it, and restarted
    assert await sauti("keys", "status") == 0
    status = capsys.readouterr().out
    assert "master key 0\tretired" in status
    assert "still configured" not in status
