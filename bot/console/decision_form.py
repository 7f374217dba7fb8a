"""Composing a decision in the browser: one fieldset per campaign language (title, message,
rationale, what changes), the linking rule built by ticking questions' options and themes,
and the completeness check with a link to each missing field. The form is sent to the API's
composeDecision, which stores it as the decision file it stands for: what the page saved is
what an upload of that file would have saved."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.access.roles import Permission
from bot.api.operations.decision_compose import DecisionChoicesOut
from bot.api.operations.decision_models import DecisionDetailOut, LinkIn, PickIn
from bot.api.problems import INVALID_DECISION, INVALID_REQUEST, NOT_FOUND, ApiError
from bot.console.decisions import STATUS_LABELS, labels
from bot.console.declare import Pages
from bot.console.i18n import Language
from bot.console.problems import what_is_wrong
from bot.console.view import Form, View
from bot.conversation.decisions.decision import DECISION_ID, DecisionStatus
from dialogues.model import NUMERIC_KINDS, QuestionKind

pages = Pages()
NEW = "/console/campaigns/{campaign_id}/decisions/new"
EDIT = "/console/campaigns/{campaign_id}/decisions/{decision_id}/edit"
TEXTS = ("title", "message", "rationale", "changes", "you_told_us")
RESERVED_IDS = ("new",)  # the console's own page names


@dataclass
class Values:
    """What the form shows: a stored decision's, or what was just posted."""

    decision_id: str = ""
    status: str = DecisionStatus.ADOPTED.value
    effective: str = ""
    texts: dict[str, dict[str, str]] = field(default_factory=lambda: {key: {} for key in TEXTS})
    options: set[tuple[str, str]] = field(default_factory=set)  # (question, option) ticked
    every: set[str] = field(default_factory=set)  # multiple choice: all the ticked ones
    at_least: dict[str, str] = field(default_factory=dict)
    at_most: dict[str, str] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)
    themes: set[str] = field(default_factory=set)
    match: str = "any"
    responses: str = ""  # one response id a line


@dataclass(frozen=True, slots=True)
class Located:
    """A mistake, and the id of the field it is about (for its link)."""

    location: str
    message: str
    anchor: str


def stored_values(decision: DecisionDetailOut) -> Values:
    values = Values(
        decision_id=decision.id,
        status=decision.status.value,
        effective=decision.effective.isoformat() if decision.effective else "",
    )
    for key, texts in (
        ("title", decision.title),
        ("message", decision.message),
        ("rationale", decision.rationale),
        ("changes", decision.changes),
        ("you_told_us", decision.you_told_us),
    ):
        values.texts[key] = dict(texts or {})
    link = decision.link
    if link is not None:
        values.match = link.match
        values.responses = "\n".join(link.responses)
        for pick in link.picks:
            if pick.theme:
                values.themes.add(pick.theme)
            elif pick.question:
                _add_pick(values, pick.question, pick)
    return values


def _add_pick(values: Values, question: str, pick: Any) -> None:
    values.options |= {(question, option) for option in pick.options}
    if pick.every:
        values.every.add(question)
    if pick.at_least is not None:
        values.at_least[question] = _number(pick.at_least)
    if pick.at_most is not None:
        values.at_most[question] = _number(pick.at_most)
    if pick.answered:
        values.answered.add(question)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def posted_values(form: Form, choices: DecisionChoicesOut) -> Values:
    values = Values(
        decision_id=form.get("decision_id").strip(),
        status=form.get("status"),
        effective=form.get("effective").strip(),
        match="all" if form.get("match") == "all" else "any",
        responses=form.get("responses"),
    )
    for key in TEXTS:
        values.texts[key] = {
            language: form.get(f"{key}-{language}") for language in choices.languages
        }
    for question in choices.questions:
        qid = question.id
        values.options |= {(qid, option) for option in form.getall(f"option-{qid}")}
        if form.get(f"every-{qid}") == "yes":
            values.every.add(qid)
        for bound, found in ((values.at_least, "least"), (values.at_most, "most")):
            given = form.get(f"{found}-{qid}").strip()
            if given:
                bound[qid] = given
        if form.get(f"answered-{qid}") == "yes":
            values.answered.add(qid)
    values.themes = {theme for theme in form.getall("theme") if theme in choices.themes}
    return values


