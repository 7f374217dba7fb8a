"""Sauti's pure core: survey definitions, their validation, and the dialogue engine.

Nothing here performs I/O, reads the clock or imports a network library; the shell (`bot/`)
feeds inputs in and turns the returned events into stored answers and messages.
"""

from dialogues.engine import Step, advance, start
from dialogues.errors import DialoguesError, Problem, SurveyDefinitionError
from dialogues.loader import Validation, parse, validate
from dialogues.model import Option, Question, QuestionKind, Survey
from dialogues.session import Session, SessionFormatError, SessionStatus, from_dict, to_dict

__all__ = [
    "DialoguesError",
    "Option",
    "Problem",
    "Question",
    "QuestionKind",
    "Session",
    "SessionFormatError",
    "SessionStatus",
    "Step",
    "Survey",
    "SurveyDefinitionError",
    "Validation",
    "advance",
    "from_dict",
    "parse",
    "start",
    "to_dict",
    "validate",
]
