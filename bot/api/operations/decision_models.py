"""The requests and answers of the decisions operations (bot.api.operations.decisions)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.api.operations.common import CAMPAIGN_ID
from bot.api.problems import ErrorItem
from bot.conversation.decisions.decision import DECISION_ID, DecisionStatus
from bot.loop.publisher import PublicationStatus

VERSIONS_SHOWN = 20  # the latest ones: a decision rarely has more, and the list stays bounded


class DecisionPath(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign_id: str = Field(pattern=CAMPAIGN_ID)
    decision_id: str = Field(pattern=DECISION_ID.pattern)


class ProgressQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(
        default=None, ge=1, le=2**31, description="default: the latest published (or latest)"
    )


class PreviewQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current: bool = Field(
        default=False,
        description="true: wait for a count made at the decision's and the results' present "
        "versions (as the publish confirmation does); default: the last count at once",
    )


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allow_missing_translations: bool = Field(
        default=False,
        description="publish although some people to tell read a language without a message: "
        "they are told in the campaign's default language",
    )
    version: int | None = Field(
        default=None,
        ge=1,
        le=2**31,
        description="the version the publisher read and confirmed: refused (409, nothing "
        "sent) when another is the latest by now; none: whichever is the latest",
    )


Text = Annotated[str, Field(max_length=1000)]
Texts = dict[Annotated[str, Field(max_length=16)], Text]


class PickIn(BaseModel):
    """One part of the linking rule. A question with `options` picked (multiple choice: who
    chose any of them; `every`: all of them), or `at_least` / `at_most` (numbers, scales), or
    `answered` (who answered it, or not); or a `theme` tagged on free-text answers (of
    `question`, else of any question)."""

    model_config = ConfigDict(extra="forbid")

    question: str | None = Field(default=None, max_length=64)
    options: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=50)
    every: bool = False
    at_least: float | None = None
    at_most: float | None = None
    answered: bool | None = None
    theme: str | None = Field(default=None, max_length=40)


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    picks: list[PickIn] = Field(default=[], max_length=50)
    match: Literal["any", "all"] = Field(
        default="any", description="linked when any pick holds, or only when all of them do"
    )
    responses: list[Annotated[str, Field(max_length=80)]] = Field(
        default=[], max_length=500, description="response ids as exports give them (p-…[/q])"
    )


class VersionOut(BaseModel):
    version: int
    stored_at: dt.datetime | None
    publication: PublicationStatus | None = Field(description="null: never published")


class PublicationOut(BaseModel):
    """The publication of the latest published version."""

    version: int
    status: PublicationStatus | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class DecisionDetailOut(BaseModel):
    """One decision: its latest version, its versions and what was published."""

    id: str
    campaign_id: str
    ref: str = Field(description="the short reference participants' reaction buttons carry")
    version: int = Field(description="the latest version (versions count from 1)")
    status: DecisionStatus
    title: dict[str, str]
    changes: dict[str, str] | None
    effective: dt.date | None
    message_languages: list[str]
    message: dict[str, str]
    rationale: dict[str, str] | None
    you_told_us: dict[str, str] | None
    link: LinkIn | None = Field(
        description="the linking rule as picked parts (as composeDecision takes them); null: "
        "a rule the picks cannot express (a `not`, nested groups), kept as its file has it. "
        "Its `responses` (pseudonyms) only for a caller with responses:read, audited; empty "
        "for anyone else"
    )
    languages_without_message: list[str] = Field(
        description="campaign languages without a message, a title, or a rationale where one "
        "is owed: publishing refuses while someone to tell reads one of them"
    )
    incomplete: list[ErrorItem] = Field(
        description="the completeness check: each text a campaign language still lacks, at "
        "its field (`title.fr`, `message.sw`, `rationale.ar`)"
    )
    published_version: int = Field(description="0: never published")
    publication: PublicationOut | None
    versions: list[VersionOut] = Field(description=f"the latest {VERSIONS_SHOWN}, newest first")
    linked_answers: int | None = Field(
        default=None,
        description="free-text answers staff linked to it in triage (`listTriage?decision=`); "
        "null: fewer than the minimum cell, withheld",
    )


class StoredOut(BaseModel):
    """The decision as stored, and whether the file made a new version."""

    new_version: bool = Field(description="false: the file is the latest version already")
    decision: DecisionDetailOut


class PublishOut(BaseModel):
    """The publication started (or the one started before); the publisher role sends it."""

    campaign_id: str
    decision_id: str
    version: int
    status: PublicationStatus
    already_published: bool = Field(description="this version was published before: nothing new")
    told: int | None = Field(description="participants the publication tells; null: withheld")


class ChannelProgressOut(BaseModel):
    """Participants of one channel; null: withheld."""

    channel: str
    planned: int | None
    queued: int | None
    delayed: int | None = Field(description="held for quiet hours or the weekly budget")
    released: int | None = Field(description="of the delayed, sent since")


class ProgressOut(BaseModel):
    """How far a publication has come, and an ETA at the channels' rates. Counts of people
    are null when withheld as small cells (or to protect one)."""

    campaign_id: str
    decision_id: str
    version: int
    status: str = Field(description="planning, refused, publishing, done, or not published")
    planning_done: bool
    to_tell: int | None
    channels: list[ChannelProgressOut]
    not_told: dict[str, int | None] = Field(
        description="by reason, those delayed and then not told after all included"
    )
    outbox_backlog: int | None = Field(description="bulk notices of every publication not yet sent")
    waiting: int | None = Field(description="notices of every publication held for later")
    next_due_at: dt.datetime | None
    sent: int | None = Field(
        description="notices handed to their channel so far (queued, or released after "
        "waiting) of `to_tell`; null: withheld"
    )
    eta_seconds: float = Field(
        description="until the rest has gone at the channels' send rates (quiet hours and "
        "weekly budgets aside)"
    )
    eta_at: dt.datetime | None = Field(description="when that is; null: nothing left to send")


class ComposeIn(BaseModel):
    """A decision as the console's form gives it; empty texts count as not given."""

    model_config = ConfigDict(extra="forbid")

    status: DecisionStatus
    title: Texts = Field(description="per language")
    message: Texts = Field(description="per language")
    rationale: Texts = Field(default={}, description="per language; owed when not adopted")
    changes: Texts = {}
    you_told_us: Texts = {}
    effective: dt.date | None = None
    link: LinkIn
