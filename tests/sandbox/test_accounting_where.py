"""The ``where`` / ``order`` language: parser and evaluator, then through GET /Contacts."""
from __future__ import annotations

import pytest

from tests.sandbox.sandbox_helpers import auth_headers, minted_token
from xerosandbox.accounting.listing import sort_docs
from xerosandbox.accounting.where import QueryParseError, compile_order, compile_where

GUID = "430fa14a-f945-44d3-9f97-5df5e28441b8"
TRICKY = 'O\'Brien & Sons + Co "Ltd"'
INVOICE = {
    "InvoiceNumber": "INV-0007", "Type": "ACCREC", "Status": "AUTHORISED", "Total": 40.0,
    "SentToContact": False, "Date": "/Date(1552262400000+0000)/",
    "Contact": {"ContactID": GUID, "Name": TRICKY},
}


def matches(expression: str, doc: dict = INVOICE, schema: str = "Invoice") -> bool:
    return compile_where(expression, schema)(doc)


@pytest.mark.parametrize("expression, expected", [
    ('Type=="ACCREC"', True),
    ('Type == "ACCPAY"', False),
    ('Type!="ACCPAY"', True),
    ('Type<>"ACCREC"', False),
    ('type=="accrec"', True),                                   # names and strings ignore case
    ("Total==40", True),
    ("Total>=40.5", False),
    ("Total<100 AND Total>10", True),
    ("SentToContact==false", True),
    ("SentToContact", False),
    (f'Contact.ContactID==Guid("{GUID}")', True),
    (f'Contact.ContactID==Guid("{GUID.upper()}")', True),
    ('Contact.Name=="O\'Brien & Sons + Co ""Ltd"""', True),     # doubled quotes
    ('Contact.Name.Contains("sons + co")', True),
    ('Contact.Name.StartsWith("O\'Brien &")', True),
    ('Contact.Name.EndsWith("""Ltd""")', True),
    ('Contact.Name.ToLower()=="o\'brien & sons + co ""ltd"""', True),
    ('Contact.Name.EndsWith("Ltd\\")', False),                  # a backslash is a character
    ('Status=="DRAFT" OR Status=="AUTHORISED"', True),
    ('Status=="DRAFT" || Status=="PAID"', False),
    ('Type=="ACCPAY" AND Status=="AUTHORISED" OR Total==40', True),   # AND binds tighter
    ('Type=="ACCPAY" AND (Status=="AUTHORISED" OR Total==40)', False),
    ('NOT (Type=="ACCPAY")', True),
    ("!SentToContact && Total > 0", True),
    ("Date>=DateTime(2019, 03, 11)", True),
    ("Date>DateTime(2019,3,11)", False),
    ('Date<DateTime.Parse("2019-03-12T00:00:00")', True),
    ("Reference==null", True),
])
def test_where_evaluates_like_xero(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


@pytest.mark.parametrize("expression, message", [
    ("", "Expression expected"),
    ('Type=="ACCREC" AND', "Expression expected"),
    ('Type=="ACCREC', "Unterminated string literal"),
    ('Foo=="x"', "No property or field 'Foo' exists in type Invoice"),
    ('Contact.Nope=="x"', "No property or field 'Nope' exists in type Contact"),
    (f'Contact.ContactID=="{GUID}"', "Operator '==' incompatible with operand types 'Guid' and 'String'"),
    ('SentToContact=="true"', "Operator '==' incompatible with operand types 'Boolean' and 'String'"),
    ('Guid("not-a-guid")==Contact.ContactID', "Guid should contain 32 digits"),
    ("(Total==1", "')' or operator expected"),
    ("Total", "Expression of type 'Boolean' expected"),
    ("Type=='AB'", "Character literal must contain exactly one character"),
    ('Type.Frobnicate("x")', "No applicable method 'Frobnicate'"),
    # No backslash escapes (github.com/XeroAPI/Xero-Java/issues/347): the literal ends at
    # the escaped quote.
    ('Contact.Name=="O\'Brien & Sons + Co \\"Ltd\\""', "Syntax error"),
    ('Contact.Name=="Joe \\"Plumber\\" Ltd"', "Syntax error"),
    ('Type=="A" AND Total==1 #', "Syntax error '#'"),
])
def test_where_rejects_what_xero_rejects(expression: str, message: str) -> None:
    with pytest.raises(QueryParseError) as failure:
        compile_where(expression, "Invoice")
    assert message in str(failure.value)


def test_order_sorts_by_several_keys_with_direction() -> None:
    docs = [{"InvoiceNumber": "b", "Total": 1}, {"InvoiceNumber": "A", "Total": 2},
            {"InvoiceNumber": "a", "Total": 3}, {"Total": 4}]
    ordered = sort_docs(docs, compile_order("InvoiceNumber ASC, Total DESC", "Invoice"))
    assert [d["Total"] for d in ordered] == [4, 3, 2, 1]  # missing first; "a"/"A" tie -> Total DESC
    with pytest.raises(QueryParseError):
        compile_order("InvoiceNumber SIDEWAYS", "Invoice")


# -- through the API ------------------------------------------------------------------------
@pytest.fixture
def headers(client) -> dict[str, str]:
    return auth_headers(minted_token(client))


def test_where_finds_a_contact_whose_name_has_quotes_ampersand_and_plus(client, headers) -> None:
    created = client.put("/api.xro/2.0/Contacts", headers=headers,
                         json={"Contacts": [{"Name": TRICKY}, {"Name": "O'Brien"}]})
    assert created.status_code == 200, created.get_json()
    doubled = TRICKY.replace('"', '""')
    # query_string is URL-encoded by the client, as a real HTTP client would: & and + survive.
    found = client.get("/api.xro/2.0/Contacts", headers=headers,
                       query_string={"where": f'Name=="{doubled}"'})
    assert found.status_code == 200
    assert [c["Name"] for c in found.get_json()["Contacts"]] == [TRICKY]


def test_a_backslash_escaped_quote_is_refused_as_xero_refuses_it(client, headers) -> None:
    """``Name=="asd\\"asd..."`` gets a QueryParseException, "Syntax error", as reported in
    github.com/XeroAPI/Xero-Java/issues/347."""
    client.put("/api.xro/2.0/Contacts", headers=headers,
               json={"Contacts": [{"Name": 'Joe "Plumber" Ltd'}]})
    response = client.get("/api.xro/2.0/Contacts", headers=headers,
                          query_string={"where": 'Name=="Joe \\"Plumber\\" Ltd"'})
    assert response.status_code == 400
    assert response.get_json() == {"ErrorNumber": 16, "Type": "QueryParseException",
                                   "Message": "Syntax error"}


def test_search_term_finds_a_name_with_quotes(client, headers) -> None:
    """searchTerm: case-insensitive text search across Name, FirstName, LastName,
    ContactNumber and EmailAddress (spec: GET /Contacts, parameter searchTerm)."""
    client.put("/api.xro/2.0/Contacts", headers=headers, json={"Contacts": [
        {"Name": 'Joe "Plumber" Ltd'}, {"Name": "Plumbing Supplies"},
        {"Name": "Ann", "EmailAddress": "ann@plumber.example"}]})
    found = client.get("/api.xro/2.0/Contacts", headers=headers,
                       query_string={"searchTerm": 'joe "plumber"'}).get_json()["Contacts"]
    assert [c["Name"] for c in found] == ['Joe "Plumber" Ltd']
    found = client.get("/api.xro/2.0/Contacts", headers=headers,
                       query_string={"searchTerm": "PLUMBER"}).get_json()["Contacts"]
    assert sorted(c["Name"] for c in found) == ["Ann", 'Joe "Plumber" Ltd']


def test_order_param_sorts_contacts(client, headers) -> None:
    client.put("/api.xro/2.0/Contacts", headers=headers,
               json={"Contacts": [{"Name": "Beta"}, {"Name": "alpha"}, {"Name": "Gamma"}]})
    asc = client.get("/api.xro/2.0/Contacts?order=Name", headers=headers).get_json()["Contacts"]
    desc = client.get("/api.xro/2.0/Contacts?order=Name%20DESC", headers=headers).get_json()["Contacts"]
    assert [c["Name"] for c in asc] == ["alpha", "Beta", "Gamma"]
    assert [c["Name"] for c in desc] == ["Gamma", "Beta", "alpha"]


def test_a_bad_where_is_a_400_query_parse_exception(client, headers) -> None:
    response = client.get("/api.xro/2.0/Contacts", headers=headers,
                              query_string={"where": 'Nickname=="x"'})
    assert response.status_code == 400
    assert response.get_json() == {"ErrorNumber": 16, "Type": "QueryParseException",
                                   "Message": "No property or field 'Nickname' exists in type Contact"}
