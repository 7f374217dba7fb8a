"""How a settings dataclass field declares its environment variable and its parser.

The dataclasses in `model` are the single source of truth: each field names its variable and
its parser here, the TOML path follows from where the field sits (`http.port`), and the loader
walks the dataclasses. No second table to keep in sync.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar, get_type_hints

T = TypeVar("T")

Parser = Callable[[object], T]
"""Turns a raw value (a string from the environment, or any TOML value) into a typed one, or
raises `InvalidValueError`."""

_SPEC = "sauti.setting"


class InvalidValueError(ValueError):
    """A raw value was rejected; the message says what was expected (never echoing secrets)."""


@dataclass(frozen=True)
class Spec:
    env: str
    parse: Parser[object]
    secret: bool


def setting(env: str, default: T, parse: Parser[T], *, secret: bool = False) -> T:
    """A dataclass field read from `env` (or the TOML key at the field's place)."""
    spec = Spec(env=env, parse=parse, secret=secret)
    result: T = field(default=default, metadata={_SPEC: spec})
    return result


def section(cls: Callable[[], T]) -> T:
    """A nested group of settings; it becomes a TOML table named after the field."""
    result: T = field(default_factory=cls)
    return result


def variable(cls: type[Any], name: str) -> str:
    """The environment variable of the setting `name` of the settings dataclass `cls`, for
    messages that tell an operator what to change."""
    for item in dataclasses.fields(cls):
        spec = item.metadata.get(_SPEC)
        if item.name == name and isinstance(spec, Spec):
            return spec.env
    raise KeyError(f"{cls.__name__} has no setting {name!r}")


@dataclass(frozen=True)
class Leaf:
    """One setting: where it lives in the dataclass tree and in TOML, and how to read it."""

    path: tuple[str, ...]
    spec: Spec
    default: object

    @property
    def toml_key(self) -> str:
        return ".".join(self.path)


def leaves(cls: type[Any], prefix: tuple[str, ...] = ()) -> Iterator[Leaf]:
    """Every setting under the dataclass `cls`, depth first, in declaration order."""
    hints = get_type_hints(cls)
    for item in dataclasses.fields(cls):
        path = (*prefix, item.name)
        spec = item.metadata.get(_SPEC)
        if isinstance(spec, Spec):
            yield Leaf(path=path, spec=spec, default=item.default)
        elif dataclasses.is_dataclass(hints[item.name]):
            yield from leaves(hints[item.name], path)
        else:
            raise TypeError(f"{cls.__name__}.{item.name} is neither a setting nor a section")


def build(cls: type[T], values: dict[tuple[str, ...], object], prefix: tuple[str, ...] = ()) -> T:
    """Instantiate `cls`, taking each setting from `values` by path or leaving its default."""
    hints = get_type_hints(cls)
    kwargs: dict[str, object] = {}
    for item in dataclasses.fields(cls):  # type: ignore[arg-type]
        path = (*prefix, item.name)
        if _SPEC in item.metadata:
            if path in values:
                kwargs[item.name] = values[path]
        else:
            kwargs[item.name] = build(hints[item.name], values, path)
    return cls(**kwargs)
