"""Xero refuses an Accounting API request whose body is over 3.5 MB, with a 413.

Xero's API limits page, as integrators quote it: "A single POST to the Accounting or Payroll
APIs has a size limit of 3.5MB. There is no limit to the number of elements within a request,
provided the overall request size does not exceed 3.5MB" (also
github.com/waynerobinson/xeroizer/issues/286: "a maximum of 3.5 MB per request"). The refusal,
as seen for an oversized upload (github.com/XeroAPI/Xero-Java/issues/349), is problem JSON:
``{"Title":"RequestEntityTooLarge","Status":413,"Detail":"PayloadTooLarge",
"Instance":<guid>,"Extensions":{}}``.

"3.5MB" is read as 3,500,000 bytes, the smaller of its two readings: a client that fits here
fits at Xero. Like the query-string check, it comes before authentication and rate limits:
the body is measured before anything reads it.
"""
from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import problem

MAX_BODY_BYTES = 3_500_000
API_PREFIX = "/api.xro/"


def init_app(app: Flask) -> None:
    app.before_request(refuse_large_bodies)


def too_large() -> Response:
    return problem(413, "RequestEntityTooLarge", "PayloadTooLarge")


def refuse_large_bodies() -> Response | None:
    if not request.path.startswith(API_PREFIX):
        return None
    # A Content-Length over the limit is refused before a byte is read. A body without one
    # (chunked) Werkzeug stops reading at the limit without a word: one byte more is what
    # tells a body at the limit from a longer one.
    request.max_content_length = MAX_BODY_BYTES + (1 if request.content_length is None else 0)
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge:
        return too_large()
    return too_large() if len(body) > MAX_BODY_BYTES else None
