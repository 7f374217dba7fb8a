"""Every operation of the JSON API, one module per resource. A new resource is a module with its
own `operations` and one line here."""

from __future__ import annotations

from bot.api.declare import Operation
from bot.api.operations import campaigns, cases, me, responses


def all_operations() -> tuple[Operation, ...]:
    return (
        *me.operations.declared,
        *campaigns.operations.declared,
        *responses.operations.declared,
        *cases.operations.declared,
    )
