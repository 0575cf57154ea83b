"""Invoice number suggestions and uniqueness (xeroapp.invoices.numbering)."""
from __future__ import annotations

import pytest

from xeroapp.invoices.numbering import number_taken, suggest_number


@pytest.fixture
def numbers(app, records):
    """``numbers(*existing)`` -> what is suggested next in a workspace holding ``existing``."""
    workspace = records.workspace()

    def suggest(*existing: str) -> str:
        for number in existing:
            records.invoice(workspace, number=number)
        with app.app_context():
            return suggest_number(workspace)

    return suggest


@pytest.mark.parametrize("existing, expected", [
    ((), "INV-0001"),
    (("INV-0001",), "INV-0002"),
    (("INV-0009", "INV-0041", "INV-0007"), "INV-0042"),   # the highest, not the latest
    (("INV-9999",), "INV-10000"),                         # grows past its padding
    (("2026/17", "A-7"), "INV-0001"),                     # other series are skipped
    (("Spring sale",), "INV-0001"),                       # no number to continue
    (("INV-0002", "inv-0003"), "INV-0004"),               # the prefix matches in any case
    (("INV-0003A",), "INV-0001"),                         # not in the series (as at Xero)
    (("INV-00041",), "INV-00042"),                        # the padding in use is kept
])
def test_suggestion_continues_the_highest_number(numbers, existing, expected):
    assert numbers(*existing) == expected


def test_suggestion_is_per_workspace(app, records, numbers):
    records.invoice(records.workspace(name="Busy Ltd", email="busy@example.com"), number="INV-0500")
    assert numbers() == "INV-0001"


def test_number_taken_is_case_and_space_insensitive_and_excludes_self(app, records):
    workspace = records.workspace()
    invoice_id = records.invoice(workspace, number="INV-0007")
    with app.app_context():
        assert number_taken(workspace, " inv-0007 ")
        assert not number_taken(workspace, "INV-0007", exclude_id=invoice_id)
        assert not number_taken(workspace, "INV-0008")
