"""Document arithmetic (xeroapp.documents.totals) and the live totals endpoint."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from xeroapp.documents.totals import LineFigures, compute_totals, line_amount, line_tax

RATES = {"OUTPUT2": D("15"), "NONE": D("0")}


def totals(amount_type, *lines):
    return compute_totals([LineFigures(*line) for line in lines], amount_type,
                          lambda code: RATES.get(code or "OUTPUT2", D("0")))


@pytest.mark.parametrize("qty, unit, discount, expected", [
    ("3", "10", None, "30.00"),
    ("1.5", "20", "10", "27.00"),
    ("1", "0.125", None, "0.13"),       # half-up, not banker's rounding (0.12)
    ("3", "0.335", None, "1.01"),       # 1.005 -> 1.01
    ("2", "9.99", "12.5", "17.48"),     # 17.4825
    ("1", "100", "100", "0.00"),
    ("0.3333", "3", None, "1.00"),      # 0.9999
])
def test_line_amount_is_xeros_line_amount(qty, unit, discount, expected):
    assert line_amount(D(qty), D(unit), D(discount) if discount else None) == D(expected)


def test_line_tax_for_each_amount_type():
    assert line_tax(D("100.00"), D("15"), "Exclusive") == D("15.00")
    assert line_tax(D("115.00"), D("15"), "Inclusive") == D("15.00")
    assert line_tax(D("10.00"), D("15"), "Inclusive") == D("1.30")  # 1.3043...
    assert line_tax(D("100.00"), D("15"), "NoTax") == D("0.00")


def test_exclusive_totals_with_discounts():
    result = totals("Exclusive", (D("3"), D("10"), None, "OUTPUT2"),
                    (D("1.5"), D("20"), D("10"), "OUTPUT2"), (D("1"), D("5"), None, "NONE"))

    assert result.line_amounts == [D("30.00"), D("27.00"), D("5.00")]
    assert (result.lines_total, result.subtotal, result.tax, result.total) == (
        D("62.00"), D("62.00"), D("8.55"), D("70.55"))


def test_inclusive_totals_take_tax_out_of_the_amounts():
    result = totals("Inclusive", (D("1"), D("115"), None, "OUTPUT2"),
                    (D("2"), D("11.50"), D("50"), None))  # 11.50 incl. -> 1.50 tax

    assert (result.lines_total, result.tax, result.subtotal, result.total) == (
        D("126.50"), D("16.50"), D("110.00"), D("126.50"))


def test_no_tax_totals():
    result = totals("NoTax", (D("2"), D("12.50"), D("20"), "OUTPUT2"))

    assert (result.subtotal, result.tax, result.total) == (D("20.00"), D("0.00"), D("20.00"))


def test_tax_is_rounded_per_line_like_xero():
    result = totals("Exclusive", (D("1"), D("0.03"), None, "OUTPUT2"), (D("1"), D("0.03"), None, "OUTPUT2"))

    assert result.tax == D("0.00")  # 2 x 0.0045 rounded per line, not 0.009 -> 0.01


# ---- The endpoint ---------------------------------------------------------------------------

def post_totals(client, amount_type, rows, currency="NZD"):
    data = {"amount_type": amount_type, "currency": currency}
    for row, (qty, unit, discount, tax_type) in rows.items():
        data.update({f"lines-{row}-quantity": qty, f"lines-{row}-unit_price": unit,
                     f"lines-{row}-discount_rate": discount, f"lines-{row}-tax_type": tax_type,
                     f"lines-{row}-description": "x"})
    return client.post("/invoices/totals", data=data, headers={"HX-Request": "true"})


@pytest.fixture
def ada(auth):
    auth.signup()  # an NZD workspace: OUTPUT2 is 15% GST, blank is the 15% default


def test_endpoint_exclusive_with_discount(client, ada):
    response = post_totals(client, "Exclusive", {0: ("3", "10", "", "OUTPUT2"),
                                                 4: ("1.5", "20", "10", ""),
                                                 5: ("1", "5", "", "NONE")})

    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="invoice-totals"')
    assert "<dt>Subtotal</dt>\n    <dd>62.00</dd>" in body
    assert "<dt>Tax</dt>\n    <dd>8.55</dd>" in body
    assert "NZD 70.55" in body
    # each row's amount, swapped out of band into that row; rows are numbered 0..n-1 in page
    # order, as the page numbers them
    assert '<output id="line-amount-0" hx-swap-oob="true">30.00</output>' in body
    assert '<output id="line-amount-1" hx-swap-oob="true">27.00</output>' in body
    assert '<output id="line-amount-2" hx-swap-oob="true">5.00</output>' in body


def test_endpoint_inclusive(client, ada):
    body = post_totals(client, "Inclusive", {0: ("1", "115", "", "OUTPUT2"),
                                             1: ("2", "11.50", "50", "")}).get_data(as_text=True)

    assert "Subtotal (includes tax)</dt>\n    <dd>126.50</dd>" in body
    assert "<dt>Includes tax</dt>\n    <dd>16.50</dd>" in body
    assert "NZD 126.50" in body


def test_endpoint_no_tax(client, ada):
    body = post_totals(client, "NoTax", {0: ("2", "12.50", "20", "OUTPUT2")},
                       currency="AUD").get_data(as_text=True)

    assert "<dt>Tax</dt>" not in body and "Includes tax" not in body
    assert "AUD 20.00" in body


def test_endpoint_counts_unreadable_numbers_as_zero(client, ada):
    body = post_totals(client, "Exclusive", {0: ("abc", "10", "", "NONE"),
                                             1: ("2", "5", "", "NONE")}).get_data(as_text=True)

    assert '<output id="line-amount-0" hx-swap-oob="true">0.00</output>' in body
    assert "NZD 10.00" in body


def test_endpoint_needs_csrf(client, ada):
    assert client.post("/invoices/totals", data={}, csrf=False).status_code == 400
