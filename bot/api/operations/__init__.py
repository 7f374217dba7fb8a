"""Every operation of the JSON API, one module per resource: `me`, `campaigns`,
`results` (aggregates, small cells withheld), `responses`, `cases`, `loop` (decisions and the
loop report), `audit` (the organisation's audit log); `common` holds what they share. A new
resource is a module with its own `operations` and one line in `all_operations`."""

from __future__ import annotations

from bot.api.declare import Operation
from bot.api.operations import audit, campaigns, cases, loop, me, responses, results


def all_operations() -> tuple[Operation, ...]:
    return (
        *me.operations.declared,
        *campaigns.operations.declared,
        *results.operations.declared,
        *responses.operations.declared,
        *cases.operations.declared,
        *loop.operations.declared,
        *audit.operations.declared,
    )
