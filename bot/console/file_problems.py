"""The mistakes a survey, XLSForm or decision file's reader finds, said in the console reader's
language.

The readers (`dialogues/`, the XLSForm importer, the decision file's) say each mistake in
English and give it a stable code and parameters (`dialogues.problem_codes`); the API passes
them on in each error item. Here every code has its text, whose `%(name)s` are the mistake's
parameters; a near spelling (`suggestion`) and the place in an expression (`column` of
`expression`) are said around it. An English page says each mistake as the reader wrote it,
word for word what the command line and the API say; a code or parameter this module lacks
falls back to that English too: a mistake is never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.api.problems import ErrorItem, Param
from bot.console.i18n import DEFAULT_LANGUAGE, N_, Language
from dialogues.problem_codes import ProblemCode as C

TEXTS: dict[C, str] = {
    # Any file read as YAML, and the checks every survey and decision file shares.
    C.NOT_YAML: N_("Not valid YAML: %(error)s"),
    C.KEY_NOT_A_WORD: N_("Keys must be plain words"),
    C.DUPLICATE_KEY: N_("“%(key)s” is written twice"),
    C.EMPTY_FILE: N_("The file is empty"),
    C.UNKNOWN_KEY: N_("Unknown key “%(key)s”"),
    C.REQUIRED_KEY: N_("“%(key)s” is required"),
    C.NOT_A_MAPPING: N_("Must be a mapping of keys to values, found %(found)s"),
    C.BAD_ID: N_(
        "%(found)s is not a valid id here: letters, digits, - or _, without spaces, and not "
        "too long"
    ),
    C.NOT_A_BOOLEAN: N_("Must be true or false, found %(found)s"),
    C.NOT_AN_INTEGER: N_("Must be a whole number, found %(found)s"),
    C.OUT_OF_RANGE: N_("Must be from %(low)s to %(high)s, found %(found)s"),
    C.TOO_SMALL: N_("Must be at least %(low)s, found %(found)s"),
    C.NOT_A_NUMBER: N_("Must be a number, found %(found)s"),
    C.NOT_A_DATE: N_("%(found)s is not a date like 2027-03-31"),
    C.NOT_ONE_OF: N_("Must be one of %(expected)s"),
    C.LANGUAGE_UPPER_CASE: N_("Write language codes in lower case: “%(written)s”"),
    C.NOT_A_LANGUAGE_CODE: N_("%(found)s is not a language code like “en”, “sw” or “fr-CD”"),
    C.TEXT_NOT_PER_LANGUAGE: N_("Give the text per language, like %(example)s"),
    C.UNDECLARED_LANGUAGE: N_("“%(language)s” is not one of the languages (%(languages)s)"),
    C.EMPTY_TEXT: N_("Must be a non-empty text"),
    C.TEXT_TOO_LONG: N_("It is %(length)s characters long; the limit is %(limit)s"),
    C.MISSING_TRANSLATION: N_("Missing translation for %(languages)s"),
    # A survey file.
    C.SPEC_VERSION_REQUIRED: N_("“spec_version” is required (this Sauti writes %(current)s)"),
    C.SPEC_VERSION_NEWER: N_(
        "spec_version %(version)s is newer than this Sauti understands (up to %(current)s): "
        "upgrade Sauti to load this file"
    ),
    C.UNKNOWN_V0_TYPE: N_("Unknown type “%(kind)s” (spec_version 0)"),
    C.NOT_YES_OR_NO: N_("Must be yes or no (true or false)"),
    C.LANGUAGES_NOT_A_LIST: N_("Must be a list of language codes, like [en, sw]"),
    C.LANGUAGE_TWICE: N_("“%(language)s” is listed twice"),
    C.DEFAULT_NOT_A_LANGUAGE: N_("“%(language)s” is not one of the languages"),
    C.STATUS_NOT_A_LANGUAGE: N_("“%(language)s” is not one of the languages"),
    C.NO_QUESTIONS: N_("Must be a list of at least one question"),
    C.TOO_MANY_QUESTIONS: N_("There are %(count)s questions; the limit is %(limit)s"),
    C.DUPLICATE_QUESTION_ID: N_("Duplicate id “%(id)s” (also used at %(other)s)"),
    C.NOTHING_TO_ANSWER: N_("There is no question that can be answered (only info messages)"),
    C.KEY_OF_ANOTHER_KIND: N_(
        "“%(key)s” does not apply to a %(kind)s question (it belongs to %(kinds)s)"
    ),
    C.INFO_OPTIONAL: N_("An info message has no answer, so it cannot be optional or sensitive"),
    C.UNKNOWN_KIND: N_("Unknown kind “%(kind)s” (kinds: %(kinds)s)"),
    C.RESERVED_ID: N_("“%(id)s” is a word of the relevant language: choose another id"),
    C.EXPRESSION_NOT_TEXT: N_("Must be an expression written as text, like q1 = 'yes'"),
    C.TOO_FEW_OPTIONS: N_("Must be a list of at least 2 options"),
    C.TOO_MANY_OPTIONS: N_("There are %(count)s options; the limit is %(limit)s"),
    C.DUPLICATE_OPTION_ID: N_("Duplicate id “%(id)s”"),
    C.MIN_ABOVE_MAX: N_("min (%(min)s) is larger than max (%(max)s)"),
    C.SCALE_NEEDS_BOUND: N_("A scale needs “%(key)s”, like min: 1 and max: 5"),
    C.MAX_NOT_ABOVE_MIN: N_("max (%(max)s) must be larger than min (%(min)s)"),
    C.SCALE_TOO_LONG: N_("A scale has at most %(limit)s steps (like 0-10); found %(found)s"),
    C.NO_WHOLE_NUMBER: N_(
        "No whole number lies between min (%(min)s) and max (%(max)s): widen them or set "
        "integer: false"
    ),
    C.NOT_A_DATE_BOUND: N_("%(found)s is not a date like 2026-03-31, or %(today)s"),
    C.MAX_BEFORE_MIN: N_("max (%(max)s) is before min (%(min)s)"),
    # A question's `profile` (the panel attribute its answer feeds).
    C.UNKNOWN_PROFILE: N_("Unknown profile attribute %(found)s (attributes: %(attributes)s)"),
    C.PROFILE_OF_KIND: N_("A “%(profile)s” profile comes from a %(kinds)s question"),
    C.PROFILE_TWICE: N_(
        "Questions “%(first)s” and “%(second)s” both feed the “%(profile)s” profile; one "
        "question may"
    ),
    # A campaign's own wording of Sauti's texts (`system_texts`).
    C.NO_SUCH_SYSTEM_TEXT: N_("Sauti has no text “%(key)s” (see its messages.yaml)"),
    C.NOT_A_TEXT: N_("Must be a text (quote it)"),
    C.PLACEHOLDER_MISSING: N_("The placeholder {%(name)s} of Sauti's text is missing"),
    C.PLACEHOLDER_ADDED: N_("The placeholder {%(name)s} is not in Sauti's text: remove it"),
    # A survey's `relevant` expressions.
    C.REFERS_TO_LATER: N_(
        "Refers to “%(question)s”, which is this question or comes after it: relevant can only "
        "use earlier answers"
    ),
    C.UNKNOWN_QUESTION: N_("Refers to unknown question “%(question)s”"),
    C.TESTS_INFO: N_("“%(question)s” is an info message and has no answer to test"),
    C.COMPARES_TEXT: N_(
        "“%(question)s” is a free-text question: its words cannot be compared, use "
        "answered(%(question)s)"
    ),
    C.COMPARES_DATE: N_(
        "“%(question)s” is a date question: only answered(%(question)s) can test it"
    ),
    C.SELECTED_NOT_CHOICE: N_(
        "selected() works on choice questions; “%(question)s” is a %(kind)s question"
    ),
    C.COUNT_NOT_MULTIPLE: N_(
        "count() works on multiple choice questions; “%(question)s” is a %(kind)s question"
    ),
    C.COUNT_NOT_NUMBER: N_("count(%(question)s) compares with a number"),
    C.COMPARES_MULTIPLE: N_(
        "“%(question)s” allows several answers: use selected(%(question)s, 'id') or "
        "count(%(question)s)"
    ),
    C.COMPARES_NUMBER_WITH_TEXT: N_(
        "“%(question)s” is a %(kind)s question: compare it with numbers, like %(question)s >= 4"
    ),
    C.ORDERS_OPTIONS: N_("“%(question)s” is a %(kind)s question: use = or != with an option id"),
    C.COMPARES_OPTION_WITH_NUMBER: N_(
        "“%(question)s” is a %(kind)s question: compare it with a quoted option id"
    ),
    C.UNKNOWN_OPTION: N_("“%(question)s” has no option “%(option)s” (options: %(options)s)"),
    C.UNEXPECTED_CHARACTER: N_("Unexpected character %(found)s"),
    C.EXPECTED_TOKEN: N_("Expected “%(expected)s”, found %(found)s"),
    C.UNJOINED_CONDITIONS: N_("Unexpected %(found)s: join conditions with “and” or “or”"),
    C.SELECTED_NEEDS_OPTION: N_("selected() takes a quoted option id"),
    C.EXPECTED_COMPARISON: N_(
        "Expected a comparison (=, !=, <, <=, >, >=) after “%(question)s”, found %(found)s"
    ),
    C.EXPECTED_QUESTION: N_("Expected a question id, found %(found)s"),
    C.UNQUOTED_OPTION: N_("Option ids must be quoted: write '%(option)s'"),
    C.EXPECTED_VALUE: N_("Expected a quoted option id or a number, found %(found)s"),
    C.EXPECTED_LIST: N_("Expected a list like ('a', 'b') after “in”, found %(found)s"),
    # An XLSForm's expressions (XPath).
    C.ARITHMETIC: N_("Sauti cannot calculate with answers (+, -, *, div, mod)"),
    C.EXPECTED_XPATH_COMPARISON: N_("Expected a comparison (=, !=, <, <=, >, >=)"),
    C.SELECTED_NEEDS_CHOICE: N_("selected() takes an answer and a quoted choice name"),
    C.FUNCTION_NEEDS_ANSWER: N_("%(function)s() takes an answer, like ${q}"),
    C.FUNCTION_NOT_IN_CHAT: N_("Sauti cannot use %(function)s() in chat"),
    C.BARE_NAME: N_(
        "“%(name)s”: refer to a question as ${%(name)s}, and quote a choice name as '%(name)s'"
    ),
    C.EXPECTED_OPERAND: N_(
        "Expected an answer like ${q}, a number or a quoted text, found %(found)s"
    ),
    C.TWO_ANSWERS_COMPARED: N_(
        "Compare one answer with a fixed value: Sauti cannot compare two answers, or two fixed "
        "values"
    ),
    C.EMPTY_ORDERED: N_("Only = and != compare with ''"),
    C.DATE_NEEDS_QUOTED: N_("date() takes a quoted date, like date('2020-01-31')"),
    # An XLSForm.
    C.WORKBOOK_TOO_LARGE: N_(
        "The workbook unpacks to more than %(limit)s MB: not an XLSForm Sauti reads"
    ),
    C.NOT_A_WORKBOOK: N_("Not a readable XLSForm workbook (xlsx or xls): %(error)s"),
    C.NO_SURVEY_SHEET: N_("The workbook has no “survey” sheet"),
    C.LANGUAGE_WITHOUT_CODE: N_(
        "Name the language's code too, like “%(example)s” (en, fr, sw, ...)"
    ),
    C.LABEL_WITHOUT_LANGUAGE: N_(
        "A label column without a language beside columns with one: name its language (like "
        "“label::English (en)”) or set default_language in settings"
    ),
    C.DEFAULT_NOT_A_FORM_LANGUAGE: N_(
        "“%(language)s” is not one of the form's languages (%(languages)s): write it as the "
        "label columns do, like “English (en)”"
    ),
    C.SETTINGS_COLUMN_NEEDED: N_(
        "Sauti needs a column “%(header)s” on the settings sheet (one per language)"
    ),
    C.FORM_ID_NEEDED: N_("Name the campaign in a form_id column"),
    C.SELECT_NEEDS_LIST: N_("Write the type as “%(type)s list_name”"),
    C.OR_OTHER: N_(
        "Write the type as “%(type)s list_name” (“or_other” is not supported: add an “other” "
        "choice)"
    ),
    C.NO_SUCH_LIST: N_("The choices sheet has no list “%(list)s”"),
    C.MEDIA_CHOICE: N_("Sauti cannot show pictures, sound or video as a choice yet"),
    C.RANGE_NOT_NUMBERS: N_("start, end and step must be numbers, like start=1 end=5 step=1"),
    C.FILTER_UNSUPPORTED: N_(
        "Sauti can filter choices only by one earlier answer, like state = ${state}; "
        "“%(filter)s” is not that"
    ),
    C.FILTER_NOT_EARLIER: N_("“%(question)s” is not an earlier select_one question"),
    C.FILTER_MATCHES_NOTHING: N_(
        "No choice of the list has a “%(header)s” equal to an answer of “%(question)s”"
    ),
    C.FILTERED_COMPARED: N_(
        "“%(question)s” offers its choices by an earlier answer: test it with = or selected() only"
    ),
    C.FILTERED_NO_SUCH_CHOICE: N_("No choice of that name is offered by the filtered question"),
    C.NO_TYPE: N_("This row has no type"),
    C.REPEAT: N_("Repeats cannot be asked in chat: ask a fixed number of questions instead"),
    C.CLOSES_NOTHING: N_("“%(type)s” closes nothing"),
    C.GROUP_NOT_ENDED: N_("A group or repeat is begun but never ended"),
    C.NO_NAME: N_("A question needs a name"),
    C.CALCULATE: N_("Sauti cannot calculate values during a chat"),
    C.TYPE_NOT_IN_CHAT: N_("A “%(type)s” question cannot be asked in chat"),
    C.ANSWER_IN_TEXT: N_("Sauti cannot put earlier answers into a text (${...})"),
    C.MEDIA_QUESTION: N_("Sauti cannot send pictures, sound or video with a question yet"),
    C.COLUMN_NOT_IN_CHAT: N_("Sauti cannot use “%(header)s” in chat"),
    C.REQUIRED_NOT_YES_OR_NO: N_("required must be yes or no here; %(found)s is not"),
    C.CONSTRAINT_ON_KIND: N_("Sauti cannot check a constraint on a %(kind)s question"),
    C.CONSTRAINT_NUMBER_ONLY: N_(
        "Sauti can check only limits on the number, like . >= 0 and . <= 120"
    ),
    C.CONSTRAINT_TICKS_ONLY: N_(
        "Sauti can check only how many may be ticked, like count-selected(.) <= 3"
    ),
    C.CONSTRAINT_LENGTH_ONLY: N_(
        "Sauti can check only the answer's length, like string-length(.) <= 200"
    ),
    C.CONSTRAINT_STRICT: N_(
        "Sauti can check only limits on the number, like . >= 0 and . <= 120; write >= or <= "
        "(Sauti's limits include their ends)"
    ),
    C.CONSTRAINT_LEAST_LENGTH: N_(
        "Sauti can check only the answer's length, like string-length(.) <= 200 (at most; a "
        "least length cannot be asked for)"
    ),
    C.CONSTRAINT_DAYS_ONLY: N_(
        "Sauti can check only the earliest and latest day, like . >= date('2020-01-01') and "
        ". <= today()"
    ),
    C.CONSTRAINT_NOT_A_DATE: N_(
        "Sauti can check only the earliest and latest day, like . >= date('2020-01-01') and "
        ". <= today(); %(found)s is not a date like 2020-01-31"
    ),
    # A decision file, and the decision composed in the console.
    C.DECISION_VERSION: N_("This Sauti reads decision files of version %(version)s"),
    C.NO_SUCH_CAMPAIGN: N_("There is no campaign “%(campaign)s” (load it first)"),
    C.RATIONALE_NEEDED: N_("A “%(status)s” decision needs a “rationale”: people are owed why"),
    C.DEFAULT_LANGUAGE_NEEDED: N_("Give at least the campaign's default language (%(language)s)"),
    C.LINK_NEEDED: N_("Link the decision with a “rule”, “responses”, or both"),
    C.RESPONSES_NOT_A_LIST: N_("Must be a list of response ids"),
    C.NOT_A_RESPONSE_ID: N_(
        "%(found)s is not a response id: a participant (p-…, as in exports), optionally "
        "followed by /question_id"
    ),
    C.RESPONSES_NOT_HERE: N_("Response ids cannot be looked up here"),
    C.NAMES_NO_RESPONDENT: N_(
        "“%(response)s” names no respondent of “%(campaign)s” (erased, or from another campaign)"
    ),
    C.FILE_FOR_OTHER_CAMPAIGN: N_("The file is for campaign “%(named)s”, not “%(campaign)s”"),
    C.NOT_THIS_CAMPAIGN: N_("Must be this campaign's id, “%(campaign)s”"),
    C.NO_SUCH_QUESTION: N_("The campaign has no question “%(question)s”"),
    C.GROUP_NOT_ALONE: N_("“%(group)s” stands alone: put “%(key)s” in a rule of its own inside it"),
    C.RULE_NEEDS_SUBJECT: N_(
        "A rule needs “question” (with a condition), “theme”, “all”, “any” or “not”"
    ),
    C.GROUP_NEEDS_LIST: N_("“%(group)s” takes a list of rules"),
    C.NOT_A_QUESTION_ID: N_("Must be a question id"),
    C.RULE_ON_INFO: N_("“%(question)s” is an info message: it has no answers"),
    C.CONDITION_NEEDED: N_("Say what the answer to “%(question)s” must be: %(expected)s"),
    C.ONE_CONDITION: N_(
        "One condition per rule (“%(operator)s” is here): combine rules with all/any"
    ),
    C.NOT_NUMERIC: N_("“%(question)s” is not a number or scale question: use “is” or “includes”"),
    C.AT_MOST_BELOW_AT_LEAST: N_("It is below at_least (%(at_least)s): nobody could match"),
    C.NOT_OPTION_IDS: N_("Must be an option id or a list of option ids"),
    C.USE_INCLUDES: N_("“%(question)s” takes several answers: use “includes” or “includes_all”"),
    C.USE_IS: N_("“%(question)s” takes one answer: use “is”"),
    C.NO_OPTIONS: N_("“%(question)s” has no options: use equals, at_least, at_most or a theme"),
    C.NO_SUCH_OPTION: N_("“%(question)s” has no option “%(option)s”"),
    C.THEME_RULE_KEYS: N_("A theme rule takes only “theme” and “question”"),
    C.THEME_NOT_TEXT: N_(
        "Themes are tagged on free-text answers; “%(question)s” is not a text question"
    ),
    C.PICK_NEEDED: N_("Pick a question or a theme"),
    C.TEXT_LACKING: N_("No “%(field)s” in %(language)s"),
}

# What is said around a mistake's own text.
IN_EXPRESSION = N_("%(mistake)s (at character %(column)s of “%(expression)s”)")
SUGGESTION = N_("%(mistake)s; did you mean “%(suggestion)s”?")
# Words a reader puts in a parameter (what it found instead of a value).
WORDS: dict[str, str] = {
    "nothing": N_("nothing"),
    "a list": N_("a list"),
    "a mapping": N_("a mapping"),
    "the end": N_("the end"),
}
# Where in the file: the whole file, or an XLSForm's sheet, row and column.
THE_FILE = N_("the file")
SHEET = N_("sheet “%(sheet)s”")
SHEET_ROW = N_("sheet “%(sheet)s”, row %(row)s")
SHEET_COLUMN = N_("sheet “%(sheet)s”, column “%(column)s”")
SHEET_ROW_COLUMN = N_("sheet “%(sheet)s”, row %(row)s, column “%(column)s”")


@dataclass(frozen=True, slots=True)
class FileMistake:
    """One mistake of an uploaded file as a page lists it: its line, where, and what."""

    line: int | None
    where: str
    what: str
    path: bool  # `where` is a path in the file (`questions[2].id`), not words


def is_file_code(code: str | None) -> bool:
    """Whether `code` is one a file's reader gives (not a field's, from pydantic)."""
    return code is not None and code in _CODES


def file_mistakes(items: list[ErrorItem], language: Language) -> list[FileMistake]:
    return [
        FileMistake(item.line, where(item, language), said(item, language), _is_path(item))
        for item in items
    ]


def said(item: ErrorItem, language: Language) -> str:
    """What is wrong, in `language`; the reader's English when its code is not known here."""
    if language.code == DEFAULT_LANGUAGE:
        return item.message
    text = _BY_CODE.get(item.code or "")
    params = {name: _word(value, language) for name, value in (item.params or {}).items()}
    mistake = _filled(language, text, params)
    if mistake is None:
        return item.message
    if "expression" in params and "column" in params:
        mistake = _filled(language, IN_EXPRESSION, {**params, "mistake": mistake}) or mistake
    if "suggestion" in params:
        mistake = _filled(language, SUGGESTION, {**params, "mistake": mistake}) or mistake
    return mistake


