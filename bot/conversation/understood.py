"""What a free-form message means when no keyword matched it: the conclusion of `nlu` (made by
the worker before the turn) turned into what the conversation already knows how to handle.

"stop sending me this" becomes the `stop` command, "je veux supprimer mes données" the
`delete` command (which asks for confirmation, as the keyword does), "I don't know" a skip,
"they threatened to kill me" a safety flag. Rules that keep people's own words theirs:

- a message the survey can read as an answer stays an answer (an option labelled "Stop the
  project" is not the stop command), and so does every answer to a free-text question;
- while a question outside the survey waits (confirm deletion, consent, feedback...), its own
  reply reader decides: the model never answers "delete everything?" for them;
- below the model's confidence threshold nothing is guessed: the message goes on as it is, and
  the question (its options) or the menu is shown again for them to choose from;
- while a survey question waits, a message the model takes for a request for help gets that
  question asked again, with how to answer it: what helps there is the question's own hint,
  not the general menu (and a wrong answer the model misreads as "help" is asked again too);
- a safety concern is flagged wherever it is written, even inside an answer or feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from bot.conversation.campaign import Campaign
from bot.conversation.inbound import Answer, Command, InboundEvent
from bot.conversation.participants import ParticipantRecord, Stage
from dialogues import Session
from dialogues.inbound import GoBack, Skip, TextReply
from dialogues.interpret import Refused, interpret_text
from dialogues.localization import builtin_catalog
from dialogues.model import Question, QuestionKind
from dialogues.overrides import campaign_catalog
from nlu import SAFETY, Intent, decided

# Intents that are commands wherever they are said (outside a stage question).
_COMMANDS = {
    "stop": "stop",
    "delete_my_data": "delete",  # "" argument: asks for confirmation first
    "my_data": "mydata",
    "help": "help",
    "feedback": "feedback",
    "quick_exit": "exit",
    "my_cases": "cases",
}


class SafetyFlag(StrEnum):
    """Whether a message was flagged for a person's safety, and what else it is."""

    NONE = ""
    ALONE = "alone"  # not an answer: only the flag (and a word to them) comes of it
    WITH_ANSWER = "answer"  # an answer (free text, feedback): recorded as usual, and flagged


@dataclass(frozen=True, slots=True)
class Understood:
    event: InboundEvent  # the event as the turn should take it
    safety: SafetyFlag = SafetyFlag.NONE


def typed_text(event: InboundEvent) -> str | None:
    """The text of a typed message the model may read: not a slash command (those are exact),
    not a button press."""
    action = event.action
    if not isinstance(action, Answer) or not isinstance(action.input, TextReply):
        return None
    text = action.input.text.strip()
    return text if text and not text.startswith("/") else None


def apply_intent(
    event: InboundEvent,
    intent: Intent,
    *,
    participant: ParticipantRecord | None,
    campaign: Campaign | None,
    session: Session | None,
    threshold: float,
) -> Understood:
    """The event as the turn should take it, given what the model concluded of its text."""
    text = typed_text(event)
    name = decided(intent, threshold)
    if text is None or name is None:
        return Understood(event)
    stage = participant.stage if participant is not None else Stage.NONE
    asked = _asked(campaign, session)
    if name == SAFETY:
        if stage is Stage.NONE and asked is not None and asked[0].kind is not QuestionKind.TEXT:
            question, session, campaign = asked
            if _survey_reads(question, text, session, campaign):
                # One of the question's own answers ("Theft or robbery", "arnaques"): theirs to
                # have chosen, not a message for a person; flagging it would also drop it.
                return Understood(event)
        answers = stage.writing or (asked is not None and asked[0].kind is QuestionKind.TEXT)
        return Understood(event, SafetyFlag.WITH_ANSWER if answers else SafetyFlag.ALONE)
    if stage is not Stage.NONE:
        return Understood(event)  # the stage's own question reads its replies
    if asked is not None:
        question, session, campaign = asked
        if _survey_reads(question, text, session, campaign):
            return Understood(event)
        survey_input = _survey_input(name, question, session.language)
        if survey_input is not None:
            return Understood(replace(event, action=Answer(survey_input)))
        if name == "help":
            return Understood(event)  # the survey asks its question again, saying how to answer
    if name in _COMMANDS:
        return Understood(replace(event, action=Command(_COMMANDS[name])))
    return Understood(event)


def _asked(
    campaign: Campaign | None, session: Session | None
) -> tuple[Question, Session, Campaign] | None:
    """The survey question waiting for their answer, with its session and campaign."""
    if campaign is None or session is None or session.current is None or not campaign.is_open:
        return None
    question = campaign.survey.question(session.current)
    return None if question is None else (question, session, campaign)


def _survey_reads(question: Question, text: str, session: Session, campaign: Campaign) -> bool:
    """Whether the survey takes the text as it is (an answer, or one of its control words):
    then it is theirs to have said, whatever the model makes of it."""
    if question.kind is QuestionKind.TEXT:
        return True
    languages = tuple(str(language) for language in campaign.survey.languages)
    survey = campaign.survey
    catalog = campaign_catalog(survey)
    reading = interpret_text(
        question, text, session.language, languages, catalog, date_order=survey.date_order
    )
    return not isinstance(reading, Refused)


def _survey_input(name: str, question: Question, language: str) -> Skip | GoBack | TextReply | None:
    """The survey action an intent stands for at `question`, if any."""
    if name in ("skip", "dont_know"):
        return Skip()  # a required question says it cannot be skipped
    if name == "back":
        return GoBack()
    if question.kind is QuestionKind.YES_NO and name in ("yes", "no"):
        # The survey's own word for it in their language, read as if they had typed it.
        word = builtin_catalog().word("yes" if name == "yes" else "no", language)
        return TextReply(word)
    return None
