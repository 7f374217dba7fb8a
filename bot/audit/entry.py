"""One audit record: who did what to which record, when and from where; checked on the way in,
so that nothing said by or about a participant can be recorded by accident.

An audit log is read by more people, and kept far longer, than the data it is about: an entry
that quoted an answer, a free text or a participant id would leak what the log exists to guard.
So a record holds only short, typed facts: an actor and a target of fixed shapes, a count, a
staff member's client address, and a few short details (`str` or `int`). Anything else is
refused with a `ValueError` before it reaches Redis. The checks on details are a guard against
mistakes (a blob, a phone number, a participant id), not a proof that nothing personal passes.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

DetailValue: TypeAlias = str | int

# What an organisation's slug may be: it names keys inside a hash tag (`{o:<slug>}`), so no
# brace, colon or space.
ORG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
OPERATOR = "operator"
STAFF_TARGET = "staff:"
_ACTOR = re.compile(r"operator|staff:[^\s@:]{1,64}@[^\s@:]{1,190}|token:[A-Za-z0-9_-]{1,64}")
_TARGET = re.compile(r"[a-z][a-z_]{0,31}:\S{1,200}")
_DETAIL_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_DETAILS = 8
MAX_DETAIL_CHARS = 64
MAX_INT = 2**53  # exact in every JSON reader an export may meet
# A participant id's shape (bot.privacy.ids): 32 characters of base32, alone.
_PARTICIPANT_ID = re.compile(r"(?<![a-z0-9])[a-z2-7]{32}(?![a-z0-9])")
# A phone number as people write one to be dialled abroad: "+" and 7 to 15 digits (dates and
# stream ids, which have no "+", pass).
_PHONE = re.compile(r"\+(?:[ ().-]{0,2}\d){7,15}")
# The version of the canonical encoding, inside what the hash covers.
ENCODING_VERSION = 1


class AuditAction(StrEnum):
    """What an entry records. Values are stored: never rename one, add new ones."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    SIGN_OUT_EVERYWHERE = "sign_out_everywhere"
    RESPONSES_READ = "responses_read"
    FREE_TEXT_READ = "free_text_read"
    EXPORT_CREATED = "export_created"
    STAFF_ADDED = "staff_added"
    STAFF_REMOVED = "staff_removed"
    ROLE_CHANGED = "role_changed"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    DECISION_PUBLISHED = "decision_published"
    CASE_STEPPED = "case_stepped"
    CAMPAIGN_LOADED = "campaign_loaded"
    CAMPAIGN_OPENED = "campaign_opened"
    CAMPAIGN_CLOSED = "campaign_closed"
    AUDIT_READ = "audit_read"
    RETENTION_ERASED = "retention_erased"  # a campaign's personal-level data, past retention
    RESULTS_EXPORTED = "results_exported"  # aggregate results saved as a file (count: questions)
    CASES_LISTED = "cases_listed"  # the operator's list of an organisation's cases
    TRIAGE_MARKED = "triage_marked"  # a free-text answer flagged urgent / safety, or linked
    ALERT_ACKNOWLEDGED = "alert_acknowledged"  # a safety alert closed by a staff member
    PANEL_INVITED = "panel_invited"  # a panel segment invited to a campaign (count: invited)

    # Someone invited (an account of another organisation) joined, as themselves.
    STAFF_INVITATION_ACCEPTED = "staff_invitation_accepted"
    THEMES_SUGGESTED = "themes_suggested"  # themes suggested, learnt from tagged free text
    THEME_SUGGESTION_DECIDED = "theme_suggestion_decided"  # one accepted or dismissed


def staff_actor(email: str) -> str:
    """The actor of something a staff member did, signed in."""
    return check_actor(f"staff:{email}")


def token_actor(token_id: str) -> str:
    """The actor of something done with an API token (its id, never the token)."""
    return check_actor(f"token:{token_id}")


def check_org(org: str) -> str:
    if not isinstance(org, str) or not ORG.fullmatch(org):
        raise ValueError(f"not an organisation slug: {org!r} (expected {ORG.pattern})")
    return org


