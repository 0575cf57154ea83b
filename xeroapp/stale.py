"""Refusing a save from a form opened before the record last changed (a stale tab).

Every edit form carries, in one hidden field, what it was loaded at: the record's ``version``
(records sent to Xero have one, bumped on every edit of them or their lines, see
models.versioning) and a short fingerprint of each field the form shows. On save:

- the record is locked and read again, so two saves of one record cannot both pass;
- the same version: saved as usual;
- a newer version, or no version column (workspace settings, the Xero connection's
  defaults, rewritten by every token refresh): refused when a field this form writes changed
  since it was loaded. A change this save cannot overwrite (another settings form of the
  same workspace, a change undone since) does not refuse it;
- a value that cannot be read (edited by hand): refused, it names no version to trust.

A refused save answers 409 with the form exactly as typed, the fields that changed, when, and
a link to the latest version; nothing is overwritten. There is deliberately no "save mine
anyway": that is the lost update itself. A post without the field at all (a page opened before
the field existed, a script) is not checked.

Only saves of an edit form are checked. Deleting a record is a decision about the record as a
whole, taken on its own confirmation (and refused while something uses it), so it is allowed
whatever changed; so are status changes (an invoice marked sent) and pushes to Xero, which send
the version current at that moment.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import make_response, render_template, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField

from xeroapp.extensions import db
from xeroapp.rendering import wants_fragment

FIELD_NAME = "loaded_version"
SUBTOTAL = "subtotal"  # a part of documents with lines: their amounts added up
# What the token may look like: "<version or ->|<part>:<8 hex>,..."; anything longer is not ours.
TOKEN_MAX = 2000
_PART = re.compile(r"^([a-z][a-z0-9_]{0,63}):([0-9a-f]{8})$")
SUBJECTS = {
    "invoice": "This invoice was",
    "purchase_order": "This purchase order was",
    "client": "This client was",
    "supplier": "This supplier was",
    "product": "This product was",
}
SETTINGS_SUBJECT = "These settings were"


class VersionField(HiddenField):
    """The hidden "loaded at" token. Never copied onto a record (``populate_obj``)."""

    def populate_obj(self, obj: Any, name: str) -> None:
        return None


class VersionedForm(FlaskForm):
    """Base of every edit form: adds the hidden field (render it with partials/_stale.html)."""

    loaded_version = VersionField()


@dataclass(frozen=True)
class Loaded:
    version: int | None
    parts: dict[str, str]


@dataclass(frozen=True)
class Conflict:
    """A refused save: what to tell the person."""

    subject: str  # "This invoice was"
    changed: tuple[str, ...]  # field labels, in the form's order ("lines", "subtotal")
    changed_at: datetime | None
    reload_url: str

    @property
    def what_changed(self) -> str:
        if not self.changed:
            return ""
        names = [*self.changed]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"Changed there: {listed}."


# ---- the token ------------------------------------------------------------------------------

def stamp(form: VersionedForm, record: Any | None) -> VersionedForm:
    """Give the form the token of ``record`` as it is now, unless one was posted (a form
    re-rendered after a refused or invalid save keeps the one it was loaded with)."""
    field = form.loaded_version
    if record is not None and getattr(record, "id", None) is not None and not field.data:
        field.data = token(form, record)
    return form


def token(form: VersionedForm, record: Any) -> str:
    version = getattr(record, "version", None)
    parts = ",".join(f"{name}:{digest}" for name, digest in fingerprint(form, record).items())
    return f"{'-' if version is None else version}|{parts}"


def parse(text: str) -> Loaded | None:
    """The posted token, or None when it is not one this app wrote."""
    if len(text) > TOKEN_MAX or "|" not in text:
        return None
    version_text, _, parts_text = text.partition("|")
    if version_text == "-":
        version = None
    elif version_text.isascii() and version_text.isdigit() and len(version_text) <= 18:
        version = int(version_text)
    else:
        return None
    parts: dict[str, str] = {}
    for item in filter(None, parts_text.split(",")):
        match = _PART.match(item)
        if match is None:
            return None
        parts[match.group(1)] = match.group(2)
    return Loaded(version, parts)


# ---- fingerprints ---------------------------------------------------------------------------

def fingerprint(form: VersionedForm, record: Any) -> dict[str, str]:
    """A short hash of each field of ``form`` that is a column or a list of rows (lines) of
    ``record``, plus the lines' subtotal; hashes, so the page carries no second copy."""
    mapper = sa.inspect(type(record))
    parts: dict[str, str] = {}
    for field in form:
        name = field.name
        if name in mapper.column_attrs:
            parts[name] = _digest(_canonical(getattr(record, name)))
        elif name in mapper.relationships and mapper.relationships[name].uselist:
            parts[name] = _digest("\x1e".join(_row(row, record) for row in getattr(record, name)))
            if hasattr(record, SUBTOTAL):
                parts[SUBTOTAL] = _digest(_canonical(getattr(record, SUBTOTAL)))
    return parts


