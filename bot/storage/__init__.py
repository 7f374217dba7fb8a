"""Where Sauti keeps its data: Redis, reached through one client factory.

`REDIS_URL` selects any Redis >= 6.2 or Valkey; without it Sauti runs its own embedded server
(`EmbeddedRedis`) so that a one-machine deployment needs nothing but Python.
"""

from bot.storage.embedded_redis import EmbeddedRedis
from bot.storage.errors import EmbeddedRedisError, StorageError

__all__ = [
    "EmbeddedRedis",
    "EmbeddedRedisError",
    "StorageError",
]
