"""An organisation's panel as stored: the people who joined any of its campaigns (each shard's
`r:<campaign>` and `j:<campaign>` sets), loaded a batch at a time.

Nothing is stored for the panel itself: membership is their record's re-contact consent
(bot.panels.eligibility), their profile is read from their record and their sessions of the
organisation's campaigns (bot.panels.profile). So a consent withdrawn, an erasure or a
retention run changes the panel at once, and no migration is needed for people who agreed
before panels existed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.conversation.participants import ParticipantRecord
from bot.conversation.stored_sessions import decode_session
from bot.panels.profile import Profile, ProfileQuestions, profile_of
from bot.storage.keys import KeySchema
from bot.storage.scripts import LOAD_PANEL
from dialogues import Session, SessionFormatError, SessionStatus

_REQUIRED = (b"wk", b"ch", b"lang", b"t0")  # a record without these was erased
_SCAN = 1000


@dataclass(frozen=True, slots=True)
class Scope:
    """What reading an organisation's panel needs to know of its campaigns."""

    campaigns: tuple[str, ...]  # the organisation's campaigns
    questions: ProfileQuestions  # their questions feeding a profile attribute
    open_campaigns: frozenset[str]  # of the deployment: a session there may still be finished


@dataclass(frozen=True, slots=True)
class Member:
    pid: str
    record: ParticipantRecord | None  # None: erased meanwhile
    profile: Profile | None
    invited: Mapping[str, int]  # campaign -> ms they were invited to it
    unfinished: bool  # a survey of an open campaign started and not completed


class PanelReader:
    def __init__(self, redis: Redis, schema: KeySchema) -> None:
        self._redis = redis
        self._schema = schema

    async def shard_members(self, shard: int, scope: Scope) -> list[str]:
        """Everyone of the shard who joined one of the campaigns, once each, in a stable
        order (so a batch is the same people however often it is read)."""
        found: set[str] = set()
        for campaign_id in scope.campaigns:
            for key in (
                self._schema.respondents(shard, campaign_id),
                self._schema.joiners(shard, campaign_id),
            ):
                async for member in self._redis.sscan_iter(key, count=_SCAN):
                    found.add(member.decode() if isinstance(member, bytes) else member)
        return sorted(found)

    async def load(self, pids: Sequence[str], scope: Scope) -> list[Member]:
        """The members named (all of one shard), each with what deciding on their invitation
        needs: one script call for the whole batch (`load_panel.lua`)."""
        if not pids:
            return []
        shard = self._schema.shard_of(pids[0])
        prefixes = self._schema.participant_prefixes(shard, "")
        campaigns = sorted(scope.open_campaigns | set(scope.questions))
        replies: Any = await LOAD_PANEL(
            self._redis,
            [self._schema.participant(pids[0])],
            [
                prefixes["p"],
                prefixes["iv"],
                f"{self._schema.tag(shard)}:s:",
                len(campaigns),
                *campaigns,
                *pids,
            ],
        )
        members = []
        for pid, (fields, invited, sessions) in zip(pids, replies, strict=True):
            record = _record(pid, _pairs(fields))
            read = {
                campaign: session
                for campaign, raw in zip(campaigns, sessions, strict=False)
                if (session := _session(raw)) is not None
            }
            members.append(_member(pid, record, _invited(_pairs(invited)), read, scope))
        return members


def _pairs(flat: list[bytes]) -> dict[bytes, bytes]:
    return dict(zip(flat[0::2], flat[1::2], strict=True))


def _record(pid: str, fields: dict[bytes, bytes]) -> ParticipantRecord | None:
    if not all(name in fields for name in _REQUIRED):
        return None
    return ParticipantRecord.from_fields(pid, fields)


def _invited(fields: dict[bytes, bytes]) -> dict[str, int]:
    return {k.decode(): int(v) for k, v in fields.items() if v.isdigit()}


def _session(raw: bytes | None) -> Session | None:
    if not raw:  # none (the script's false arrives as None)
        return None
    try:
        return decode_session(raw)
    except SessionFormatError:  # unreadable: says nothing of their profile or progress
        return None


def _member(
    pid: str,
    record: ParticipantRecord | None,
    invited: dict[str, int],
    sessions: dict[str, Session],
    scope: Scope,
) -> Member:
    if record is None:
        return Member(pid, None, None, invited, unfinished=False)
    ours = {c: s for c, s in sessions.items() if c in scope.questions}
    profile = profile_of(record.language, record.channel, ours, scope.questions)
    unfinished = any(
        session.status is not SessionStatus.COMPLETED and campaign in scope.open_campaigns
        for campaign, session in sessions.items()
    )
    return Member(pid, record, profile, invited, unfinished)
