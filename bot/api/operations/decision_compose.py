"""Composing a decision in a form rather than writing its file (bot.conversation.decisions
.compose): the form becomes the decision file, stored exactly as an uploaded one would be; and
what the form offers to pick from (the campaign's languages, questions, options, themes)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.access.roles import Permission
from bot.api.declare import Call, Operations
from bot.api.operations.common import CampaignPath
from bot.api.operations.decision_detail import decision_detail
from bot.api.operations.decision_models import ComposeIn, DecisionPath, PickIn, StoredOut
from bot.api.operations.decisions import campaign_for, decision_tools, invalid_decision
from bot.api.problems import CONFLICT, INVALID_DECISION, NOT_FOUND, ApiError
from bot.conversation.decisions.compose import (
    Draft,
    Pick,
    QuestionPick,
    ThemePick,
    decision_file,
    form_location,
)
from bot.conversation.decisions.decision import DecisionDefinitionError, LoopError
from bot.loop.themes import theme_counts
from dialogues.errors import Problem
from dialogues.localization import builtin_catalog
from dialogues.model import Question, QuestionKind
from dialogues.problem_codes import ProblemCode

operations = Operations()


@operations.add(
    "PUT",
    "/campaigns/{campaign_id}/decisions/{decision_id}",
    "composeDecision",
    "Store a decision composed field by field (a new version when it changed)",
    permission=Permission.DECISIONS_DRAFT,
    path_model=DecisionPath,
    body=ComposeIn,
    response=StoredOut,
    errors=(NOT_FOUND, INVALID_DECISION, CONFLICT),
    tag="decisions",
)
async def compose_decision(call: Call) -> StoredOut:
    """The texts per language and the linking rule as picked parts; stored as the decision
    file they stand for (the same decision `uploadDecision` would store from that file).
    Mistakes come back with every one at its field (`link.picks[0].options[1]`); languages
    still lacking a text are not mistakes, but listed in `incomplete`."""
    path = call.path_as(DecisionPath)
    campaign = await campaign_for(call, path.campaign_id, Permission.DECISIONS_DRAFT)
    body = call.body_as(ComposeIn)
    picks, problems = _picks(body.link.picks)
    if problems:
        raise invalid_decision(problems)
    draft = Draft(
        id=path.decision_id,
        campaign_id=campaign.id,
        status=body.status.value,
        title=body.title,
        message=body.message,
        rationale=body.rationale,
        changes=body.changes,
        you_told_us=body.you_told_us,
        effective=body.effective,
        picks=picks,
        match=body.link.match,
        responses=body.link.responses,
    )
    source = decision_file(draft, campaign.survey)
    try:
        stored, new = (
            await decision_tools(call).ledger().load(source, int(call.services.clock() * 1000))
        )
    except DecisionDefinitionError as error:
        located = [
            Problem(
                form_location(problem.path, len(picks)),
                problem.message,
                code=problem.code,
                params=problem.params,
            )
            for problem in error.problems
        ]
        raise invalid_decision(located) from None
    except LoopError as error:  # its reference is taken (about one in a trillion): rename it
        raise ApiError(CONFLICT, str(error)) from None
    return StoredOut(new_version=new, decision=await decision_detail(call, stored, campaign))


def _picks(given: list[PickIn]) -> tuple[list[Pick], list[Problem]]:
    picks: list[Pick] = []
    problems: list[Problem] = []
    for index, pick in enumerate(given):
        if pick.theme:
            picks.append(ThemePick(pick.theme, pick.question or None))
        elif pick.question:
            picks.append(
                QuestionPick(
                    pick.question,
                    tuple(pick.options),
                    every=pick.every,
                    at_least=pick.at_least,
                    at_most=pick.at_most,
                    answered=pick.answered,
                )
            )
        else:
            problems.append(
                Problem(
                    f"link.picks[{index}]",
                    "pick a question or a theme",
                    code=ProblemCode.PICK_NEEDED,
                )
            )
    return picks, problems


class OptionOut(BaseModel):
    id: str
    label: dict[str, str] = Field(description="per language")


class QuestionChoiceOut(BaseModel):
    """A question a decision can be linked by."""

    id: str
    kind: QuestionKind
    text: dict[str, str] = Field(description="per language")
    options: list[OptionOut] = Field(description="yes/no, single and multiple choice")
    themes: bool = Field(description="a free-text question: its answers carry themes")


class DecisionChoicesOut(BaseModel):
    """What a decision of the campaign can be written in and linked by."""

    campaign_id: str
    languages: list[str]
    default_language: str
    questions: list[QuestionChoiceOut]
    themes: list[str] = Field(description="the themes tagged on the campaign's answers")


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/decision-choices",
    "getDecisionChoices",
    "The languages, questions, options and themes a decision can be composed with",
    permission=Permission.DECISIONS_DRAFT,
    path_model=CampaignPath,
    response=DecisionChoicesOut,
    errors=(NOT_FOUND,),
    tag="decisions",
)
async def get_decision_choices(call: Call) -> DecisionChoicesOut:
    """The questions that have answers (in survey order) and the themes in use, by name:
    what the picks of composeDecision name. No count of people."""
    campaign_id = call.path_as(CampaignPath).campaign_id
    campaign = await campaign_for(call, campaign_id, Permission.DECISIONS_DRAFT)
    survey = campaign.survey
    services = call.services
    themes = await theme_counts(services.redis, services.schema, campaign.id)
    return DecisionChoicesOut(
        campaign_id=campaign.id,
        languages=list(survey.languages),
        default_language=survey.default_language,
        questions=[
            QuestionChoiceOut(
                id=question.id,
                kind=question.kind,
                text=dict(question.text),
                options=_options(question, survey.languages),
                themes=question.kind is QuestionKind.TEXT,
            )
            for question in survey.questions
            if question.answerable
        ],
        themes=sorted(theme for theme, count in themes.items() if count),
    )


def _options(question: Question, languages: tuple[str, ...]) -> list[OptionOut]:
    if question.kind is QuestionKind.YES_NO:  # Sauti's own words, as the participant read them
        catalog = builtin_catalog()
        return [
            OptionOut(
                id=answer,
                label={lang: catalog.message(f"option.{answer}", lang) for lang in languages},
            )
            for answer in ("yes", "no")
        ]
    return [OptionOut(id=option.id, label=dict(option.text)) for option in question.options]
