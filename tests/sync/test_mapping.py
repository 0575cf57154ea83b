"""Pure mapping functions: our records -> Xero JSON, and where-filter escaping."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from xeroapp.xero import mapping


def line(**values):
    base = dict(description="Beans", quantity=Decimal("2.0000"), unit_price=Decimal("12.5000"),
                discount_rate=None, account_code=None, tax_type=None, xero_line_item_id=None,
                product=None, product_id=None)
    return SimpleNamespace(**{**base, **values})


def invoice(**values):
    base = dict(number="INV-1", reference=None, issue_date=date(2026, 11, 1), due_date=None,
                amount_type="Exclusive", currency="NZD", lines=[line()])
    return SimpleNamespace(**{**base, **values})


def test_where_strings_hold_ampersands_and_apostrophes_but_never_quotes_or_backslashes():
    assert mapping.where_string("O'Brien & Sons + Co") == '"O\'Brien & Sons + Co"'
    for value in ('The "Best" + Co', "Back\\slash"):
        assert not mapping.quotable(value)
        with pytest.raises(ValueError):
            mapping.where_string(value)  # Xero refuses \" (QueryParseException): never sent


@pytest.mark.parametrize("name, term", [
    ('Joe "Plumber" Ltd', "Plumber"),
    ('"Best" Beans', "Beans"),
    ("Back\\slash Ltd", "slash Ltd"),
    ('"', '"'),  # no part without a quote: the name itself
])
def test_names_a_where_cannot_hold_are_searched_by_their_longest_plain_part(name, term):
    assert mapping.name_term(name) is None
    assert mapping.search_term(name, 100) == term


def test_search_terms_are_cut_to_the_room_left_in_the_url():
    name = "\u6771" * 255  # a 255-character name: 9 characters each once encoded
    assert mapping.name_term(name) is not None
    term = mapping.search_term(name, 900)
    assert mapping.query_length(term) <= 900 and name.startswith(term) and len(term) == 100


def test_query_length_counts_characters_as_sent():
    assert mapping.query_length("Name==\"A B\"") == len("Name%3D%3D%22A+B%22")
    assert mapping.query_length("a,b") == len("a%2Cb")


def test_where_lists_are_split_by_their_encoded_length():
    terms = [f'Name=="Client {n:03} & Sons"' for n in range(60)]
    groups = mapping.where_any(terms, 500)
    assert [t for group in groups for t in group] == terms  # each once, in order
    assert all(mapping.query_length(mapping.joined(g)) <= 500 for g in groups)
    # as few as fit: each group but the last would overflow with the next term
    for group, following in zip(groups, groups[1:]):
        assert mapping.query_length(mapping.joined(group + following[:1])) > 500


def test_id_lists_stay_within_the_room():
    ids = [f"{n:08d}-0000-0000-0000-000000000000" for n in range(120)]
    lists = mapping.id_lists(ids, 1900)
    assert ",".join(lists).split(",") == ids
    assert all(mapping.query_length(l) <= 1900 for l in lists)
    assert len(lists) == 3  # 36 + 3 (%2C) characters an id: 49 of them a list


def test_item_codes_with_quotes_are_looked_for_by_a_part():
    assert mapping.item_lookups(["A", 'PIPE-1/2"', "A"], 500) == [
        'Code=="A" OR Code.Contains("PIPE-1/2")']
    assert mapping.item_lookups(["A", '""'], 500) == [""]  # nothing to look for: every item


def test_contact_changes_send_only_what_changed_here():
    now = {"Name": "Kai", "EmailAddress": "new@kai.example", "TaxNumber": "", "AccountNumber": ""}
    last = {"Name": "Kai", "EmailAddress": "old@kai.example", "TaxNumber": "12-345"}
    assert mapping.contact_changes(now, last) == {"EmailAddress": "new@kai.example",
                                                  "TaxNumber": ""}  # cleared here: cleared there
    assert mapping.contact_changes(now, None) == {"Name": "Kai", "EmailAddress": "new@kai.example"}
    assert mapping.adoption_changes(now) == {"EmailAddress": "new@kai.example"}


def test_contact_body_nests_the_address_and_phone():
    body = mapping.contact_body({"Name": "Kai", "Address.City": "Napier",
                                 "Phone.PhoneNumber": ""}, "XA-C-1")
    assert body == {"Name": "Kai", "ContactNumber": "XA-C-1",
                    "Addresses": [{"AddressType": "POBOX", "City": "Napier"}],
                    "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": ""}]}


def test_contact_numbers_name_the_kind_and_id():
    assert mapping.contact_number("client", 7) == "XA-C-7"
    assert mapping.contact_number("supplier", 7) == "XA-S-7"


def test_line_defaults_fill_only_what_the_line_leaves_out():
    defaults = mapping.LineDefaults("200", "OUTPUT2")
    body = mapping.invoice(invoice(lines=[line(), line(account_code="260", tax_type="NONE")]),
                           "c-1", defaults, create=True)
    assert [(l["AccountCode"], l["TaxType"]) for l in body["LineItems"]] == [
        ("200", "OUTPUT2"), ("260", "NONE")]
    assert body["Status"] == "DRAFT" and body["Contact"] == {"ContactID": "c-1"}
    assert "DueDate" not in body


def test_no_tax_invoices_take_no_default_tax_rate():
    body = mapping.invoice(invoice(amount_type="NoTax"), "c-1", mapping.LineDefaults("200", "OUTPUT2"),
                           create=False)
    assert "TaxType" not in body["LineItems"][0] and "Status" not in body


def test_update_keeps_line_item_ids_and_item_codes_of_linked_products():
    product = SimpleNamespace(name="Beans 1 kg", sales_account_code="260", tax_type=None)
    lines = [line(xero_line_item_id="li-1", product=product, product_id=5, description="")]
    body = mapping.invoice(invoice(lines=lines), "c-1", mapping.LineDefaults(), create=False,
                           item_codes={5: "BEAN-1KG"})
    (sent,) = body["LineItems"]
    assert sent == {"Description": "Beans 1 kg", "Quantity": 2.0, "UnitAmount": 12.5,
                    "AccountCode": "260", "ItemCode": "BEAN-1KG", "LineItemID": "li-1"}