def compose_body(values: Values, choices: DecisionChoicesOut) -> dict[str, Any]:
    """The composeDecision body the form stands for (the API validates it)."""
    picks: list[dict[str, Any]] = []
    for question in choices.questions:
        qid = question.id
        ticked = [o.id for o in question.options if (qid, o.id) in values.options]
        if ticked:
            picks.append({"question": qid, "options": ticked, "every": qid in values.every})
        if qid in values.at_least or qid in values.at_most:
            picks.append(
                {"question": qid}
                | ({"at_least": values.at_least[qid]} if qid in values.at_least else {})
                | ({"at_most": values.at_most[qid]} if qid in values.at_most else {})
            )
        if qid in values.answered:
            picks.append({"question": qid, "answered": True})
    picks += [{"theme": theme} for theme in sorted(values.themes)]
    body: dict[str, Any] = {
        "status": values.status,
        **{key: {k: v for k, v in values.texts[key].items() if v.strip()} for key in TEXTS},
        "link": {
            "picks": picks,
            "match": values.match,
            "responses": [line.strip() for line in values.responses.splitlines() if line.strip()],
        },
    }
    if values.effective:
        body["effective"] = values.effective
    return body


def kept_link(decision: DecisionDetailOut | None, choices: DecisionChoicesOut) -> LinkIn | None:
    """The stored rule when the form cannot show it exactly (two ranges of one scale, parts of
    an `all` on one question, `answered: false`, a theme of one question...): saving the form
    then keeps the stored rule as it is, rather than the form's nearest guess at it."""
    if decision is None or decision.link is None:
        return None
    shown = _as_shown(stored_values(decision), choices)
    if same_link(compose_body(shown, choices)["link"], decision.link):
        return None
    return decision.link


def same_link(body: dict[str, Any], stored: LinkIn) -> bool:
    """Whether the form's link means the stored rule: the same picks (in any order, options
    in any order) with the same any/all when it matters, and the same response ids."""
    try:
        given = LinkIn.model_validate(body)
    except ValidationError:
        return False
    if Counter(map(_pick_key, given.picks)) != Counter(map(_pick_key, stored.picks)):
        return False
    if len(stored.picks) > 1 and given.match != stored.match:
        return False
    return given.responses == stored.responses


def _pick_key(pick: PickIn) -> tuple[object, ...]:
    return (
        pick.question or None,
        frozenset(pick.options),
        pick.every,
        pick.at_least,
        pick.at_most,
        pick.answered,
        pick.theme or None,
    )


def _as_shown(values: Values, choices: DecisionChoicesOut) -> Values:
    """Only what the form's fields show of `values` (what an untouched save sends back)."""
    kinds = {question.id: question.kind for question in choices.questions}
    numeric = {qid for qid, kind in kinds.items() if kind in NUMERIC_KINDS}
    return replace(
        values,
        every={qid for qid in values.every if kinds.get(qid) is QuestionKind.MULTIPLE_CHOICE},
        at_least={qid: v for qid, v in values.at_least.items() if qid in numeric},
        at_most={qid: v for qid, v in values.at_most.items() if qid in numeric},
        answered={
            qid for qid in values.answered if qid in numeric or kinds.get(qid) is QuestionKind.TEXT
        },
        themes=values.themes & set(choices.themes),
    )


def pick_text(view: View, pick: PickIn) -> str:
    """A stored pick in words, for a rule the form shows read-only."""
    if pick.theme:
        if pick.question:
            return view.gettext(
                "answers to %(question)s tagged %(theme)s", question=pick.question, theme=pick.theme
            )
        return view.gettext("answers tagged %(theme)s", theme=pick.theme)
    question = pick.question or ""
    if pick.answered is not None:
        if pick.answered:
            return view.gettext("answered %(question)s", question=question)
        return view.gettext("did not answer %(question)s", question=question)
    if pick.options:
        options = ", ".join(pick.options)
        if pick.every:
            return view.gettext(
                "%(question)s: all of %(options)s", question=question, options=options
            )
        return view.gettext("%(question)s: one of %(options)s", question=question, options=options)
    low = "" if pick.at_least is None else _number(pick.at_least)
    high = "" if pick.at_most is None else _number(pick.at_most)
    return view.gettext(
        "%(question)s: from %(low)s to %(high)s",
        question=question,
        low=low or "…",
        high=high or "…",
    )


