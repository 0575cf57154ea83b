"""Text the database cannot store is refused before any view runs: a NUL character.

PostgreSQL's text types cannot hold NUL (psycopg refuses to send it), so a NUL in a search
box or a form field answered 500 there, while SQLite stored it. No field needs one and a
browser does not send one from what is typed, so a request carrying one in its query string
or form is refused as a whole (400, with a plain message), on both databases alike. (A path
with one matches no route: its ids are digits only.)
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

NUL = "\x00"


class UnstorableText(BadRequest):
    description = ("That request contains a character that cannot be stored (NUL), so nothing "
                   "was changed. Remove it and try again.")
    plain = True  # written for people: the error page shows it as it is


def _has_nul(texts: Iterable[str]) -> bool:
    return any(NUL in text for text in texts)


def _fields(data: MultiDict) -> Iterable[str]:
    for key, value in data.items(multi=True):
        yield key
        yield value


def refuse_nul() -> None:
    if request.routing_exception is not None:
        return  # no such page (404, 405): that answer comes first
    # request.form is only parsed for bodies that carry a form; files are not text.
    if _has_nul(_fields(request.args)) or _has_nul(_fields(request.form)):
        raise UnstorableText()


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
