"""Errors of the JSON API as RFC 9457 problem details (`application/problem+json`).

Every answer that is not a success, for every path under /api/v1 — including paths that do not
exist — is a problem with a stable `type` URI from the table below. A client branches on the
type, never on the wording of `detail`. The types are identifiers under `PROBLEM_BASE`, listed
in docs/api.md; they need not resolve.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from dialogues.errors import Problem as FileProblem
from dialogues.xlsform import FormProblem

PROBLEM_BASE = "https://sauti.example/problems/"
PROBLEM_JSON = "application/problem+json"
# A problem's parameter: a name, an address, a figure.
Param = str | int | float


@dataclass(frozen=True, slots=True)
class ProblemType:
    name: str
    status: int
    title: str

    @property
    def uri(self) -> str:
        return PROBLEM_BASE + self.name


UNAUTHORIZED = ProblemType("unauthorized", 401, "Sign in with an API token")
FORBIDDEN = ProblemType("forbidden", 403, "Your role does not allow this")
NOT_FOUND = ProblemType("not-found", 404, "Nothing of that name")
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", 405, "Method not allowed here")
CONFLICT = ProblemType("conflict", 409, "The thing is not in a state that allows this")
BODY_TOO_LARGE = ProblemType("body-too-large", 413, "Request body too large")
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupported-media-type", 415, "Unsupported content type")
MALFORMED_BODY = ProblemType("malformed-body", 400, "The request body cannot be read")
INVALID_CURSOR = ProblemType("invalid-cursor", 400, "The cursor is not one this API gave")
INVALID_REQUEST = ProblemType("invalid-request", 422, "The request does not fit its schema")
INVALID_SURVEY = ProblemType("invalid-survey", 422, "The survey file has mistakes")
INVALID_DECISION = ProblemType("invalid-decision", 422, "The decision file has mistakes")
MISSING_TRANSLATIONS = ProblemType(
    "missing-translations", 409, "Some of the people to tell read a language without a message"
)
UNREVIEWED_TRANSLATIONS = ProblemType(
    "unreviewed-translations", 409, "Some languages are incomplete or not reviewed"
)
RATE_LIMITED = ProblemType("rate-limited", 429, "Too many requests")
INTERNAL = ProblemType("internal", 500, "Something went wrong on our side")
UNAVAILABLE = ProblemType("unavailable", 503, "Sauti cannot reach its storage")

ALL = (
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    CONFLICT,
    BODY_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    MALFORMED_BODY,
    INVALID_CURSOR,
    INVALID_REQUEST,
    INVALID_SURVEY,
    INVALID_DECISION,
    MISSING_TRANSLATIONS,
    UNREVIEWED_TRANSLATIONS,
    RATE_LIMITED,
    INTERNAL,
    UNAVAILABLE,
)
# Problems any operation may answer, whatever it declares.
ALWAYS = (MALFORMED_BODY, INVALID_REQUEST, INTERNAL, UNAVAILABLE)
# And any operation that needs a token.
GUARDED = (UNAUTHORIZED, FORBIDDEN, RATE_LIMITED)


class ErrorItem(BaseModel):
    """One thing wrong with the request or the survey file, and where."""

    model_config = ConfigDict(extra="forbid")

    location: str = Field(description="where: a field's path, or a survey file's path")
    line: int | None = Field(default=None, description="the survey file's line, when known")
    sheet: str | None = Field(default=None, description="an XLSForm's sheet, when there")
    row: int | None = Field(default=None, description="an XLSForm's row number, when there")
    column: str | None = Field(default=None, description="an XLSForm's column, when there")
    message: str
    code: str | None = Field(
        default=None,
        description="the kind of mistake, a stable code: for a field of the request, "
        "pydantic's error types (`missing`, `string_too_long`, `enum`…); for a survey, XLSForm "
        "or decision file, the file reader's (`unknown_key`, `no_such_option`…: docs/api.md)",
    )
    params: dict[str, Param] | None = Field(
        default=None,
        description="what the message names (`max_length`, `key`, `suggestion`…), by name",
    )


def file_error_item(problem: FileProblem) -> ErrorItem:
    """A mistake a survey or decision file's reader found, with its line, code and params."""
    return ErrorItem(
        location=problem.path or "(file)",
        line=problem.line,
        message=problem.message,
        code=str(problem.code),
        params=dict(problem.params) or None,
    )


def form_error_item(problem: FormProblem) -> ErrorItem:
    """A mistake of an XLSForm, at its sheet, row and column, with its code and params."""
    place = problem.location
    return ErrorItem(
        location=str(place),
        sheet=place.sheet or None,
        row=place.row,
        column=place.column,
        message=problem.message,
        code=str(problem.code) if problem.code is not None else None,
        params=dict(problem.params) or None,
    )


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description=f"a stable identifier of the kind of error, {PROBLEM_BASE}…")
    title: str
    status: int
    detail: str
    code: str | None = Field(
        default=None,
        description="why, as a stable code finer than `type` (`already_staff`…), when there is "
        "one: `detail` says it in English, a client may say it in its own words",
    )
    params: dict[str, Param] | None = Field(
        default=None, description="what the code is about (`email`…), by name"
    )
    errors: list[ErrorItem] | None = Field(
        default=None, description="every mistake found (invalid-request, invalid-survey)"
    )


class ApiError(Exception):
    """Raised anywhere below a handler; answered as a problem."""

    def __init__(
        self,
        kind: ProblemType,
        detail: str,
        *,
        errors: list[ErrorItem] | None = None,
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
        params: Mapping[str, Param] | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.errors = errors
        self.headers = dict(headers or {})
        # Why, as a fixed code, and its parameters: the console says it in its reader's
        # language from them (bot.console.problems); `detail` stays the API's English.
        self.code = code
        self.params = dict(params or {})


def problem_response(error: ApiError) -> web.Response:
    body = Problem(
        type=error.kind.uri,
        title=error.kind.title,
        status=error.kind.status,
        detail=error.detail,
        code=error.code,
        params=error.params or None,
        errors=error.errors,
    )
    return web.Response(
        status=error.kind.status,
        body=body.model_dump_json(exclude_none=True).encode(),
        content_type=PROBLEM_JSON,
        headers=error.headers,
    )


def problem_schema() -> dict[str, Any]:
    return Problem.model_json_schema(ref_template="#/components/schemas/{model}")