_TEXT_FIELD = re.compile(r"^(?:body\.)?(title|message|rationale|changes|you_told_us)\.([A-Za-z-]+)")


# A pick's mistake as pydantic places it (`link.picks.0.at_least`) or as the decision file's
# reader does (`link.picks[0].options[1]`).
_PICK_FIELD = re.compile(r"^link\.picks(?:\.(\d+)|\[(\d+)\])(?:\.([a-z_]+))?")
_PICK_INPUTS = {"at_least": "least", "at_most": "most", "answered": "answered"}


def located(
    error: ApiError,
    default_language: str,
    picks: list[dict[str, Any]] | None,
    language: Language,
) -> list[Located]:
    """Each mistake with the form field it is about; a mistake in a pick of the rule (`picks`:
    those the form sent, in order; None when the stored rule was kept) at its question."""
    found = []
    for item in error.errors or ():
        location = item.location.removeprefix("body.")
        text = _TEXT_FIELD.match(item.location)
        pick = _PICK_FIELD.match(location)
        if text:
            anchor = f"{text.group(1)}-{text.group(2)}"
        elif location in TEXTS:
            anchor = f"{location}-{default_language}"
        elif pick and picks is not None and int(pick.group(1) or pick.group(2)) < len(picks):
            index = int(pick.group(1) or pick.group(2))
            location, anchor = _pick_place(picks[index], pick.group(3))
        elif location.startswith("link"):
            anchor = "link"
        elif location in ("status", "effective"):
            anchor = location
        else:
            anchor = "decision_id"
        found.append(Located(location, what_is_wrong(item, language), anchor))
    return found


def _pick_place(pick: dict[str, Any], field_name: str | None) -> tuple[str, str]:
    """How a mistake in a pick is named (its question, or theme) and the field it links to."""
    if pick.get("theme"):
        return str(pick["theme"]), "themes"
    question = str(pick.get("question", ""))
    named = f"{question}.{field_name}" if field_name else question
    if field_name in _PICK_INPUTS:
        return named, f"{_PICK_INPUTS[field_name]}-{question}"
    return named, f"question-{question}"


async def _choices(view: View, campaign_id: str) -> DecisionChoicesOut:
    choices: DecisionChoicesOut = await view.invoke(
        "getDecisionChoices", path={"campaign_id": campaign_id}
    )
    return choices


def _render(
    view: View,
    choices: DecisionChoicesOut,
    values: Values,
    *,
    decision: DecisionDetailOut | None,
    problems: list[Located] | None = None,
    saved: bool = False,
) -> web.Response:
    title = view.gettext("Edit the decision") if decision else view.gettext("Compose a decision")
    kept = kept_link(decision, choices)
    return view.render(
        "decision_form.html",
        title,
        status=422 if problems else 200,
        locked=_locked(view) if decision is not None and decision.link is None else None,
        kept=[pick_text(view, pick) for pick in kept.picks] if kept is not None else None,
        kept_link=kept,
        notice=view.gettext("The decision is saved.") if saved else None,
        choices=choices,
        values=values,
        decision=decision,
        problems=problems or [],
        statuses=STATUS_LABELS,
        numeric_kinds=NUMERIC_KINDS,
        option_kinds=(
            QuestionKind.YES_NO,
            QuestionKind.SINGLE_CHOICE,
            QuestionKind.MULTIPLE_CHOICE,
        ),
        multiple=QuestionKind.MULTIPLE_CHOICE,
        text_kind=QuestionKind.TEXT,
        **labels(view),
    )


