"""The API's problems said in the console reader's language.

The API answers in English (`detail`, each mistake's `message`); a page says the same from the
problem's stable parts instead: its `code` and parameters (a staff refusal, a case that moved),
else its type (not found, a conflict...), and each mistake of a field from pydantic's error type
(`missing`, `string_too_long`, `enum`...) with the field's label. A code or type this module
does not know still reads in the reader's language: the type's general message, or "this value
is not accepted" for a field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from babel.lists import format_list

from bot.access.membership import Conflict
from bot.api import problems as kinds
from bot.api.problems import ApiError, ErrorItem, Param
from bot.console import file_problems
from bot.console.file_problems import is_file_code
from bot.console.i18n import N_, Language

# Why a change was refused, by the problem's code; `%(name)s` are its parameters.
REASONS: dict[str, str] = {
    Conflict.ALREADY_STAFF: N_("%(email)s is already staff of this organisation."),
    Conflict.OPERATOR_RESETS: N_(
        "%(email)s is also staff of another organisation: a setup link would open that one too, "
        "so only your Sauti operator can reset this account (sauti staff reset)."
    ),
    Conflict.LAST_ADMIN: N_(
        "%(email)s is the last admin of this organisation: make someone else admin first."
    ),
    Conflict.BUSY: N_("Another change to this organisation's staff is under way: try again."),
    "case_changed": N_(
        "Case %(reference)s was changed since this page was opened: look at it again."
    ),
    "case_refused": N_("The case cannot take this step as it stands now."),
    "export_running": N_(
        "An export of your organisation is under way: one at a time. Try again in a minute."
    ),
    "campaign_elsewhere": N_(
        "Another organisation uses this campaign id: give the survey another id."
    ),
    "decision_no_longer_fits": N_(
        "The stored decision no longer fits the campaign's survey: save it again."
    ),
    "staff_refused": N_(
        "This cannot be done: check that the e-mail address is one, and of a member of this "
        "organisation."
    ),
    "token_refused": N_(
        "This token cannot be made: the owner must be staff of this organisation, with a role "
        "at least the token's, for a number of days within the allowed range."
    ),
}

# When the problem has no code of its own (or one this console does not know): by its type.
BY_TYPE: dict[str, str] = {
    kinds.NOT_FOUND.name: N_("There is nothing here, or it belongs to another organisation."),
    kinds.FORBIDDEN.name: N_("Your role in this organisation does not allow this."),
    kinds.CONFLICT.name: N_(
        "This is not in a state that allows this change: reload the page and look again."
    ),
    kinds.INVALID_REQUEST.name: N_("Some fields are not as expected: see below."),
    kinds.INVALID_SURVEY.name: N_("The survey file has mistakes: see below."),
    kinds.INVALID_DECISION.name: N_("The decision has mistakes: see below."),
    kinds.INVALID_CURSOR.name: N_(
        "This list changed, or the link is damaged: start again from its first page."
    ),
    kinds.MISSING_TRANSLATIONS.name: N_(
        "Some of the people to tell read a language without a message."
    ),
    kinds.RATE_LIMITED.name: N_("Too many requests just now: wait a minute and try again."),
    kinds.UNAVAILABLE.name: N_("Sauti cannot answer just now: try again in a minute."),
}
UNKNOWN = N_("This could not be done. Reload the page and try again.")

# A mistake of a field, by pydantic's error type; said after the field's label.
FIELD_MISTAKES: dict[str, str] = {
    "missing": N_("Fill this in."),
    "string_too_short": N_("Write at least %(min_length)s characters."),
    "string_too_long": N_("Write at most %(max_length)s characters."),
    "too_short": N_("Give at least %(min_length)s of them."),
    "too_long": N_("Give at most %(max_length)s of them."),
    "enum": N_("Choose one of %(expected)s."),
    "literal_error": N_("Choose one of %(expected)s."),
    "int_parsing": N_("Write a whole number."),
    "int_type": N_("Write a whole number."),
    "int_from_float": N_("Write a whole number."),
    "float_parsing": N_("Write a number."),
    "greater_than_equal": N_("Give %(ge)s or more."),
    "greater_than": N_("Give more than %(gt)s."),
    "less_than_equal": N_("Give %(le)s or less."),
    "less_than": N_("Give less than %(lt)s."),
    "date_parsing": N_("Write a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": N_("Write a date as YYYY-MM-DD."),
    "date_type": N_("Write a date as YYYY-MM-DD."),
    "bool_parsing": N_("Answer yes or no."),
    "string_type": N_("Write it as text."),
    "string_pattern_mismatch": N_("This is not written as expected."),
    "extra_forbidden": N_("This form takes no such field."),
    # Sauti's own, for a field the operation found wrong.
    "not_accepted": N_("This value is not accepted."),
    "unknown_language": N_("The campaign is not in the language “%(name)s”."),
    "unknown_breakdown": N_("The campaign keeps no breakdown named “%(name)s”."),
    "unknown_answer": N_("This campaign has no answer “%(name)s” to triage."),
    "unknown_decision": N_("This campaign has no decision “%(name)s”."),
    "theme_both_ways": N_("A theme cannot be both added and removed."),
}
FIELD_NOT_ACCEPTED = N_("This value is not accepted.")

MISTAKE_OF_FIELD = N_("%(field)s: %(mistake)s")

# The labels of the fields the console's forms send (by the name the API gives them).
FIELD_LABELS: dict[str, str] = {
    "email": N_("E-mail address"),
    "owner": N_("Owner"),
    "role": N_("Role"),
    "days": N_("Days"),
    "status": N_("Status"),
    "message": N_("Message"),
    "category": N_("Category"),
    "urgency": N_("Urgency"),
    "expected_steps": N_("Steps seen"),
    "actor": N_("Who"),
    "action": N_("What"),
    "from": N_("From"),
    "to": N_("To"),
    "limit": N_("Entries per page"),
    "cursor": N_("Page"),
    "by": N_("Breakdown"),
    "language": N_("Language"),
    "format": N_("Format"),
    "decision_id": N_("Decision id"),
    "title": N_("Title"),
    "rationale": N_("Why"),
    "changes": N_("What changes"),
    "you_told_us": N_("What they told us"),
    "effective": N_("Takes effect"),
    "link": N_("Who to tell"),
    "theme": N_("Theme"),
    "themes": N_("Themes"),
    "version": N_("Version"),
}
_WHERE = ("body", "query", "path")


@dataclass(frozen=True, slots=True)
class Explained:
    """A problem as a page says it: what happened, and each mistake."""

    message: str
    mistakes: list[str]


def explain(error: ApiError, language: Language) -> Explained:
    """`error` in `language`: its code's message, else its type's; each mistake of a field from
    its error type, each of a survey or decision file from its code, with its place."""
    return Explained(
        _said(language, REASONS.get(error.code or ""), error.params)
        or language.gettext(BY_TYPE.get(error.kind.name, UNKNOWN)),
        [mistake(item, language) for item in error.errors or ()],
    )


def mistake(item: ErrorItem, language: Language) -> str:
    """One mistake: of a field, its label and what is wrong; of a file, where and what."""
    if item.code is None:
        return f"{item.location}: {item.message}"
    if is_file_code(item.code):
        return f"{file_problems.where(item, language)}: {file_problems.said(item, language)}"
    return language.gettext(MISTAKE_OF_FIELD) % {
        "field": field_label(item.location, language),
        "mistake": what_is_wrong(item, language),
    }


def what_is_wrong(item: ErrorItem, language: Language) -> str:
    """What is wrong with the field, from its error type (for a mistake a file's reader found,
    from its code: bot.console.file_problems)."""
    if item.code is None:
        return item.message
    if is_file_code(item.code):
        return file_problems.said(item, language)
    params = dict(item.params or {})
    if isinstance(params.get("expected"), str):
        params["expected"] = _choices(str(params["expected"]), language)
    said = _said(language, FIELD_MISTAKES.get(item.code), params)
    return said or language.gettext(FIELD_NOT_ACCEPTED)


def field_label(location: str, language: Language) -> str:
    """The label of the field at `location` (`body.title.fr`: the title), else its name."""
    parts = [part for part in location.split(".") if part not in _WHERE and not part.isdigit()]
    for part in parts:
        if part in FIELD_LABELS:
            return language.gettext(FIELD_LABELS[part])
    return parts[-1] if parts else location


def _choices(expected: str, language: Language) -> str:
    """pydantic's "'a', 'b' or 'c'" as the language lists alternatives."""
    head, _, last = expected.rpartition(" or ")
    values = [*(part for part in head.split(", ") if part), last] if head else [expected]
    return format_list(values, style="or", locale=language.code)


def _said(language: Language, message: str | None, values: Mapping[str, Param]) -> str | None:
    """The message in `language` with its values; None when unknown or a value is lacking."""
    if message is None:
        return None
    try:
        return language.gettext(message) % values
    except (KeyError, TypeError, ValueError):
        return None
