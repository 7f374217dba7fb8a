"""Cursor pagination: every list of the API is read a page at a time.

A cursor is opaque to clients: the position after the last item of a page, as base64url JSON,
naming the list it belongs to so that a cursor of one list (or one campaign's responses) is
refused by another. It carries no personal data — positions only.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.api.problems import INVALID_CURSOR, ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR = 512


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items per page")
    cursor: str | None = Field(
        default=None, max_length=MAX_CURSOR, description="`next_cursor` of the page before"
    )


def encode_cursor(of: str, position: dict[str, Any]) -> str:
    raw = json.dumps({"of": of, **position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(of: str, cursor: str) -> dict[str, Any]:
    """The position a cursor of list `of` names; a 400 problem for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        position = None
    if not isinstance(position, dict) or position.get("of") != of:
        raise ApiError(INVALID_CURSOR, "that cursor is not one of this list: start again")
    return position


def position_field(position: dict[str, Any], name: str, kind: type) -> Any:
    value = position.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ApiError(INVALID_CURSOR, "that cursor is damaged: start again")
    return value