def where(item: ErrorItem, language: Language) -> str:
    """The place: an XLSForm's sheet, row and column, a survey's path, or the whole file."""
    if language.code == DEFAULT_LANGUAGE:
        return item.location
    if item.sheet:
        place: dict[str, Param] = {"sheet": item.sheet}
        if item.row is not None:
            place["row"] = language.number(item.row)
        if item.column is not None:
            place["column"] = item.column
        form = {
            ("row", "column"): SHEET_ROW_COLUMN,
            ("row",): SHEET_ROW,
            ("column",): SHEET_COLUMN,
        }.get(tuple(key for key in ("row", "column") if key in place), SHEET)
        return language.gettext(form) % place
    if item.location in ("", "(file)", "the file"):
        return language.gettext(THE_FILE)
    return item.location


def _is_path(item: ErrorItem) -> bool:
    return not item.sheet and item.location not in ("", "(file)", "the file")


_CODES = frozenset(code.value for code in C)
_BY_CODE: dict[str, str] = {code.value: text for code, text in TEXTS.items()}


def _word(value: Param, language: Language) -> Param:
    return language.gettext(WORDS[value]) if isinstance(value, str) and value in WORDS else value


def _filled(language: Language, text: str | None, params: Mapping[str, Param]) -> str | None:
    if text is None:
        return None
    try:
        return language.gettext(text) % params
    except (KeyError, TypeError, ValueError):
        return None
