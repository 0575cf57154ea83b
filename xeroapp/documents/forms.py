"""The form of a document with lines: its number and its line rows.

A document's form subclasses ``DocumentForm`` and declares ``number`` (with
``number_unless_xero_numbers``) and ``lines = LineRows(FormField(ItsLineForm), min_entries=1)``.
Its line sub-form offers ``is_blank()`` (nothing typed but a new row's defaults),
``configure(*choices)`` (the choices that depend on the workspace) and ``figures()`` (what the
totals need). Rows left completely empty are dropped before validation, so an unused spare row
never blocks a save.

Choices that depend on the workspace (parties, products, tax rates) are set by the document's
editing module through ``configure``, keeping values already saved on the record valid; only
those choices validate, so a posted id of another workspace's record is refused.
"""
from __future__ import annotations

from typing import Any

from wtforms import Form
from wtforms.validators import StopValidation, ValidationError

from xeroapp.documents.lines import LINE_ID_UNREADABLE, unreadable_line_ids
from xeroapp.stale import VersionedForm

XERO_NUMBERS_HINT = ("Leave it empty: Xero gives the next number of its own sequence when "
                     "this is sent, and it shows here after that.")
NEW_ROW = {"quantity": 1}


def number_unless_xero_numbers(form, field) -> None:
    """A number is needed, unless the workspace lets Xero number new documents (the form's
    ``number_optional``): then an empty field means "Xero numbers it when sent"."""
    if (field.data or "").strip():
        return
    if getattr(form, "number_optional", False):
        raise StopValidation()
    raise StopValidation(form.number_missing)


number_unless_xero_numbers.field_flags = {"required": True}  # unless the form says optional


class DocumentForm(VersionedForm):
    """Base of a document's form. Subclasses name their messages and ``number_in_use``."""

    number_optional = False
    number_missing = "Enter a number."
    number_taken_message = "Another document already has this number."

    _line_choices: tuple[Any, ...] = ()

    # ---- set up per request (the document's editing.configure) ----

    def configure_numbering(self, numbered_by_xero: bool) -> None:
        """Xero numbers new documents: an empty Number then means "numbered when sent"."""
        self.number_optional = numbered_by_xero
        if numbered_by_xero:
            self.number.description = XERO_NUMBERS_HINT
            self.number.flags.required = False

    def configure_lines(self, *choices: Any) -> None:
        """Give every row (and every row added later) the choices of this workspace."""
        self._line_choices = choices
        for entry in self.lines:
            entry.form.configure(*choices)

    def number_in_use(self, number: str) -> bool:
        """Whether another record of this workspace already has ``number``."""
        return False

    # ---- validation ----

    def validate_number(self, field) -> None:
        number = (field.data or "").strip()  # empty: Xero numbers it (nothing to clash)
        if number and self.number_in_use(number):
            raise ValidationError(self.number_taken_message)

    def validate_lines(self, field) -> None:
        if not field.entries:
            raise ValidationError("Add at least one line.")
        if unreadable_line_ids([entry.form.line_id.data for entry in field.entries]):
            raise ValidationError(LINE_ID_UNREADABLE)

    # ---- the rows ----

    def add_line(self) -> Form:
        """A new empty row (quantity 1), numbered after the last row on the page."""
        self.lines.append_entry(dict(NEW_ROW))
        line = self.lines.entries[-1].form
        line.configure(*self._line_choices)
        return line

    def remove_lines(self, entries: list) -> None:
        """Remove rows and renumber the rest 0..n-1, as FieldList numbers posted rows."""
        self.lines.entries = [entry for entry in self.lines.entries if entry not in entries]
        self.lines._compact_indices()  # wtforms' own renumbering (FieldList.process uses it)

    def drop_blank_lines(self) -> None:
        self.remove_lines([entry for entry in self.lines.entries if entry.form.is_blank()])

    def ensure_a_row(self) -> None:
        """Re-rendering with no rows left (all blank or removed): give the user one to type in."""
        if not self.lines.entries:
            self.add_line()

    def line_forms(self) -> list[Form]:
        return [entry.form for entry in self.lines.entries]
