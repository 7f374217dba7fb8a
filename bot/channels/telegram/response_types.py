"""The types aiogram reads Bot API answers with, kept alive so each is built once per process.

aiogram reads every answer with `Response[method.__returning__]` (`BaseSession.check_response`),
a pydantic generic model parametrised on every call. pydantic caches parametrised models only
weakly (a `WeakValueDictionary`, so that models made on the fly can be freed), and once the
answer is read nothing else holds the class: whenever the garbage collector runs between two
calls, the class goes, and the next call builds it again — 1 to 4.5 ms of schema building for an
answer that takes about 0.3 ms to send and read, on the sender's hot path. One strong reference
per result type (Message, bool, Message | bool, list[Update], …; a few dozen at most, one per
result type of the Bot API) turns every later parametrisation into a cache hit.

Kept on first use, from the method being called, rather than from a list of the methods Sauti
calls: a new call cannot be forgotten, and if aiogram changes a method's result type the kept
type follows. Reported to aiogram ("BaseSession.check_response rebuilds Response[T] after every
garbage collection"); this module can go once aiogram keeps the types itself.
"""

from __future__ import annotations

from typing import Any

from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response

_kept: dict[Any, type[Response[Any]]] = {}


def keep_response_type(method: TelegramMethod[Any]) -> None:
    """Hold the `Response[...]` aiogram is about to build for `method`'s answer."""
    returning = method.__returning__
    if returning not in _kept:
        _kept[returning] = Response[returning]  # type: ignore[valid-type]
