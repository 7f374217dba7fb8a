"""Bot API failures as the sender's DeliveryError family (mapped here, at the boundary).

- 429 → RateLimitedError(retry_after): nothing was sent.
- 403 (blocked, deactivated, kicked) and "chat not found" → RecipientRefusedError.
- 5xx, or a connection that could not be opened → TemporaryDeliveryError: nothing was sent.
- A timeout or a connection lost after the request went out → UncertainDeliveryError: it may
  have been delivered, so it is not sent again. Edits are idempotent: for them a timeout is
  only temporary.
- Any other 400 (a message Sauti got wrong) → UndeliverableError: retrying the same message
  cannot help, so it goes straight to the outbox dead letters, where an operator sees it
  (`sauti dead-letters list --outbox`) and replays it after the fix.
"""

from __future__ import annotations

import asyncio

from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiohttp import ClientConnectorError

from bot.runtime.delivery import (
    DeliveryError,
    RateLimitedError,
    RecipientRefusedError,
    TemporaryDeliveryError,
    UncertainDeliveryError,
    UndeliverableError,
)

_GONE = ("chat not found", "user not found", "peer_id_invalid", "user is deactivated")
NOT_MODIFIED = "message is not modified"
MESSAGE_GONE = ("message to edit not found", "message can't be edited", "message_id_invalid")
# Deleting what is gone already (or too old to delete): nothing left to do.
NOT_DELETABLE = ("message to delete not found", "message can't be deleted", "message_id_invalid")


def delivery_error(error: Exception, *, idempotent: bool = False) -> DeliveryError:
    """The DeliveryError for an exception raised by an aiogram call (raise it `from` error)."""
    if isinstance(error, TelegramRetryAfter):
        return RateLimitedError(float(error.retry_after))
    if isinstance(error, TelegramForbiddenError | TelegramMigrateToChat):
        return RecipientRefusedError(_what(error))
    if isinstance(error, TelegramBadRequest) and _says(error, _GONE):
        return RecipientRefusedError(_what(error))
    if isinstance(error, TelegramNetworkError) and not _never_sent(error) and not idempotent:
        return UncertainDeliveryError(_what(error))
    if isinstance(error, ClientDecodeError) and not idempotent:
        return UncertainDeliveryError("unreadable answer from the Bot API")
    if isinstance(error, TelegramBadRequest):
        return UndeliverableError(_what(error))
    return TemporaryDeliveryError(_what(error))


def is_not_modified(error: Exception) -> bool:
    return isinstance(error, TelegramBadRequest) and _says(error, (NOT_MODIFIED,))


def is_message_gone(error: Exception) -> bool:
    """The message to edit was deleted (or can no longer be edited)."""
    return isinstance(error, TelegramBadRequest) and _says(error, MESSAGE_GONE)


def is_not_deletable(error: Exception) -> bool:
    """The message to delete is gone already, or older than Telegram lets a bot delete."""
    return isinstance(error, TelegramBadRequest) and _says(error, NOT_DELETABLE)


def _never_sent(error: TelegramNetworkError) -> bool:
    """A connection that could not be opened carried no request."""
    cause = error.__cause__
    return isinstance(cause, ClientConnectorError) and not isinstance(cause, asyncio.TimeoutError)


def _says(error: TelegramAPIError, phrases: tuple[str, ...]) -> bool:
    description = error.message.lower()
    return any(phrase in description for phrase in phrases)


def _what(error: Exception) -> str:
    # The Bot API's description names no person; keep the exception type for the logs.
    detail = error.message if isinstance(error, TelegramAPIError) else ""
    return f"{type(error).__name__}: {detail}"[:200]
