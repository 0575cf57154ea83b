"""xero_state: Xero's statuses in plain words, "Part paid" and "Overdue"."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from xeroapp.models.xero import XeroLink
from xeroapp.panel.xero_state import (contact_notice, invoice_status, payments,
                                      purchase_order_status, workspace_today)

TODAY = date(2026, 12, 5)


def link(**xero) -> XeroLink:
    return XeroLink(record_kind="invoice", record_id=1, tenant_id="t", xero_id="x", **xero)


@pytest.mark.parametrize("status, paid, words, css", [
    ("DRAFT", None, "Draft", "muted"),
    ("SUBMITTED", None, "Awaiting approval", "waiting"),
    ("AUTHORISED", None, "Awaiting payment", "queued"),
    ("AUTHORISED", Decimal("0"), "Awaiting payment", "queued"),
    ("AUTHORISED", Decimal("10.00"), "Part paid", "waiting"),
    ("PAID", Decimal("25.00"), "Paid", "in-xero"),
    ("VOIDED", None, "Voided", "muted"),
    ("DELETED", None, "Deleted in Xero", "failed"),
])
def test_invoice_statuses_in_plain_words(status, paid, words, css):
    said = invoice_status(link(xero_status=status, xero_amount_paid=paid), None, TODAY)
    assert (said.label, said.css, said.overdue) == (words, css, False)


def test_nothing_is_said_before_xero_was_read():
    assert invoice_status(None, None, TODAY) is None
    assert invoice_status(link(), date(2026, 1, 1), TODAY) is None
    assert purchase_order_status(link()) is None


@pytest.mark.parametrize("status, paid, due, overdue", [
    ("AUTHORISED", None, TODAY - timedelta(days=1), True),
    ("AUTHORISED", Decimal("5"), TODAY - timedelta(days=1), True),  # part paid, still owed
    ("AUTHORISED", None, TODAY, False),  # due today is not overdue yet
    ("AUTHORISED", None, None, False),
    ("PAID", Decimal("25"), TODAY - timedelta(days=30), False),
    ("DRAFT", None, TODAY - timedelta(days=30), False),
    ("VOIDED", None, TODAY - timedelta(days=30), False),
])
def test_overdue_is_money_still_owed_after_the_due_date(status, paid, due, overdue):
    said = invoice_status(link(xero_status=status, xero_amount_paid=paid), due, TODAY)
    assert said.overdue is overdue


def test_today_is_the_workspace_clock_date():
    # UTC+14 and UTC-11 are 25 hours apart: their dates always differ.
    ahead, behind = workspace_today("Pacific/Kiritimati"), workspace_today("Pacific/Pago_Pago")
    assert ahead == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert ahead > behind
    assert workspace_today("Not/AZone") == datetime.now(ZoneInfo("UTC")).date()


@pytest.mark.parametrize("status, words", [
    ("DRAFT", "Draft"), ("SUBMITTED", "Awaiting approval"), ("AUTHORISED", "Approved"),
    ("BILLED", "Billed"), ("DELETED", "Deleted in Xero"),
])
def test_purchase_order_statuses(status, words):
    assert purchase_order_status(link(xero_status=status)).label == words


def test_contacts_archived_or_merged():
    assert contact_notice(link(xero_status="ACTIVE")) is None
    assert contact_notice(link(xero_status="ARCHIVED")) == "Archived in Xero"
    assert contact_notice(link(xero_status="ARCHIVED", xero_merged_into="m-1")) == (
        "Merged in Xero into another contact")
    assert contact_notice(None) is None


def test_payments_are_read_from_xeros_json_and_survive_a_bad_entry():
    read = payments(link(xero_payments=[
        {"PaymentID": "p1", "Date": "2026-12-03", "Amount": "12.50", "Reference": "Bank 1"},
        {"PaymentID": "p2", "Date": "not a date", "Amount": "lots"},
        "junk",
    ]))
    assert [(p.paid_on, p.amount, p.reference) for p in read] == [
        (date(2026, 12, 3), Decimal("12.50"), "Bank 1"), (None, None, "")]
