"""Every operation of the JSON API, one module per resource: `me`, `campaigns`,
`results` (aggregates, small cells withheld; `results_export`, as a file), `responses`,
`cases` (and `case_report`, the desk's report), `loop` (decisions and the loop report),
`decisions` (upload, preview, publish, progress: with `decision_models`, `decision_preview`,
`decision_progress` and `decision_detail`), `decision_compose` (a decision from a form),
`decision_reactions` (what came back), `audit` (the organisation's audit log, and whether its
chain is intact), `staff` (members and roles), `tokens` (API tokens), `themes` (tags on
free-text answers, their counts), `theme_suggestions` (themes suggested for them, accepted or
dismissed), `triage` (the queue of free-text answers and concerns, their flags and links) and
`alerts` (the safety alerts flags raise), `exports` (every response as a file, streamed),
`panels` (the organisation's panel, and invitations of its segments to a campaign);
`common` holds what they share. A new resource is a module with its own `operations` and one
line in `all_operations`."""

from __future__ import annotations

from bot.api.declare import Operation
from bot.api.operations import (
    alerts,
    audit,
    campaigns,
    case_report,
    cases,
    decision_compose,
    decision_reactions,
    decisions,
    exports,
    loop,
    me,
    panels,
    responses,
    results,
    results_export,
    staff,
    theme_suggestions,
    themes,
    tokens,
    triage,
)


def all_operations() -> tuple[Operation, ...]:
    return (
        *me.operations.declared,
        *campaigns.operations.declared,
        *results.operations.declared,
        *results_export.operations.declared,
        *responses.operations.declared,
        *case_report.operations.declared,  # before `cases`: /cases/report is no case
        *cases.operations.declared,
        *loop.operations.declared,
        *decisions.operations.declared,
        *decision_compose.operations.declared,
        *decision_reactions.operations.declared,
        *audit.operations.declared,
        *staff.operations.declared,
        *tokens.operations.declared,
        *themes.operations.declared,
        *theme_suggestions.operations.declared,
        *triage.operations.declared,
        *alerts.operations.declared,
        *exports.operations.declared,
        *panels.operations.declared,
    )
