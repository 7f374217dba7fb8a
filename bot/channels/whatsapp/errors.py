"""What the Graph API's error codes mean for a send (developers.facebook.com/docs/whatsapp/
cloud-api/support/error-codes), as the sender's DeliveryError family.

Every code not listed: a 5xx is temporary (retried), anything else undeliverable (dead-lettered
for an operator, never retried blindly: a malformed message stays malformed).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.runtime.delivery import (
    DeliveryError,
    RateLimitedError,
    RecipientRefusedError,
    TemporaryDeliveryError,
    UndeliverableError,
)
from bot.settings.limits import WhatsAppLimits

THROUGHPUT = frozenset({130429})  # the number's messages per second
APP_RATE = frozenset({4, 80007, 131048})  # app / account rate limits, spam rate limit
PAIR_RATE = frozenset({131056})  # too many messages to one recipient
WINDOW_CLOSED = frozenset({131047})  # more than 24 h since they wrote: templates only
# The recipient cannot get WhatsApp messages from us: not on WhatsApp, not a valid number, a
# test number not on the allowed list, the recipient is our own number.
REFUSED = frozenset({131026, 131030, 131021})
TEMPORARY = frozenset({1, 2, 131000, 131016, 133004})
# The access token or the business account: nothing will go out until an operator fixes it.
ACCOUNT = frozenset({0, 3, 10, 190, 200, 131005, 131031, 131042, 133010})

# Failed *statuses* (after the send was accepted): which deserve sending the message again.
RESEND_STATUS = TEMPORARY | THROUGHPUT | PAIR_RATE | frozenset({131048})


@dataclass(frozen=True, slots=True)
class GraphError:
    http_status: int
    code: int | None
    title: str  # Meta's short description: no personal data in it, unlike `message` sometimes


class WindowClosedError(UndeliverableError):
    """Error 131047: the client switches to a template instead of giving up."""


def delivery_error(error: GraphError, limits: WhatsAppLimits) -> DeliveryError:
    code = error.code
    detail = f"WhatsApp error {code} (HTTP {error.http_status}): {error.title}"
    if code in THROUGHPUT:
        return RateLimitedError(limits.throughput_backoff_seconds)
    if code in PAIR_RATE:
        return RateLimitedError(limits.pair_interval_seconds, per_recipient=True)
    if code in APP_RATE:
        return RateLimitedError(limits.spam_backoff_seconds)
    if code in WINDOW_CLOSED:
        return WindowClosedError(detail)
    if code in REFUSED:
        return RecipientRefusedError(detail)
    if code in TEMPORARY or error.http_status >= 500:
        return TemporaryDeliveryError(detail)
    if error.http_status == 429:
        return RateLimitedError(limits.throughput_backoff_seconds)
    return UndeliverableError(detail)
