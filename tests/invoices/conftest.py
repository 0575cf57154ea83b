"""Helpers for the invoice tests: a logged-in workspace and the form's field names."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Invoice


@pytest.fixture
def ada(auth, records) -> int:
    """Ada's workspace id (NZD), logged in."""
    auth.signup()
    return records.workspace_id_of("ada@example.com")


def invoice_form(client_id: int, lines: list[dict[str, Any]], **fields: Any) -> dict[str, str]:
    """POST data for the invoice form: header fields plus ``lines-<n>-<field>`` rows."""
    data = {"number": "INV-0001", "client_id": str(client_id), "issue_date": "2026-11-02",
            "due_date": "2026-11-16", "reference": "", "currency": "NZD",
            "amount_type": "Exclusive"}
    data.update({key: str(value) for key, value in fields.items()})
    for row, line in enumerate(lines):
        values = {"line_id": "", "product_id": "", "description": "", "quantity": "1",
                  "unit_price": "", "discount_rate": "", "account_code": "", "tax_type": ""}
        values.update({key: str(value) for key, value in line.items()})
        data.update({f"lines-{row}-{key}": value for key, value in values.items()})
    return data


def load_invoice(app, **where) -> Invoice | None:
    """The invoice with its lines, detached (readable after the app context ends)."""
    with app.app_context():
        invoice = db.session.scalar(sa.select(Invoice).filter_by(**where))
        if invoice is None:
            return None
        for line in invoice.lines:
            db.session.expunge(line)
        db.session.expunge(invoice)
        return invoice


def input_value(body: str, name: str) -> str | None:
    """The value attribute of the input called ``name`` in a rendered page (None if absent)."""
    import html
    import re

    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', body)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""
