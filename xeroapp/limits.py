"""How much one request, one document and one note may hold, and the hooks that refuse more.

Three layers, cheapest first, so an oversized request costs little before it is refused:

1. Bytes. ``MAX_CONTENT_LENGTH`` (xeroapp/config.py) for logged-in users; a request without a
   session gets ``ANONYMOUS_MAX_CONTENT_LENGTH``, since log-in and sign-up forms are tiny. A
   body over the limit is answered 413 from its Content-Length, before a byte is read.
2. Fields. Werkzeug caps the parts of a multipart body (``MAX_FORM_PARTS``) but not the
   fields of a url-encoded one, where a megabyte of ``a&a&...`` is half a million of them:
   ``limit_request_body`` counts them in the raw body before anything parses it.
3. Lines. An invoice or purchase order with more than ``MAX_LINES`` rows is refused before
   its form is built: every row becomes a sub-form, and rendering one takes milliseconds.

Text fields carry their own ``Length`` validators (each form), with the limit in the message.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, current_app, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from xeroapp import login_sessions

# Lines per invoice or purchase order. Xero documents no count of line items; what it does
# document is a size: one POST to the Accounting API may carry at most 3.5 MB. A document goes
# to Xero in one request, and a line's description may have 4,000 characters: 500 lines with
# full-length descriptions make about 2.2 MB of JSON, so a document within our limits is taken
# whole. Not more: the form re-renders every row on each change (seconds, for 500 rows).
MAX_LINES = 500

# Fields in one form. The largest real form is an invoice of MAX_LINES lines, 8 fields a
# line: about 4,000. With room to spare, this still stops a body of tiny fields (3 MiB of
# "a&" is 1.5 million) before it is parsed; a multipart one of 10,000 parts takes 0.5 s.
MAX_FORM_FIELDS = 10_000

# Client and supplier notes: kept here only, never sent to Xero. About three pages of text.
NOTES_MAX = 10_000

URLENCODED = "application/x-www-form-urlencoded"
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOO_LARGE = ("That was more than this app accepts at once, so nothing was saved. Shorten any "
             f"very long text; an invoice or purchase order can have at most {MAX_LINES:,} lines.")
_LINE_KEY = re.compile(r"^lines-([^-]+)-")


class TooManyLines(RequestEntityTooLarge):
    """413 with the document's own words: how many lines it has and how many it may have."""

    plain = True  # written for people: the error page shows it as it is

    def __init__(self, document: str, count: int) -> None:
        super().__init__(description=too_many_lines(document, count))


def too_many_lines(document: str, count: int) -> str:
    return (f"{document} can have at most {MAX_LINES:,} lines, and this one has {count:,}, so "
            "nothing was saved. Split it into smaller ones.")


def init_app(app: Flask) -> None:
    # Registered before CSRFProtect's hook, which is the first to read the form.
    app.before_request(limit_request_body)
    app.jinja_env.globals["max_document_lines"] = MAX_LINES


def own_body_limit(max_bytes: int) -> Callable:
    """Give a view its own byte limit instead of the session-based ones: a machine posts to
    it without a session (Xero's webhooks) and its bodies are known to stay under this."""
    def mark(view: Callable) -> Callable:
        view.max_content_length = max_bytes  # type: ignore[attr-defined]
        return view
    return mark


def limit_request_body() -> None:
    """Tighten the byte limit for anonymous requests; refuse url-encoded bodies of too many
    fields. Runs before anything reads the body."""
    if request.method in BODYLESS_METHODS:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    own = getattr(view, "max_content_length", None)
    if own is not None:
        request.max_content_length = own
        return
    # Whether the session names a login, not whether it is still live: asking Flask-Login would
    # run the user loader here, which empties the session of a login that has ended, CSRF
    # secret included, and the form would be refused as forged instead of sent to log in.
    if login_sessions.current_id() is None:
        request.max_content_length = _smaller(request.max_content_length,
                                              current_app.config["ANONYMOUS_MAX_CONTENT_LENGTH"])
    if request.mimetype == URLENCODED:
        _check_urlencoded(request.max_content_length, request.max_form_parts)


def _check_urlencoded(max_bytes: int | None, max_fields: int | None) -> None:
    """Read the body (the form parser then reads these cached bytes) and measure it.

    A Content-Length over ``max_bytes`` is refused before a byte is read. A body without one
    (chunked) Werkzeug would cut short at the limit without a word, and the form would lose
    its last fields: reading one byte more tells a body at the limit from a longer one.
    """
    chunked = request.content_length is None and max_bytes is not None
    if chunked:
        request.max_content_length = max_bytes + 1
    body = request.get_data(cache=True)
    request.max_content_length = max_bytes
    if max_bytes is not None and len(body) > max_bytes:
        raise RequestEntityTooLarge()
    if max_fields is not None and body.count(b"&") >= max_fields:
        raise RequestEntityTooLarge()


def _smaller(first: int | None, second: int | None) -> int | None:
    limits = [limit for limit in (first, second) if limit is not None]
    return min(limits) if limits else None


def posted_line_count(formdata: MultiDict) -> int:
    """How many line rows (``lines-<n>-<field>``) a form post carries, whatever their fields."""
    return len({match.group(1) for key in formdata
                if (match := _LINE_KEY.match(key)) is not None})


def refuse_too_many_lines(document: str) -> Callable[[], None]:
    """A before_request hook for a blueprint whose posts carry ``document``'s line rows."""
    def refuse() -> None:
        if request.method in BODYLESS_METHODS:
            return
        count = posted_line_count(request.form)
        if count > MAX_LINES:
            raise TooManyLines(document, count)
    return refuse
