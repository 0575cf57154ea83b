"""Ids, row numbers and page numbers are read in one place (xeroapp/ids.py): what cannot be
one is a 404 in a path, a 400 with a plain message in a query argument or form, page 1 for a
page number; a NUL anywhere in a query or form is a 400 too, on SQLite and PostgreSQL alike."""
from __future__ import annotations

import html
import re

import pytest

from xeroapp.ids import parse_id, parse_page, parse_row

BIG = str(2**63)
UNREADABLE = "carries an id or line number that cannot be one"


@pytest.mark.parametrize("text, expected", [
    ("1", 1), ("42", 42), ("999999999999999999", 10**18 - 1),
    ("", None), ("0", None), ("01", None), ("-1", None), ("+1", None), ("1.5", None),
    (" 1", None), ("1\n", None), ("²", None), ("١٢", None), (BIG, None),
    ("9223372036854775807", None), ("9" * 4301, None), (None, None),
])
def test_parse_id_reads_ascii_digits_of_an_id_only(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize("text, expected", [
    (None, 1), ("", 1), ("2", 2), ("1000000", 1_000_000), ("1000001", 1), ("0", 1), ("-3", 1),
    ("²", 1), (BIG, 1), ("9" * 4301, 1),
])
def test_parse_page_falls_back_to_the_first_page(text, expected):
    assert parse_page(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("0", 0), ("12", 12), ("99999", 99_999), ("100000", None), ("²", None), ("-1", None), ("", None),
])
def test_parse_row(text, expected):
    assert parse_row(text) == expected


def test_every_path_variable_is_an_id_or_the_static_files_path(app):
    for rule in app.url_map.iter_rules():
        for converter in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", rule.rule):
            assert converter == ("path" if rule.endpoint == "static" else "id"), rule.rule


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


@pytest.fixture
def ada(auth, records) -> int:
    assert auth.signup().status_code == 302
    return records.workspace_id_of(auth.default.email)


@pytest.mark.parametrize("tail", [BIG, "18446744073709551616", "0", "-1", "9" * 4301])
def test_a_path_id_that_cannot_be_one_is_not_found(client, ada, tail):
    for path in (f"/clients/{tail}", f"/invoices/{tail}/edit", f"/xero/client/{tail}/panel"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "We could not find that page" in text_of(response)
    # the same for a POST, where the path also has a GET route (not 405)
    assert client.post(f"/purchase-orders/{tail}/xero/missing-products").status_code == 404


def test_unicode_digits_in_a_path_do_not_reach_a_record(client, ada, records):
    client_id = records.client(ada, name="Bayside Café")
    arabic_indic = "".join(chr(0x0660 + int(digit)) for digit in str(client_id))

    assert client.get(f"/clients/{client_id}").status_code == 200
    assert client.get(f"/clients/{arabic_indic}").status_code == 404


@pytest.mark.parametrize("url", [
    f"/invoices/?client={BIG}", "/invoices/?client=²", f"/invoices/new?client_id={'9' * 4301}",
    f"/purchase-orders/?supplier={BIG}", "/purchase-orders/new?supplier_id=١٢",
    f"/xero/bulk/clients?run={BIG}",
])
def test_a_query_id_that_cannot_be_one_is_a_plain_400(client, ada, url):
    response = client.get(url)

    assert response.status_code == 400
    assert UNREADABLE in text_of(response)


def test_a_blank_query_id_is_no_filter(client, ada, records):
    records.invoice(ada, number="INV-0001")

    assert "INV-0001" in text_of(client.get("/invoices/?client=&status="))


@pytest.mark.parametrize("page", [BIG, "²", "9" * 4301, "-1"])
def test_an_unreadable_page_number_shows_the_first_page(client, ada, records, page):
    records.client(ada, name="Bayside Café")

    for url in (f"/clients/?page={page}", f"/settings/integrations/activity?page={page}"):
        assert client.get(url).status_code == 200, url
    assert "Bayside Café" in text_of(client.get(f"/clients/?page={page}"))


@pytest.mark.parametrize("request_args", [
    {"path": "/clients/", "query_string": {"q": "caf\x00"}},
    {"path": "/auth/login", "method": "POST", "data": {"email": "ada\x00@example.com",
                                                      "password": "x"}},
])
def test_a_nul_character_is_refused_before_anything_reads_it(client, ada, request_args):
    """PostgreSQL cannot store or compare text with NUL: it answered 500 there."""
    response = client.open(**request_args)

    assert response.status_code == 400
    assert "cannot be stored (NUL)" in text_of(response)


def test_a_nul_in_a_client_form_saves_nothing(app, client, ada, records):
    client_id = records.client(ada, name="Bayside Café")

    response = client.post(f"/clients/{client_id}/edit", data={"name": "Bay\x00side"})

    assert response.status_code == 400
    assert "Bayside Café" in text_of(client.get(f"/clients/{client_id}"))
