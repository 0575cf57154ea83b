"""Friendly error pages: the user sees what went wrong in plain words, never a stack trace.

For htmx requests the same message is rendered as a small fragment; base.html's
``htmx-config`` swaps error responses into the flash area instead of the request's target.
"""
from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from xeroapp.extensions import db
from xeroapp.limits import TOO_LARGE
from xeroapp.rendering import wants_fragment

MESSAGES = {
    400: ("Bad request", "We could not understand that request."),
    401: ("Please log in", "You need to log in to do that."),
    403: ("Not allowed", "You do not have access to that."),
    404: ("Not found", "We could not find that page. It may have been deleted, or the link is wrong."),
    405: ("Not allowed", "That action is not available here."),
    413: ("Too large", TOO_LARGE),
    500: ("Something went wrong", "Something went wrong on our side. Please try again in a moment."),
}
CSRF_MESSAGE = (
    "Your form expired or was sent from somewhere else, so we did not save it. "
    "Please reload the page and try again."
)


def render_error(code: int, message: str | None = None, title: str | None = None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    title = title or default_title
    template = "partials/_error_message.html" if wants_fragment() else "errors/error.html"
    body = render_template(template, code=code, title=title, message=message or default_message)
    return body, code


def handle_http_exception(error: HTTPException):
    if error.code is None or error.code < 400:
        return error  # redirects raised as exceptions pass through untouched
    if error.code in MESSAGES:
        # Werkzeug's descriptions are for developers; one marked ``plain`` is for people.
        plain = error.description if getattr(error, "plain", False) else None
        return render_error(error.code, message=plain)
    return render_error(error.code, message=error.description, title=error.name)


def handle_csrf_error(error: CSRFError):
    return render_error(400, CSRF_MESSAGE)


def handle_unexpected_error(error: InternalServerError):
    db.session.rollback()  # the page below must not fail on a broken transaction
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
