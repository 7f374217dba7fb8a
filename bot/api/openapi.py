"""The OpenAPI 3.1 document of the API, made from the operations' declarations and pydantic's
JSON schemas of their models (OpenAPI 3.1's schemas are JSON Schema 2020-12, which is what
pydantic writes). Each operation carries the permission it needs as `x-sauti-permission`
("public" for none), so that tests and clients can read the access policy from the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel

from bot.api.declare import PUBLIC, EventsResponse, FileResponse, Operation, TextBody
from bot.api.problems import (
    ALWAYS,
    BODY_TOO_LARGE,
    GUARDED,
    PROBLEM_JSON,
    UNSUPPORTED_MEDIA_TYPE,
    Problem,
    ProblemType,
)

VERSION = "1.0.0"
_REF = "#/components/schemas/{model}"

Mode = Literal["validation", "serialization"]


class _Components:
    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def ref(self, model: type[BaseModel], mode: Mode) -> dict[str, str]:
        self.schemas[model.__name__] = self.inline(model, mode)
        return {"$ref": _REF.format(model=model.__name__)}

    def inline(self, model: type[BaseModel], mode: Mode) -> dict[str, Any]:
        schema = model.model_json_schema(ref_template=_REF, mode=mode)
        self.schemas.update(schema.pop("$defs", {}))
        return schema


def document(operations: Sequence[Operation], *, server: str) -> dict[str, Any]:
    components = _Components()
    problem = components.ref(Problem, "serialization")
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(
            operation, components, problem
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sauti API",
            "version": VERSION,
            "description": "An organisation's campaigns, responses and grievance cases. "
            "Errors are RFC 9457 problem details; lists are cursor-paginated.",
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.schemas.items())),
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "sauti_<id>_<secret>",
                    "description": "An API token: `sauti token create EMAIL --org SLUG`",
                }
            },
        },
    }


def _operation(
    operation: Operation, components: _Components, problem: dict[str, str]
) -> dict[str, Any]:
    described: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "x-sauti-permission": operation.permission.value,
        "x-sauti-owner": operation.owner.value,
        "security": [] if operation.permission is PUBLIC else [{"token": []}],
        "parameters": [
            *_parameters(operation.path_model, "path", components),
            *_parameters(operation.query, "query", components),
        ],
        "responses": {
            str(operation.status): _success(operation, components),
            **_problems(operation, problem),
        },
    }
    if operation.description:
        described["description"] = operation.description
    if operation.body is not None:
        described["requestBody"] = _request_body(operation.body, operation, components)
    return described


def _success(operation: Operation, components: _Components) -> dict[str, Any]:
    answer = operation.response
    if isinstance(answer, EventsResponse):
        return {
            "description": answer.description,
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    if isinstance(answer, FileResponse):
        return {
            "description": answer.description,
            "content": {
                media: {"schema": _file_schema(answer, media, components)}
                for media in answer.media_types
            },
            "headers": {
                "Content-Disposition": {
                    "schema": {"type": "string"},
                    "description": 'attachment; filename="…": a file to save',
                }
            },
        }
    return {
        "description": answer.__doc__ or operation.summary,
        "content": {"application/json": {"schema": components.ref(answer, "serialization")}},
    }


def _file_schema(answer: FileResponse, media: str, components: _Components) -> dict[str, Any]:
    if media == "application/json" and answer.json_model is not None:
        return components.ref(answer.json_model, "serialization")
    return {"type": "string"}


def _parameters(
    model: type[BaseModel] | None, where: str, components: _Components
) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = components.inline(model, "validation")
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "in": where,
            "required": where == "path" or name in required,
            "schema": {key: value for key, value in field.items() if key != "description"},
            **({"description": field["description"]} if "description" in field else {}),
        }
        for name, field in schema.get("properties", {}).items()
    ]


def _request_body(
    body: type[BaseModel] | TextBody, operation: Operation, components: _Components
) -> dict[str, Any]:
    if isinstance(body, TextBody):
        text = {"type": "string", "maxLength": operation.max_body_bytes}
        content = {media: {"schema": text} for media in body.media_types}
        # OpenAPI 3.1: a file's bytes are a string of that media type, not JSON text.
        content |= {
            media: {"schema": {"type": "string", "contentMediaType": media}}
            for media in body.binary_media_types
        }
        return {"required": True, "description": body.description, "content": content}
    return {
        "required": True,
        "content": {"application/json": {"schema": components.ref(body, "validation")}},
    }


def _problems(operation: Operation, problem: dict[str, str]) -> dict[str, Any]:
    kinds: list[ProblemType] = [*operation.errors, *ALWAYS]
    if operation.permission is not PUBLIC:
        kinds += GUARDED
    if operation.body is not None:
        kinds += [BODY_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE]
    by_status: dict[int, list[ProblemType]] = {}
    for kind in kinds:
        if kind not in by_status.get(kind.status, []):
            by_status.setdefault(kind.status, []).append(kind)
    return {
        str(status): {
            "description": "; ".join(f"{kind.name}: {kind.title}" for kind in found),
            "content": {PROBLEM_JSON: {"schema": problem}},
            **_headers(status),
        }
        for status, found in sorted(by_status.items())
    }


def _headers(status: int) -> dict[str, Any]:
    if status == 429:
        seconds = {"schema": {"type": "integer", "minimum": 1}, "description": "seconds to wait"}
        return {"headers": {"Retry-After": seconds}}
    if status == 401:
        challenge = {"schema": {"type": "string"}, "description": "Bearer"}
        return {"headers": {"WWW-Authenticate": challenge}}
    return {}
