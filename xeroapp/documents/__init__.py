"""What every document with lines (invoices, purchase orders) shares.

A document type is one package with the same modules, each holding one side of it:

- ``forms.py``: the form, a ``DocumentForm`` with a ``lines`` field of ``LineRows`` over its line
  sub-form (a plain WTForms ``Form`` with ``is_blank``, ``configure`` and ``figures``);
- ``editing.py``: between the form and the model: the data a new or saved record shows in
  the form, the choices it offers (``configure``), a product's details filling a row, and
  copying a validated form onto the record (lines keep their row, and so Xero's line id);
- ``numbering.py`` and ``tax.py``: its number series and its side (sales, purchases) of tax;
- ``views.py``: the routes only: list, detail, new, edit, and the two htmx endpoints of the
  form (``lines``: add, remove, fill a row from a product; ``totals``: live totals).

The shared parts live here: ``lines`` (line rows and their edits), ``forms`` (the form's
number and lines rules), ``editing`` (lines copied onto a record), ``saving`` (the form's
save: stale check, validation, 422 when it fails; htmx swaps 422 in place, see base.html),
``totals`` (arithmetic). Its push to Xero follows the same split: sync/<type>.py describes
the Xero resource and builds the body, sync/document_push.py takes the steps.
"""
