"""A web chat participant's conversation, rebuilt when the page is built.

Nothing of what the survey says is stored per participant: the introduction, the questions, the
participant's answers and the thanks are rebuilt from the survey, the session and the stored
answers, in the participant's current language. Only notices that cannot be rebuilt come from
their inbox (bot.conversation.inbox). So a participant who comes back later sees the whole survey as
they answered it, then what they were told since.

A notice's menu shows as buttons under it while it can still be meant: the reactions under a
decision notice always (a decision stays open to them), any other menu (help, language, delete,
campaigns) only while its notice is the last thing on the page. Such a menu answers what was
just asked; once the participant moved on, what a typed number picks is gone too, and buttons
left above ("Yes, delete all" over "Nothing was deleted.") would only confuse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from redis.asyncio import Redis

from bot.conversation.campaign import Campaign
from bot.conversation.decisions.reaction import REACT
from bot.conversation.inbox import Notice, open_notice
from bot.conversation.outgoing import MenuItem
from bot.conversation.participants import Stage, hidden_since
from bot.conversation.stored_answers import read_answers
from bot.conversation.stored_sessions import decode_session
from bot.privacy import DecryptionError, ParticipantCrypto, ParticipantId, decrypt_field, field_aad
from bot.records.campaigns import CampaignStore
from bot.storage.keys import KeySchema
from dialogues import QuestionKind, Session, SessionStatus, Survey
from dialogues.expressions import evaluate
from dialogues.localization import Catalog
from dialogues.model import Question
from dialogues.prompts import previous_answer

SHOWN_NOTICES = 80  # the latest notices read for a page; the page budget cuts further


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    mine: bool = False  # the participant's own answer
    menu: tuple[MenuItem, ...] = ()  # buttons shown under it


@dataclass(frozen=True, slots=True)
class Chat:
    """What a participant's page shows, as loaded from Redis."""

    language: str
    campaign: Campaign | None
    session: Session | None
    lines: list[Line]
    stage: Stage = Stage.NONE  # what their next message answers, outside the survey
    hidden: bool = False  # left with a quick exit: the page shows nothing of theirs


def conversation(
    survey: Survey | None,
    session: Session | None,
    free_texts: Mapping[str, str],
    notices: Sequence[Notice],
    catalog: Catalog,
) -> list[Line]:
    """The introduction; each question dealt with, in survey order, with the notices given
    while it awaited an answer, then the answer; the thanks once completed; the other notices
    (of no question: loop closure, a closed survey); and last the question awaiting an answer,
    with its notices (an answer not understood), right above its form. Menus that can no
    longer be meant are left out (module docstring)."""
    return _live_menus(_lines(survey, session, free_texts, notices, catalog))


def _lines(
    survey: Survey | None,
    session: Session | None,
    free_texts: Mapping[str, str],
    notices: Sequence[Notice],
    catalog: Catalog,
) -> list[Line]:
    if survey is None or session is None or session.survey_id != survey.id:
        return [_said(notice) for notice in notices]
    language = session.language
    completed = session.status is SessionStatus.COMPLETED
    awaiting = None if completed or session.current is None else survey.question(session.current)
    by_question: dict[str | None, list[Line]] = {}
    for notice in notices:
        by_question.setdefault(notice.question_id, []).append(_said(notice))
    placed: set[str | None] = {awaiting.id} if awaiting is not None else set()
    lines = [Line(_introduction(survey, language))]
    reached = _reached(survey, session, awaiting)
    for index, question in enumerate(survey.questions):
        if question is awaiting:
            continue  # shown last, above its form
        if question.kind is QuestionKind.INFO:
            if index < reached and _relevant(question, session):
                lines.append(Line(survey.text(question.text, language)))
        elif session.has_answer(question.id):
            lines.append(Line(survey.text(question.text, language)))
            lines += by_question.get(question.id, [])
            placed.add(question.id)
            answer = previous_answer(survey, question, session, catalog)
            answer = answer if answer is not None else free_texts.get(question.id)
            if answer is not None:
                lines.append(Line(answer, mine=True))
    if completed:
        lines.append(Line(_thanks(survey, language, catalog)))
    lines += [_said(n) for n in notices if n.question_id not in placed]
    if awaiting is not None:
        lines.append(Line(survey.text(awaiting.text, language)))
        lines += by_question.get(awaiting.id, [])
    return lines


