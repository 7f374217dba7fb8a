"""What the web server logs about requests too malformed to parse.

aiohttp answers a malformed HTTP request (a request line over 8190 bytes, a bad header, bytes
that are no HTTP) with 400 itself, and logs it at ERROR with a traceback whose message quotes
the start of the request line: for the web chat, a participant's private link. That is a
client's mistake, not Sauti's: it becomes one WARNING line naming only the kind of error.
Every other record of the server's logger (a handler that failed: a bug) stays as it is.
"""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError

SERVER_LOGGER = "bot.web.server"


class MalformedRequests(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg = "malformed HTTP request answered %d: %s"
            record.args = (error.code, type(error).__name__)
            record.exc_info = None
            record.exc_text = None
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        return True


def server_logger() -> logging.Logger:
    """The logger for aiohttp's request handling, with malformed requests toned down."""
    logger = logging.getLogger(SERVER_LOGGER)
    if not any(isinstance(f, MalformedRequests) for f in logger.filters):
        logger.addFilter(MalformedRequests())
    return logger
