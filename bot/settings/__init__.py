"""Typed, frozen settings read once from the environment and an optional TOML file.

    settings = read_settings()          # at start-up, in the composition root
    read_settings({"SAUTI_HTTP_PORT": "9000"}, config_path=None)   # in tests

Only this package reads `os.environ`. Secrets are `Secret` values: masked in every repr.

- `model` (with `loop`, `panels`, `limits`, `privacy` and `erasure`): the settings object,
  grouped as the composition root hands it out; `fields`: how a field names its variable and
  parser;
  `parsers`: raw to typed;
- `loader`: `sources` (environment, TOML) → parse every value → `rules` across settings →
  one object or one `errors.SettingsError` naming every problem.
"""

from bot.secret import Secret
from bot.settings.errors import SettingsError
from bot.settings.limits import TelegramLimits, WebChatLimits, WhatsAppLimits
from bot.settings.loader import read_settings
from bot.settings.model import (
    HttpSettings,
    Settings,
    TelegramSettings,
    WebChatSettings,
    WhatsAppSettings,
)

__all__ = [
    "HttpSettings",
    "Secret",
    "Settings",
    "SettingsError",
    "TelegramLimits",
    "TelegramSettings",
    "WebChatLimits",
    "WebChatSettings",
    "WhatsAppLimits",
    "WhatsAppSettings",
    "read_settings",
]
