"""A page's form sent back as a browser would send it when nobody changes anything."""

from __future__ import annotations

from html.parser import HTMLParser


class _Form(HTMLParser):
    """The fields of the page's first POST form other than a publish form."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and found.get("method") == "post":
            self._in_form = "/publish" not in found.get("action", "")
        if not self._in_form:
            return
        if tag == "input" and found.get("name"):
            if found.get("type", "text") in ("checkbox", "radio"):
                if "checked" in found:
                    self.fields.append((found["name"], found.get("value", "on")))
            else:
                self.fields.append((found["name"], found.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = found["name"], ""
        elif tag == "select":
            self._select = found["name"]
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data


def form_fields(html: str) -> list[tuple[str, str]]:
    """The fields as sent (the csrf token aside: the client adds its own)."""
    parser = _Form()
    parser.feed(html)
    return [(name, value) for name, value in parser.fields if name != "csrf"]