@pages.get(NEW, permission=Permission.DECISIONS_DRAFT)
async def new_form(view: View) -> web.StreamResponse:
    choices = await _choices(view, view.request.match_info["campaign_id"])
    return _render(view, choices, Values(), decision=None)


@pages.post(NEW, permission=Permission.DECISIONS_DRAFT)
async def create(view: View) -> web.StreamResponse:
    form = await view.form()
    campaign_id = view.request.match_info["campaign_id"]
    choices = await _choices(view, campaign_id)
    values = posted_values(form, choices)
    wrong = _id_problem(view, values.decision_id)
    if wrong is None and await _exists(view, campaign_id, values.decision_id):
        wrong = view.gettext("A decision with this id exists already: edit it instead.")
    if wrong is not None:
        problem = Located("decision_id", wrong, "decision_id")
        return _render(view, choices, values, decision=None, problems=[problem])
    return await _save(view, choices, values, decision=None)


@pages.get(EDIT, permission=Permission.DECISIONS_DRAFT)
async def edit_form(view: View) -> web.StreamResponse:
    info = view.request.match_info
    path = {"campaign_id": info["campaign_id"], "decision_id": info["decision_id"]}
    decision: DecisionDetailOut = await view.invoke("getDecision", path=path)
    choices = await _choices(view, info["campaign_id"])
    saved = view.request.query.get("saved") == "1"
    return _render(view, choices, stored_values(decision), decision=decision, saved=saved)


@pages.post(EDIT, permission=Permission.DECISIONS_DRAFT)
async def update(view: View) -> web.StreamResponse:
    form = await view.form()
    info = view.request.match_info
    path = {"campaign_id": info["campaign_id"], "decision_id": info["decision_id"]}
    decision: DecisionDetailOut = await view.invoke("getDecision", path=path)
    choices = await _choices(view, info["campaign_id"])
    values = posted_values(form, choices)
    values.decision_id = decision.id
    if decision.link is None:  # saving the form would put the ticked answers in its place
        return _render(view, choices, values, decision=decision, problems=[_locked(view)])
    return await _save(view, choices, values, decision=decision)


def _locked(view: View) -> Located:
    return Located(
        "link",
        view.gettext(
            "This decision's rule (a “not”, or groups inside groups) cannot be shown as ticked "
            "answers: change it in its file and upload that instead."
        ),
        "link",
    )


async def _save(
    view: View,
    choices: DecisionChoicesOut,
    values: Values,
    *,
    decision: DecisionDetailOut | None,
) -> web.StreamResponse:
    campaign_id = choices.campaign_id
    path = {"campaign_id": campaign_id, "decision_id": values.decision_id}
    body = compose_body(values, choices)
    picks: list[dict[str, Any]] | None = body["link"]["picks"]
    stored = decision.link if decision is not None else None
    if stored is not None and (
        kept_link(decision, choices) is not None or same_link(body["link"], stored)
    ):
        # Kept as stored: a rule the form cannot show, or one it shows unchanged (its parts'
        # order as stored, so that an untouched save makes no new version).
        body["link"] = stored.model_dump()
        picks = None
    try:
        await view.invoke("composeDecision", path=path, body=body)
    except ApiError as error:
        if error.kind not in (INVALID_DECISION, INVALID_REQUEST):
            raise
        problems = located(error, choices.default_language, picks, view.language)
        return _render(view, choices, values, decision=decision, problems=problems)
    raise view.redirect(
        f"/console/campaigns/{campaign_id}/decisions/{values.decision_id}/edit?saved=1"
    )


def _id_problem(view: View, decision_id: str) -> str | None:
    if not DECISION_ID.match(decision_id) or decision_id in RESERVED_IDS:
        return view.gettext(
            "Give an id of letters, digits, - or _ (at most 32 characters), other than “new”."
        )
    return None


async def _exists(view: View, campaign_id: str, decision_id: str) -> bool:
    path = {"campaign_id": campaign_id, "decision_id": decision_id}
    try:
        await view.invoke("getDecision", path=path)
    except ApiError as error:
        return error.kind is not NOT_FOUND  # one that no longer fits its survey exists too
    return True
