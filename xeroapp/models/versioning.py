"""Bump ``version`` on every edit of a pushable record, including edits of its lines.

Done once, in a ``before_flush`` hook, so no view can forget it: XeroLink.pushed_version is
compared with ``version`` to offer "Update", and idempotency keys are derived from it.
Attributes the push itself writes back (Xero's line ids) are listed in ``version_ignore`` so
that recording a push does not make the record look changed again.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from xeroapp.models.mixins import Versioned


def _changed_attributes(obj: object) -> set[str]:
    state = sa.inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _is_edited(obj: object) -> bool:
    ignored = set(getattr(obj, "version_ignore", ())) | {"version", "updated_at"}
    return bool(_changed_attributes(obj) - ignored)


def _versioned_parent(obj: object) -> Versioned | None:
    """The document a line belongs to (lines name it with ``versioned_parent``)."""
    parent = getattr(obj, "versioned_parent", None)
    return parent if isinstance(parent, Versioned) else None


def bump_versions(session: so.Session, flush_context, instances) -> None:
    edited: dict[int, Versioned] = {}
    for obj in session.dirty:
        # The cheap test first: most dirty objects of a push (its rows, links) version nothing.
        target = obj if isinstance(obj, Versioned) else _versioned_parent(obj)
        if target is not None and _is_edited(obj):
            edited[id(target)] = target
    for obj in list(session.new) + list(session.deleted):
        parent = _versioned_parent(obj)
        if parent is not None:
            edited[id(parent)] = parent
    for record in edited.values():
        if record in session.new or record in session.deleted:
            continue  # a new record starts at 1; a deleted one has no future version
        record.version = (record.version or 0) + 1


def install() -> None:
    """Listen on every Session (Flask-SQLAlchemy's included); safe to call more than once."""
    if not sa.event.contains(so.Session, "before_flush", bump_versions):
        sa.event.listen(so.Session, "before_flush", bump_versions)