def check_actor(actor: str) -> str:
    if not isinstance(actor, str) or not _ACTOR.fullmatch(actor) or not actor.isprintable():
        raise ValueError("an actor is `staff:<email>`, `token:<token id>` or `operator`")
    return actor


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What one entry says. Build one to record with `AuditRecord.checked`; one read back from
    Redis comes from `bot.audit.stored` (and is only as trustworthy as `verify` says)."""

    at_ms: int
    actor: str
    action: str  # an AuditAction's value; a str, so that a newer Sauti's actions still read
    target: str | None = None
    count: int | None = None
    address: str | None = None
    details: Mapping[str, DetailValue] = field(default_factory=dict)

    @classmethod
    def checked(
        cls,
        *,
        at_ms: int,
        actor: str,
        action: AuditAction,
        target: str | None,
        count: int | None,
        address: str | None,
        details: Mapping[str, DetailValue] | None,
    ) -> AuditRecord:
        """A record whose every fact has the shape it must have; `ValueError` otherwise."""
        if not isinstance(action, AuditAction):
            raise ValueError(f"not an audit action: {action!r}")
        return cls(
            at_ms=_checked_int(at_ms, "time"),
            actor=check_actor(actor),
            action=action.value,
            target=None if target is None else _checked_target(target),
            count=None if count is None else _checked_int(count, "count"),
            address=None if address is None else _checked_address(address),
            details=_checked_details(details or {}),
        )

    def canonical(self, org: str) -> bytes:
        """The bytes the chain's hash covers: compact JSON with sorted keys, ASCII only, so any
        JSON library can rebuild them from an export (docs/data-protection.md#audit-log). The
        organisation is in it, so one organisation's entries do not verify in another's log."""
        document = {
            "v": ENCODING_VERSION,
            "org": org,
            "at": self.at_ms,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "count": self.count,
            "address": self.address,
            "details": dict(self.details),
        }
        return canonical_json(document).encode("ascii")


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _checked_int(value: int, what: str) -> int:
    # bool is an int to Python, and True is no count.
    if type(value) is not int or not 0 <= value < MAX_INT:
        raise ValueError(f"the {what} must be a whole number from 0 to 2**53")
    return value


def _checked_target(target: str) -> str:
    if not isinstance(target, str) or not _TARGET.fullmatch(target) or not target.isprintable():
        raise ValueError("a target is `<kind>:<id>` (campaign:…, staff:…, case:…), ≤ 200 chars")
    # A staff member's address is theirs to be named by in their organisation's log (as its
    # actors are): a plus-address with digits or a long local part is no phone number or
    # participant id of someone consulted.
    if not target.startswith(STAFF_TARGET):
        _refuse_personal(target, "the target")
    return target


def _checked_address(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        raise ValueError("the address must be an IP address") from None


def _checked_details(details: Mapping[str, DetailValue]) -> dict[str, DetailValue]:
    if not isinstance(details, Mapping):
        raise ValueError("details must be a mapping of names to short strings or numbers")
    if len(details) > MAX_DETAILS:
        raise ValueError(f"at most {MAX_DETAILS} details")
    checked: dict[str, DetailValue] = {}
    for name, value in details.items():
        if not isinstance(name, str) or not _DETAIL_KEY.fullmatch(name):
            raise ValueError(f"a detail's name must match {_DETAIL_KEY.pattern}")
        checked[name] = _checked_detail(name, value)
    return checked


def _checked_detail(name: str, value: DetailValue) -> DetailValue:
    if type(value) is int:
        return _checked_int(value, f"detail {name}")
    if not isinstance(value, str):
        raise ValueError(f"detail {name}: only short strings and whole numbers are recorded")
    if len(value) > MAX_DETAIL_CHARS or not value.isprintable():
        raise ValueError(f"detail {name}: at most {MAX_DETAIL_CHARS} printable characters")
    _refuse_personal(value, f"detail {name}")
    return value


def _refuse_personal(text: str, what: str) -> None:
    if _PARTICIPANT_ID.search(text):
        raise ValueError(f"{what} looks like it holds a participant id: never recorded")
    if _PHONE.search(text):
        raise ValueError(f"{what} looks like it holds a phone number: never recorded")
