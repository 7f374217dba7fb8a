"""A logging filter that masks personal identifiers and configured secrets.

Defence in depth only. The rule is that code logs pseudonymous `ParticipantId`s and nothing
else about a person; this filter catches what slips through anyway (a platform error that
quotes a phone number, a payload logged while debugging, a token in an exception message),
because in a conflict area a leaked log line can put someone in danger.

Attach it to every handler (filters on a logger do not see records propagated from child
loggers):

    redactor = Redactor(settings.secrets())
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterable

from bot.secret import Secret

PHONE_MASK = "[phone]"
ID_MASK = "[id]"
NAME_MASK = "[name]"
SECRET_MASK = "[secret]"

# "+" then 7-15 digits, allowing the spaces, dots, dashes and brackets people write numbers with.
_PHONE = re.compile(r"(?<![\w+])\+(?:[ ().-]{0,2}\d){7,15}(?!\d)")
# Fields whose value is a platform identity: Telegram chat/user ids, WhatsApp ids (= numbers).
_ID_FIELDS = (
    "chat_id|user_id|from_id|sender_id|sender_chat_id|recipient_id|wa_id|"
    "phone|phone_number|msisdn|from|to"
)
_ID_FIELD = re.compile(rf"""(?i)(\b(?:{_ID_FIELDS})["']?\s*[:=]\s*["']?)[+-]?\d{{5,}}""")
# Nested identities: `"chat": {"id": 42…`, `from_user=User(id=42…`, a bare `Chat(id=42…`.
_NESTED_ID = re.compile(
    r"""(?i)(\b(?:chat|from|from_user|user|sender_chat)["']?\s*[:=]\s*\w*[({]\s*["']?id["']?"""
    r"""\s*[:=]\s*)-?\d+"""
)
_OBJECT_ID = re.compile(r"(\b(?:Chat|User)\(\s*id=)-?\d+")
# Names: Telegram's first/last/user names, WhatsApp's `"profile": {"name": …}`.
_NAME = re.compile(
    r"""(?i)(\b(?:first_name|last_name|username|full_name|profile["']?\s*[:=]\s*\{\s*["']name)"""
    r"""["']?\s*[:=]\s*)(["'])(?:\\.|(?!\2).)*\2"""
)
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


class Redactor(logging.Filter):
    """Rewrites each record's message, exception text and string extras, masked.

    Secrets shorter than `min_secret_chars` are not masked: masking every occurrence of a
    three-letter string would garble the log and protect nothing.
    """

    def __init__(
        self, secrets: Iterable[Secret[str] | Secret[bytes]] = (), *, min_secret_chars: int = 8
    ) -> None:
        super().__init__()
        forms = {form for secret in secrets for form in _spellings(secret.reveal())}
        usable = sorted((form for form in forms if len(form) >= min_secret_chars), key=len)
        alternatives = "|".join(re.escape(form) for form in reversed(usable))
        self._secrets = re.compile(alternatives) if alternatives else None

    def redact(self, text: str) -> str:
        if self._secrets is not None:
            text = self._secrets.sub(SECRET_MASK, text)
        text = _NAME.sub(rf"\1\2{NAME_MASK}\2", text)
        text = _NESTED_ID.sub(rf"\1{ID_MASK}", text)
        text = _OBJECT_ID.sub(rf"\1{ID_MASK}", text)
        text = _ID_FIELD.sub(rf"\1{ID_MASK}", text)
        return _PHONE.sub(PHONE_MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not crash the code that logged it
            message = f"{record.msg} [log arguments could not be formatted]"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, self.redact(value))
        return True


def _spellings(value: str | bytes) -> set[str]:
    """How a secret may appear in text: as is, or a key in base64 (either alphabet) or hex."""
    if isinstance(value, str):
        return {value}
    encoded = {
        base64.b64encode(value).decode(),
        base64.urlsafe_b64encode(value).decode(),
        value.hex(),
        value.hex().upper(),
    }
    return encoded | {form.rstrip("=") for form in encoded}
