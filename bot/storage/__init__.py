"""Where Sauti keeps its data: Redis, reached through one client factory.

`REDIS_URL` selects any Redis >= 6.2 or Valkey; without it Sauti runs its own embedded server
(`EmbeddedRedis`) so that a one-machine deployment needs nothing but Python.
"""

from bot.storage.embedded_redis import EmbeddedRedis
from bot.storage.errors import EmbeddedRedisError, StorageError
from bot.storage.redis_client import connect, ping_until_ready, require_server_version

__all__ = [
    "EmbeddedRedis",
    "EmbeddedRedisError",
    "StorageError",
    "connect",
    "ping_until_ready",
    "require_server_version",
]
