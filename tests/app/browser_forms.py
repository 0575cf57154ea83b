"""What a browser posts for a form of a rendered page: every field with the value it shows.

Two tabs are then two calls to ``form_fields`` on two page loads; editing a tab is changing
its dict before posting it, exactly as typing into the page would.
"""
from __future__ import annotations

from html.parser import HTMLParser

_SKIPPED_TYPES = {"submit", "button", "reset", "image", "file"}


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.fields: dict[str, str] = {}
        self.found = False
        self._inside = False
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._inside = a.get("action") == self.action
            self.found = self.found or self._inside
        if not self._inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in _SKIPPED_TYPES:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._select_chosen:
                self.fields[self._select], self._select_chosen = value, True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.fields[self._select] = self._select_first
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            # A browser drops the newline right after <textarea>.
            self.fields[self._textarea] = text[2:] if text.startswith("\r\n") else (
                text[1:] if text.startswith("\n") else text)
            self._textarea = None


def form_fields(page: str, action: str) -> dict[str, str]:
    """The fields the form posting to ``action`` would send, as the page shows them."""
    reader = _FormReader(action)
    reader.feed(page)
    assert reader.found, f"no form posting to {action} on the page"
    return reader.fields
