"""The settings of a test deployment: the test's Redis, fresh server secrets, a data directory
and an empty config file under the test's temporary directory.

The same environment serves the App a test builds in its own process and any `sauti` process
it starts, so both are one deployment (same Redis, same keys).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from bot.settings import Settings, read_settings

METRICS_PORTS = (
    "SAUTI_METRICS_WORKER_PORT",
    "SAUTI_METRICS_SENDER_PORT",
    "SAUTI_METRICS_PUBLISHER_PORT",
    "SAUTI_METRICS_TELEGRAM_PORT",
)
# Variables Sauti reads: a process the tests start must not inherit the developer's own.
_SAUTI_VARIABLES = ("SAUTI_", "TELEGRAM_", "WHATSAPP_", "REDIS_URL")


def server_secrets() -> dict[str, str]:
    """A new master key and participant-id secret, as `sauti` generates them."""
    return {
        "SAUTI_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "SAUTI_ID_SECRET": base64.b64encode(os.urandom(32)).decode(),
    }


def deployment_environment(redis_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The variables of a test deployment; `extra` adds to them or overrides them."""
    config = tmp_path / "sauti.toml"
    config.touch()  # an empty file: settings come from the environment alone
    return {
        "REDIS_URL": redis_url,
        **server_secrets(),
        "SAUTI_CONFIG": str(config),
        "SAUTI_DATA_DIR": str(tmp_path / "var"),
        "SAUTI_SHARDS": "4",
        # No metrics server of its own for a process without the web role, unless a test asks
        # for one (on a free port: a fixed one may be taken on a shared machine).
        **dict.fromkeys(METRICS_PORTS, "0"),
        **extra,
    }


def deployment_settings(redis_url: str, tmp_path: Path, **extra: str) -> Settings:
    """The settings of a test deployment (see `deployment_environment`)."""
    return settings_from(deployment_environment(redis_url, tmp_path, **extra))


def settings_from(environ: dict[str, str]) -> Settings:
    """Settings from a deployment's environment alone, as its `sauti` processes read them."""
    return read_settings(environ, config_path=environ["SAUTI_CONFIG"])


def process_environment(environ: dict[str, str]) -> dict[str, str]:
    """The environment of a process the test starts: its own (PATH and the like) without any
    Sauti variable of the developer's, plus the deployment's."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(_SAUTI_VARIABLES)}
    return {**inherited, **environ}
