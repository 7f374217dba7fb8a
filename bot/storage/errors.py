"""The storage package's errors: one root, so the shell can map any of them at its boundary."""

from __future__ import annotations


class StorageError(Exception):
    """Redis could not be started, reached or used as Sauti needs it."""


class EmbeddedRedisError(StorageError):
    """The embedded redis-server could not be started or stopped; the message says why."""