def _row(row: Any, parent: Any) -> str:
    """A line's own values: not its id, its parent's id, nor what a push writes back."""
    mapper = sa.inspect(type(row))
    parent_table = sa.inspect(type(parent)).local_table
    skipped = set(getattr(row, "version_ignore", ()))
    values = []
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if (attr.key in skipped or column.primary_key
                or any(fk.column.table is parent_table for fk in column.foreign_keys)):
            continue
        values.append(_canonical(getattr(row, attr.key)))
    return "\x1f".join(values)


def _canonical(value: Any) -> str:
    """One spelling per value: 10, 10.00 and 10.0000 are the same price."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _digest(text: str) -> str:
    return hashlib.blake2s(text.encode(), digest_size=4).hexdigest()


# ---- the check ------------------------------------------------------------------------------

def check(form: VersionedForm, record: Any, reload_url: str | None = None) -> Conflict | None:
    """None when ``form`` may be saved onto ``record``; the Conflict to show otherwise.

    Call it before writing anything: it locks the record until the request commits (or rolls
    back, as it does itself on a conflict) and reads it again.
    """
    posted = form.loaded_version.data
    new_record = record is None or getattr(record, "id", None) is None
    if not form.is_submitted() or new_record or not posted:
        return None
    loaded = parse(posted)
    _lock(record)
    version = getattr(record, "version", None)
    if loaded is not None:
        if version is not None and loaded.version == version:
            return None
        now = fingerprint(form, record)
        changed = [name for name, digest in now.items() if loaded.parts.get(name) != digest]
        if not changed:
            return None  # what changed is nothing this form writes
    else:
        changed = []
    conflict = Conflict(subject=SUBJECTS.get(getattr(record, "record_kind", ""), SETTINGS_SUBJECT),
                        changed=tuple(_labels(form, changed)),
                        changed_at=getattr(record, "updated_at", None),
                        reload_url=reload_url or request.path)
    db.session.rollback()  # release the lock now: nothing is written
    return conflict


def _lock(record: Any) -> None:
    """Hold the record until this request ends and read it as it is now: a second save of it
    waits here, then sees what the first one wrote."""
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks; a write takes the database's write lock, kept to the end.
        # Every column with an update default is set to itself too, or taking the lock would
        # stamp a new updated_at on a record that the save then leaves as it was.
        mapper = sa.inspect(type(record))
        key = mapper.primary_key[0]
        unchanged = {column.name: column for column in mapper.local_table.columns
                     if column is key or column.onupdate is not None}
        db.session.execute(sa.update(mapper.local_table).where(key == record.id)
                           .values(unchanged))
    db.session.refresh(record, with_for_update=True)  # PostgreSQL: SELECT ... FOR UPDATE
    # Load the lines again now: loaded later, halfway through copying the form onto the
    # record, their query would flush the half-copied record as an edit of its own.
    for relationship in sa.inspect(type(record)).relationships:
        if relationship.uselist:
            getattr(record, relationship.key)


def _labels(form: VersionedForm, names: Iterable[str]) -> list[str]:
    labels = []
    for name in names:
        text = form[name].label.text if name in form else name
        # "Issue date" reads "issue date" mid-sentence; "SKU" stays as it is.
        labels.append(text[:1].lower() + text[1:] if text[1:2].islower() else text)
    return labels


# ---- the answer -----------------------------------------------------------------------------

def refused(conflict: Conflict, page: Callable[[], str]) -> Response:
    """409 with ``page`` (the form as typed, with the notice); an htmx request gets the notice
    alone, which htmx shows in the message area (base.html's htmx-config)."""
    if wants_fragment():
        body = render_template("partials/_stale_notice.html", conflict=conflict)
    else:
        body = page()
    return make_response(body, 409)
