"""Where Sauti keeps its data: Redis, reached through one client factory (`redis_client`),
whose client sends the commands of one event-loop turn together (`auto_pipeline`).

`REDIS_URL` selects any Redis >= 6.2 or Valkey, or a Redis Cluster (`cluster`); without it
Sauti runs its own embedded server (`embedded_redis`) so that a one-machine deployment needs
nothing but Python. Every key name is made by `keys.KeySchema`; every Lua script is a file in
`lua/`, named in `scripts` and run through `lua.Script`; a Redis command as data is a
`redis_command.RedisCommand`; `replies` names the conversion of replies to Python values;
`errors` names the failures the shell maps at its boundary. `erasure_marks` counts erasures
not yet off the disk, and `disk_rewrite` rewrites the data files without them.
"""

from bot.storage.embedded_redis import EmbeddedRedis
from bot.storage.errors import (
    STORAGE_FAILURE,
    STORAGE_UNAVAILABLE,
    EmbeddedRedisError,
    StorageError,
    is_storage_unavailable,
)
from bot.storage.redis_client import connect, ping_until_ready, require_server_version

__all__ = [
    "STORAGE_FAILURE",
    "STORAGE_UNAVAILABLE",
    "EmbeddedRedis",
    "EmbeddedRedisError",
    "StorageError",
    "connect",
    "is_storage_unavailable",
    "ping_until_ready",
    "require_server_version",
]