def _said(notice: Notice) -> Line:
    return Line(notice.text, menu=notice.menu)


def _live_menus(lines: list[Line]) -> list[Line]:
    last = len(lines) - 1
    return [
        line if place == last or _lasting(line.menu) else replace(line, menu=())
        for place, line in enumerate(lines)
    ]


def _lasting(menu: tuple[MenuItem, ...]) -> bool:
    """Reactions to a decision mean the same whenever they are pressed."""
    return all(item.command == REACT for item in menu)


def _introduction(survey: Survey, language: str) -> str:
    """As the survey opened (the engine's SurveyStarted): title, introduction, promise."""
    parts = [survey.text(survey.title, language)]
    if survey.intro:
        parts.append(survey.text(survey.intro, language))
    parts.append(survey.text(survey.promise, language))
    return "\n\n".join(parts)


def _thanks(survey: Survey, language: str, catalog: Catalog) -> str:
    """As the survey closed (the engine's SurveyCompleted): thanks, then the promise."""
    thanks = (
        survey.text(survey.thanks, language)
        if survey.thanks
        else catalog.message("survey.thanks", language)
    )
    return f"{thanks}\n\n{survey.text(survey.promise, language)}"


def _reached(survey: Survey, session: Session, awaiting: Question | None) -> int:
    """How far into the survey the participant got: the information items before that point
    were shown to them."""
    if session.status is SessionStatus.COMPLETED:
        return len(survey.questions)
    positions = [i for i, q in enumerate(survey.questions) if session.has_answer(q.id)]
    reached = max(positions, default=-1) + 1
    if awaiting is not None:
        reached = max(reached, survey.position(awaiting.id) or 0)
    return reached


def _relevant(question: Question, session: Session) -> bool:
    return question.relevant is None or evaluate(
        question.relevant, session.values, session.answered
    )


async def load_chat(
    participant_id: str,
    *,
    redis: Redis,
    schema: KeySchema,
    crypto: ParticipantCrypto,
    campaigns: CampaignStore,
    catalog: Catalog,
) -> Chat | None:
    """A participant's page as stored: two round trips. None for an unknown or erased
    participant (their data key is gone: nothing of theirs can be read, as they asked)."""
    pipe = redis.pipeline(transaction=False)
    pipe.hmget(schema.participant(participant_id), ["wk", "lang", "cid", "stg", "hid"])
    pipe.lrange(schema.webchat_inbox(participant_id), -SHOWN_NOTICES, -1)
    (wrapped, language, campaign_id, stage, hidden), sealed = await pipe.execute()
    if wrapped is None:
        return None
    if hidden_since(hidden):  # nothing is opened, nothing is shown
        return Chat(language.decode(), None, None, [], hidden=True)
    try:
        data_key = crypto.unwrap_data_key(wrapped)
    except DecryptionError:
        return None
    notices = [n for item in sealed if (n := open_notice(item, participant_id, data_key))]
    campaign = await campaigns.get(campaign_id.decode()) if campaign_id else None
    session, free_texts = None, {}
    if campaign is not None:
        pipe = redis.pipeline(transaction=False)
        pipe.get(schema.session(participant_id, campaign.id))
        pipe.hgetall(schema.answers(participant_id, campaign.id))
        raw_session, answers = await pipe.execute()
        session = decode_session(raw_session) if raw_session else None
        free_texts = _free_texts(answers, participant_id, campaign.id, data_key)
    survey = campaign.survey if campaign is not None else None
    lines = conversation(survey, session, free_texts, notices, catalog)
    return Chat(language.decode(), campaign, session, lines, Stage((stage or b"").decode()))


def _free_texts(
    answers: dict[bytes, bytes], participant_id: str, campaign_id: str, data_key: bytes
) -> dict[str, str]:
    """The participant's free-text answers, sealed in their answers hash
    (bot.conversation.stored_answers)."""
    texts = {}
    for question_id, stored in read_answers(answers).items():
        if stored.sealed is not None:
            aad = field_aad(ParticipantId(participant_id), f"answer:{campaign_id}:{question_id}")
            texts[question_id] = decrypt_field(data_key, stored.sealed, aad)
    return texts
