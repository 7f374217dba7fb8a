"""Click-to-chat links: `https://wa.me/<number>?text=<join code>` opens WhatsApp with the join
code typed in; sending it is the participant's first message, and the worker reads the code."""

from __future__ import annotations

from urllib.parse import quote


def join_link(display_number: str, join_code: str) -> str:
    return f"https://wa.me/{display_number}?text={quote(join_code, safe='')}"
