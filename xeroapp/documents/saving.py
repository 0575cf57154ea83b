"""The save of a document's form, the same for every document type (the views hand over
their own save, success answer and page)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from werkzeug.wrappers import Response

from xeroapp import stale
from xeroapp.documents.forms import DocumentForm

Saved = TypeVar("Saved")


def save_or_render(form: DocumentForm, record: Any, *, save: Callable[[], Saved | None],
                   saved: Callable[[Saved, bool], Response],
                   page: Callable[[stale.Conflict | None], str]):
    """Answer the new/edit form: on a POST, rows left blank are dropped, a form opened before
    the record last changed is refused (409, xeroapp.stale), and a valid one is saved.

    ``save()`` copies the form onto ``record`` and commits: its result goes to
    ``saved(result, created)``; None means the database refused it (a number saved by
    someone else a moment ago) and put the reason on the form. Otherwise the form comes back
    as typed, 422 after a failed save: htmx swaps 422 in place (base.html's htmx-config), and
    tests tell it from a success.
    """
    if form.is_submitted():
        form.drop_blank_lines()
        conflict = stale.check(form, record)
        if conflict is not None:  # changed since this form was opened: keep what was typed
            form.ensure_a_row()
            return stale.refused(conflict, lambda: page(conflict))
        created = record.id is None
        if form.validate():
            result = save()
            if result is not None:
                return saved(result, created)
    form.ensure_a_row()
    return page(None), 422 if form.errors else 200
