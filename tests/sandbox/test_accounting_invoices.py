"""/Invoices: totals, numbering, line-item update semantics, status rules, contacts, reads."""
from __future__ import annotations

import pytest

from tests.sandbox.sandbox_helpers import auth_headers, minted_token
from xerosandbox.orgs import DEMO_TENANT_ID, SECOND_TENANT_ID

API = "/api.xro/2.0"
NOT_MODIFIABLE = "Invoice not of valid status for modification"


@pytest.fixture
def headers(client) -> dict[str, str]:
    return auth_headers(minted_token(client))


@pytest.fixture
def contact_id(client, headers) -> str:
    made = client.put(f"{API}/Contacts", headers=headers, json={"Contacts": [{"Name": "Customer"}]})
    return made.get_json()["Contacts"][0]["ContactID"]


def invoice(contact_id: str, **fields) -> dict:
    base = {"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Date": "2019-03-11",
            "DueDate": "2019-03-25",
            "LineItems": [{"Description": "Consulting", "Quantity": 2, "UnitAmount": 100,
                           "AccountCode": "200"}]}
    return {**base, **fields}


def put(client, headers, *invoices: dict, query: str = ""):
    return client.put(f"{API}/Invoices{query}", headers=headers, json={"Invoices": list(invoices)})


def created(client, headers, *invoices: dict) -> list[dict]:
    response = put(client, headers, *invoices)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["Invoices"]


def errors(response) -> list[str]:
    return [e["Message"] for el in response.get_json()["Elements"] for e in el["ValidationErrors"]]


# -- totals -----------------------------------------------------------------------------------
@pytest.mark.parametrize("amount_types, sub_total, tax, total", [
    ("Exclusive", 230.0, 34.5, 264.5),   # 2x100 + 3x10 = 230 net, 15% GST on top
    ("Inclusive", 200.0, 30.0, 230.0),   # 230 gross: 200 net + 30 GST (per line: 26.09 + 3.91)
    ("NoTax", 230.0, 0.0, 230.0),
])
def test_totals_follow_line_amount_types(client, headers, contact_id, amount_types, sub_total, tax, total) -> None:
    lines = [{"Description": "A", "Quantity": 2, "UnitAmount": 100, "AccountCode": "200"},
             {"Description": "B", "Quantity": 3, "UnitAmount": 10, "AccountCode": "200"}]
    inv = created(client, headers, invoice(contact_id, LineAmountTypes=amount_types, LineItems=lines))[0]
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"]) == (sub_total, tax, total)
    assert inv["AmountDue"] == total and inv["AmountPaid"] == 0.0
    assert [line["LineAmount"] for line in inv["LineItems"]] == [200.0, 30.0]
    assert all(line["TaxType"] == "OUTPUT2" for line in inv["LineItems"])  # the account's default


def test_rounding_discount_and_explicit_tax_type(client, headers, contact_id) -> None:
    lines = [{"Description": "A", "Quantity": 3, "UnitAmount": 3.335, "AccountCode": "200",
              "DiscountRate": 10},
             {"Description": "B", "Quantity": 1, "UnitAmount": 50, "AccountCode": "200", "TaxType": "NONE"}]
    inv = created(client, headers, invoice(contact_id, LineItems=lines))[0]
    first, second = inv["LineItems"]
    assert first["UnitAmount"] == 3.34 and first["LineAmount"] == 9.02   # 10.02 less 10%, half-up
    assert first["TaxAmount"] == 1.35 and second["TaxAmount"] == 0.0
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"]) == (59.02, 1.35, 60.37)
    assert inv["IsDiscounted"] is True


def test_discounted_line_amount_is_rounded_once(client, headers, contact_id) -> None:
    # 3 x 0.3350 x 90% = 0.9045 -> 0.90; rounding 1.005 to 1.01 first would give 0.91.
    lines = [{"Description": "A", "Quantity": 3, "UnitAmount": 0.335, "AccountCode": "200",
              "DiscountRate": 10}]
    response = put(client, headers, invoice(contact_id, LineItems=lines), query="?unitdp=4")
    assert response.status_code == 200
    assert response.get_json()["Invoices"][0]["LineItems"][0]["LineAmount"] == 0.90


def test_au_organisation_uses_its_own_tax_rates(client) -> None:
    headers = auth_headers(minted_token(client, tenants=[SECOND_TENANT_ID]), SECOND_TENANT_ID)
    inv = created(client, headers, {"Type": "ACCREC", "Contact": {"Name": "Aussie"},
                                    "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 100,
                                                   "AccountCode": "200"}]})[0]
    assert inv["LineItems"][0]["TaxType"] == "OUTPUT" and inv["TotalTax"] == 10.0
    assert inv["CurrencyCode"] == "AUD"


# -- unit decimal places (unitdp) -------------------------------------------------------------
FOUR_DP_LINE = {"Description": "Cable", "Quantity": 3, "UnitAmount": 10.1234, "AccountCode": "200"}


def stored(client, invoice_id: str) -> dict:
    """What the organisation holds, at full precision (the control API, not an answer)."""
    return client.get(f"/_sandbox/objects/{DEMO_TENANT_ID}/invoices/{invoice_id}").get_json()["Invoices"][0]


def figures(inv: dict) -> tuple:
    line = inv["LineItems"][0]
    return line["UnitAmount"], line["LineAmount"], inv["SubTotal"], inv["TotalTax"], inv["Total"]


def test_without_unitdp_a_unit_amount_is_rounded_to_cents_before_the_arithmetic(client, headers, contact_id) -> None:
    inv = created(client, headers, invoice(contact_id, LineItems=[FOUR_DP_LINE]))[0]
    # 10.12 x 3 = 30.36, 15% GST 4.554 -> 4.55: two cents short of the 4 dp figures below.
    assert figures(inv) == (10.12, 30.36, 30.36, 4.55, 34.91)
    assert figures(stored(client, inv["InvoiceID"])) == (10.12, 30.36, 30.36, 4.55, 34.91)


def test_with_unitdp_4_a_unit_amount_keeps_four_places_and_totals_stay_in_cents(client, headers, contact_id) -> None:
    finer = {**FOUR_DP_LINE, "Description": "Finer", "UnitAmount": 2.00005, "Quantity": 1}
    response = put(client, headers, invoice(contact_id, LineItems=[FOUR_DP_LINE, finer]), query="?unitdp=4")
    assert response.status_code == 200
    inv = response.get_json()["Invoices"][0]
    # 10.1234 x 3 = 30.3702 -> 30.37; 2.00005 -> 2.0001 (half up) -> 2.00.
    assert [(line["UnitAmount"], line["LineAmount"]) for line in inv["LineItems"]] == [(10.1234, 30.37), (2.0001, 2.0)]
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"]) == (32.37, 4.86, 37.23)  # 4.5555 -> 4.56, + 0.30
    assert figures(stored(client, inv["InvoiceID"]))[:2] == (10.1234, 30.37)


def test_reads_show_unit_amounts_in_cents_unless_they_ask_for_four_places(client, headers, contact_id) -> None:
    made = put(client, headers, invoice(contact_id, LineItems=[FOUR_DP_LINE]), query="?unitdp=4")
    invoice_id = made.get_json()["Invoices"][0]["InvoiceID"]
    one = f"{API}/Invoices/{invoice_id}"
    assert figures(client.get(one, headers=headers).get_json()["Invoices"][0]) == (10.12, 30.37, 30.37, 4.56, 34.93)
    assert figures(client.get(f"{one}?unitdp=4", headers=headers).get_json()["Invoices"][0])[0] == 10.1234
    paged = client.get(f"{API}/Invoices?page=1", headers=headers).get_json()["Invoices"][0]
    assert figures(paged)[0] == 10.12
    paged4 = client.get(f"{API}/Invoices?page=1&unitdp=4", headers=headers).get_json()["Invoices"][0]
    assert figures(paged4)[0] == 10.1234


def test_an_update_without_unitdp_rounds_the_amounts_it_sends_and_keeps_the_others(client, headers, contact_id) -> None:
    made = put(client, headers, invoice(contact_id, LineItems=[FOUR_DP_LINE]), query="?unitdp=4")
    inv = made.get_json()["Invoices"][0]
    url = f"{API}/Invoices/{inv['InvoiceID']}"
    # An edit that leaves the lines alone does not reprice them...
    client.post(url, headers=headers, json={"Invoices": [{"Reference": "PO 7"}]})
    assert figures(stored(client, inv["InvoiceID"])) == (10.1234, 30.37, 30.37, 4.56, 34.93)
    # ...nor does a line sent back without its UnitAmount; one sent with it is rounded.
    line_id = inv["LineItems"][0]["LineItemID"]
    client.post(url, headers=headers, json={"Invoices": [{"LineItems": [{"LineItemID": line_id, "Quantity": 3}]}]})
    assert figures(stored(client, inv["InvoiceID"]))[0] == 10.1234
    client.post(url, headers=headers, json={"Invoices": [{"LineItems": [{"LineItemID": line_id, "UnitAmount": 10.1234}]}]})
    assert figures(stored(client, inv["InvoiceID"])) == (10.12, 30.36, 30.36, 4.55, 34.91)


def test_the_spec_lists_unitdp_on_invoices_and_items_but_not_purchase_orders() -> None:
    """The rule above follows the spec: if a new spec gives /PurchaseOrders a unitdp (or
    takes it from Invoices or Items), the sandbox's rule must follow it."""
    from xerosandbox.accounting.spec import document

    def lists(path: str, method: str) -> bool:
        parameters = document()["paths"][path][method].get("parameters", [])
        return any(p.get("$ref", "").endswith("/unitdp") for p in parameters)

    for path in ("/Invoices", "/Items"):
        assert all(lists(path, m) for m in ("get", "put", "post"))
    for path in ("/Invoices/{InvoiceID}", "/Items/{ItemID}"):
        assert all(lists(path, m) for m in ("get", "post"))
    for path, methods in (("/PurchaseOrders", ("get", "put", "post")),
                          ("/PurchaseOrders/{PurchaseOrderID}", ("get", "post"))):
        assert not any(lists(path, m) for m in methods)


def test_an_item_price_fills_a_line_at_the_requests_places(client, headers, contact_id) -> None:
    client.put(f"{API}/Items?unitdp=4", headers=headers,
               json={"Items": [{"Code": "CABLE", "SalesDetails": {"UnitPrice": 10.1234}}]})
    line = {"ItemCode": "CABLE", "Quantity": 3, "AccountCode": "200"}
    four = put(client, headers, invoice(contact_id, LineItems=[line]), query="?unitdp=4").get_json()["Invoices"][0]
    two = created(client, headers, invoice(contact_id, LineItems=[line]))[0]
    assert (figures(four)[:2], figures(two)[:2]) == ((10.1234, 30.37), (10.12, 30.36))


# -- dates, numbers, shape ----------------------------------------------------------------------
def test_dates_are_ms_json_and_inputs_take_several_forms(client, headers, contact_id) -> None:
    made = created(client, headers,
                   invoice(contact_id, Date="2019-03-11", DueDate="2019-03-25T00:00:00"),
                   invoice(contact_id, Date="/Date(1552262400000+0000)/"))
    assert made[0]["Date"] == "/Date(1552262400000+0000)/"
    assert made[0]["DateString"] == "2019-03-11T00:00:00"
    assert made[0]["DueDate"] == "/Date(1553472000000+0000)/"
    assert made[0]["DueDateString"] == "2019-03-25T00:00:00"
    assert made[1]["Date"] == made[0]["Date"]
    assert made[0]["UpdatedDateUTCString"].endswith("Z")
    bad = client.put(f"{API}/Invoices", headers=headers,
                         json={"Invoices": [invoice(contact_id, Date="11/03/2019")]})
    assert bad.status_code == 400 and bad.get_json()["Type"] == "PostDataInvalidException"


def test_date_defaults_to_today_in_the_organisations_timezone(client, headers, contact_id) -> None:
    body = invoice(contact_id)
    del body["Date"]
    made = created(client, headers, body)[0]
    epoch = client.get("/_sandbox/clock").get_json()["epoch"]
    from datetime import datetime
    from zoneinfo import ZoneInfo
    today_in_nz = datetime.fromtimestamp(epoch, ZoneInfo("Pacific/Auckland")).strftime("%Y-%m-%dT00:00:00")
    assert made["DateString"] == today_in_nz


def test_accrec_numbers_are_generated_and_unique(client, headers, contact_id) -> None:
    made = created(client, headers, invoice(contact_id), invoice(contact_id, InvoiceNumber="INV-0002"),
                   invoice(contact_id))
    assert [i["InvoiceNumber"] for i in made] == ["INV-0001", "INV-0002", "INV-0003"]
    duplicate = put(client, headers, invoice(contact_id, InvoiceNumber="inv-0001"))
    assert duplicate.status_code == 400 and errors(duplicate) == ["Invoice # must be unique."]
    bill_one = created(client, headers, invoice(contact_id, Type="ACCPAY", InvoiceNumber="SUP-1"))[0]
    bill_two = created(client, headers, invoice(contact_id, Type="ACCPAY", InvoiceNumber="SUP-1"))[0]
    assert bill_one["InvoiceNumber"] == bill_two["InvoiceNumber"] == "SUP-1"  # bills may repeat


def test_generated_numbers_continue_after_the_highest_in_use(client, headers, contact_id) -> None:
    """As at Xero, a number typed in (or sent by another app) moves the sequence on: the next
    one Xero gives follows the organisation's highest, never fills a gap below it."""
    created(client, headers, *(invoice(contact_id, InvoiceNumber=n)
                               for n in ("INV-0001", "INV-0002", "INV-0041", "INV-0050A", "WEB-0900")))
    made = created(client, headers, invoice(contact_id), invoice(contact_id))
    assert [i["InvoiceNumber"] for i in made] == ["INV-0042", "INV-0043"]
    created(client, headers, invoice(contact_id, InvoiceNumber="INV-9999"))
    assert created(client, headers, invoice(contact_id))[0]["InvoiceNumber"] == "INV-10000"


def test_get_by_id_by_number_and_404(client, headers, contact_id) -> None:
    inv = created(client, headers, invoice(contact_id))[0]
    by_id = client.get(f"{API}/Invoices/{inv['InvoiceID']}", headers=headers).get_json()["Invoices"][0]
    by_number = client.get(f"{API}/Invoices/INV-0001", headers=headers).get_json()["Invoices"][0]
    assert by_id["InvoiceID"] == by_number["InvoiceID"] == inv["InvoiceID"]
    assert by_id["LineItems"][0]["LineItemID"] == inv["LineItems"][0]["LineItemID"]
    assert client.get(f"{API}/Invoices/INV-9999", headers=headers).status_code == 404


# -- contacts ---------------------------------------------------------------------------------
def test_contact_is_resolved_by_name_or_created(client, headers, contact_id) -> None:
    made = created(client, headers, invoice(None, Contact={"Name": "customer"}),
                   invoice(None, Contact={"Name": "Brand New Ltd"}))
    assert made[0]["Contact"]["ContactID"] == contact_id
    new_id = made[1]["Contact"]["ContactID"]
    contact = client.get(f"{API}/Contacts/{new_id}", headers=headers).get_json()["Contacts"][0]
    assert contact["Name"] == "Brand New Ltd" and contact["IsCustomer"] is True


def test_contact_fields_sent_with_an_invoice_update_the_contact(client, headers, contact_id) -> None:
    before = client.get(f"{API}/Contacts/{contact_id}", headers=headers).get_json()["Contacts"][0]
    created(client, headers, invoice(contact_id), invoice(None, Contact={"Name": "CUSTOMER"}))
    same = client.get(f"{API}/Contacts/{contact_id}", headers=headers).get_json()["Contacts"][0]
    assert same["Name"] == "Customer" and same["UpdatedDateUTC"] == before["UpdatedDateUTC"]
    client.put(f"{API}/Contacts", headers=headers, json={"Contacts": [{"Name": "Taken"}]})
    clash = put(client, headers, invoice(None, Contact={"ContactID": contact_id, "Name": "Taken"}))
    assert errors(clash) == ["The contact name Taken is already assigned to another contact. "
                             "The contact name must be unique across all active contacts."]
    inv = created(client, headers, invoice(None, Contact={"ContactID": contact_id, "EmailAddress": "ar@c.test"}))[0]
    after = client.get(f"{API}/Contacts/{contact_id}", headers=headers).get_json()["Contacts"][0]
    assert after["EmailAddress"] == "ar@c.test" and inv["Contact"]["EmailAddress"] == "ar@c.test"


def test_an_update_without_contact_keeps_a_contact_renamed_in_xero(client, headers, contact_id) -> None:
    inv = created(client, headers, invoice(contact_id))[0]
    client.patch(f"/_sandbox/objects/{DEMO_TENANT_ID}/contacts/{contact_id}", json={"Name": "Renamed"})
    updated = client.post(f"{API}/Invoices/{inv['InvoiceID']}", headers=headers,
                          json={"Invoices": [{"Reference": "x"}]}).get_json()["Invoices"][0]
    assert updated["Contact"]["Name"] == "Renamed"
    contact = client.get(f"{API}/Contacts/{contact_id}", headers=headers).get_json()["Contacts"][0]
    assert contact["Name"] == "Renamed"


def test_contact_errors(client, headers) -> None:
    missing = put(client, headers, {"Type": "ACCREC", "LineItems": [{"Description": "x"}]})
    assert errors(missing) == ["A Contact must be specified for this type of transaction"]
    empty = put(client, headers, invoice(None, Contact={}))
    assert errors(empty) == ["The Contact must contain at least 1 of the following elements to "
                             "identify the contact: Name, ContactID, ContactNumber"]
    unknown = put(client, headers, invoice("7d05a53d-613d-4eb2-a2fc-dcb6adb80b80"))
    assert errors(unknown) == ["An existing Contact with the specified ContactID could not be found"]


def test_an_invalid_invoice_does_not_create_its_contact(client, headers) -> None:
    response = put(client, headers, invoice(None, Contact={"Name": "Ghost"},
                                            LineItems=[{"Description": "x", "AccountCode": "999"}]),
                   query="?summarizeErrors=false")
    assert response.get_json()["Invoices"][0]["StatusAttributeString"] == "ERROR"
    assert client.get(f"{API}/Contacts", headers=headers).get_json()["Contacts"] == []


# -- line rules -------------------------------------------------------------------------------
def test_line_codes_must_exist_and_discounts_are_sales_only(client, headers, contact_id) -> None:
    response = put(client, headers, invoice(contact_id, Type="ACCPAY", LineItems=[
        {"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "999", "TaxType": "BOGUS",
         "ItemCode": "NOPE", "DiscountRate": 5}]))
    assert response.status_code == 400
    assert errors(response) == [
        "Item code 'NOPE' is not valid.",
        "Account code '999' is not a valid code for this document.",
        "The TaxType code 'BOGUS' does not exist or cannot be used for this type of transaction.",
        "Discounts are only supported on ACCREC (sales) invoices.",
    ]


def test_a_supplied_tax_amount_overrides_the_computed_one(client, headers, contact_id) -> None:
    lines = [{"Description": "A", "Quantity": 1, "UnitAmount": 99.99, "AccountCode": "200", "TaxAmount": 15}]
    inv = created(client, headers, invoice(contact_id, LineItems=lines))[0]
    assert inv["LineItems"][0]["TaxAmount"] == 15.0 and inv["Total"] == 114.99
    echoed = put(client, headers, invoice(contact_id, LineItems=[{**lines[0], "AccountCode": "999"}]))
    assert set(echoed.get_json()["Elements"][0]["LineItems"][0]) == {
        "Description", "Quantity", "UnitAmount", "AccountCode", "TaxAmount"}


def test_item_code_fills_the_line(client, headers, contact_id) -> None:
    client.put(f"{API}/Items", headers=headers, json={"Items": [
        {"Code": "WIDGET", "Name": "Widget", "Description": "A widget",
         "SalesDetails": {"UnitPrice": 12.5, "AccountCode": "200", "TaxType": "OUTPUT2"}}]})
    inv = created(client, headers, invoice(contact_id, LineItems=[{"ItemCode": "widget", "Quantity": 2}]))[0]
    line = inv["LineItems"][0]
    assert (line["ItemCode"], line["Description"], line["UnitAmount"], line["AccountCode"]) == \
        ("WIDGET", "A widget", 12.5, "200")
    assert line["LineAmount"] == 25.0 and line["Item"]["Code"] == "WIDGET"


def test_line_items_are_required(client, headers, contact_id) -> None:
    response = put(client, headers, invoice(contact_id, LineItems=[]))
    assert errors(response) == ["At least one line item is required."]


def test_update_keeps_edits_adds_and_deletes_lines_by_line_item_id(client, headers, contact_id) -> None:
    lines = [{"Description": "Keep", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"},
             {"Description": "Drop", "Quantity": 1, "UnitAmount": 20, "AccountCode": "200"}]
    inv = created(client, headers, invoice(contact_id, LineItems=lines))[0]
    keep_id = inv["LineItems"][0]["LineItemID"]
    response = client.post(f"{API}/Invoices/{inv['InvoiceID']}", headers=headers, json={"Invoices": [{
        "LineItems": [{"LineItemID": keep_id, "Quantity": 3},
                      {"Description": "New", "Quantity": 1, "UnitAmount": 5, "AccountCode": "200"}]}]})
    assert response.status_code == 200, response.get_json()
    updated = response.get_json()["Invoices"][0]
    amounts = [(line["Description"], line["LineAmount"]) for line in updated["LineItems"]]
    assert amounts == [("Keep", 30.0), ("New", 5.0)]
    assert updated["LineItems"][0]["LineItemID"] == keep_id
    assert updated["LineItems"][1]["LineItemID"] not in (keep_id, inv["LineItems"][1]["LineItemID"])
    assert updated["SubTotal"] == 35.0 and updated["InvoiceNumber"] == inv["InvoiceNumber"]


def test_update_without_line_items_keeps_them(client, headers, contact_id) -> None:
    inv = created(client, headers, invoice(contact_id))[0]
    response = client.post(f"{API}/Invoices", headers=headers, json={"Invoices": [
        {"InvoiceID": inv["InvoiceID"], "Reference": "PO 42"}]})
    updated = response.get_json()["Invoices"][0]
    assert updated["Reference"] == "PO 42" and updated["LineItems"] == inv["LineItems"]
    assert updated["Total"] == inv["Total"]


# -- statuses ---------------------------------------------------------------------------------
def post_status(client, headers, invoice_id: str, status: str):
    return client.post(f"{API}/Invoices/{invoice_id}", headers=headers,
                       json={"Invoices": [{"Status": status}]})


def test_draft_can_be_submitted_authorised_then_voided(client, headers, contact_id) -> None:
    inv = created(client, headers, invoice(contact_id))[0]
    assert inv["Status"] == "DRAFT"
    for status in ("SUBMITTED", "AUTHORISED", "VOIDED"):
        response = post_status(client, headers, inv["InvoiceID"], status)
        assert response.status_code == 200 and response.get_json()["Invoices"][0]["Status"] == status
    again = post_status(client, headers, inv["InvoiceID"], "AUTHORISED")
    assert errors(again) == [NOT_MODIFIABLE]


@pytest.mark.parametrize("start, target", [("AUTHORISED", "DRAFT"), ("AUTHORISED", "DELETED"),
                                           ("DRAFT", "VOIDED"), ("DRAFT", "PAID")])
def test_forbidden_transitions(client, headers, contact_id, start, target) -> None:
    inv = created(client, headers, invoice(contact_id, Status=start))[0]
    response = post_status(client, headers, inv["InvoiceID"], target)
    assert response.status_code == 400 and errors(response) == [NOT_MODIFIABLE]


def test_a_paid_invoice_cannot_be_edited(client, headers, contact_id) -> None:
    inv = created(client, headers, invoice(contact_id, Status="AUTHORISED"))[0]
    paid = client.post(f"/_sandbox/objects/{DEMO_TENANT_ID}/invoices/{inv['InvoiceID']}/status",
                       json={"Status": "PAID"})
    assert paid.status_code == 200
    assert paid.get_json()["Invoices"][0]["AmountDue"] == 0.0
    response = client.post(f"{API}/Invoices/{inv['InvoiceID']}", headers=headers,
                           json={"Invoices": [{"Reference": "late edit"}]})
    assert response.status_code == 400 and errors(response) == [NOT_MODIFIABLE]


def test_deleted_drafts_stay_listed_with_their_status(client, headers, contact_id) -> None:
    inv = created(client, headers, invoice(contact_id))[0]
    post_status(client, headers, inv["InvoiceID"], "DELETED")
    listed = client.get(f"{API}/Invoices?Statuses=DELETED", headers=headers).get_json()["Invoices"]
    assert [i["InvoiceID"] for i in listed] == [inv["InvoiceID"]]


# -- lists ------------------------------------------------------------------------------------
def test_list_filters_and_line_items_only_when_paging(client, headers, contact_id) -> None:
    made = created(client, headers, invoice(contact_id, Reference="alpha"),
                   invoice(contact_id, Reference="beta", Status="AUTHORISED"),
                   invoice(contact_id, Type="ACCPAY", InvoiceNumber="BILL-1"))
    plain = client.get(f"{API}/Invoices", headers=headers).get_json()["Invoices"]
    assert len(plain) == 3 and all("LineItems" not in i for i in plain)
    paged = client.get(f"{API}/Invoices?page=1", headers=headers).get_json()
    assert all(i["LineItems"] for i in paged["Invoices"]) and paged["pagination"]["itemCount"] == 3
    numbers = client.get(f"{API}/Invoices?InvoiceNumbers=INV-0002,BILL-1", headers=headers).get_json()["Invoices"]
    assert [i["InvoiceID"] for i in numbers] == [made[1]["InvoiceID"], made[2]["InvoiceID"]]
    statuses = client.get(f"{API}/Invoices?Statuses=AUTHORISED", headers=headers).get_json()["Invoices"]
    assert [i["Reference"] for i in statuses] == ["beta"]
    search = client.get(f"{API}/Invoices?searchTerm=ALP", headers=headers).get_json()["Invoices"]
    assert [i["Reference"] for i in search] == ["alpha"]
    where = client.get(f"{API}/Invoices", headers=headers, query_string={
        "where": f'Type=="ACCREC" AND Contact.ContactID==Guid("{contact_id}") AND Status!="DRAFT"'})
    assert [i["Reference"] for i in where.get_json()["Invoices"]] == ["beta"]
    by_contact = client.get(f"{API}/Invoices?ContactIDs={contact_id}", headers=headers).get_json()["Invoices"]
    assert len(by_contact) == 3


def test_invoices_page_at_100(client, headers, contact_id) -> None:
    for _ in range(3):
        batch = [invoice(contact_id) for _ in range(40)]
        assert client.raw.put(f"{API}/Invoices", headers=headers, json={"Invoices": batch}).status_code == 200
    second = client.get(f"{API}/Invoices?page=2", headers=headers).get_json()
    assert len(second["Invoices"]) == 20
    assert second["pagination"] == {"page": 2, "pageSize": 100, "pageCount": 2, "itemCount": 120}
    assert second["Invoices"][0]["InvoiceNumber"] == "INV-0101"


def test_summarize_errors_false_mixed_batch(client, headers, contact_id) -> None:
    response = put(client, headers, invoice(contact_id), invoice(contact_id, InvoiceNumber="INV-0001"),
                   invoice(contact_id, LineItems=[{"Description": "x", "AccountCode": "999"}]),
                   query="?summarizeErrors=false")
    assert response.status_code == 200
    results = response.get_json()["Invoices"]
    assert [r["StatusAttributeString"] for r in results] == ["OK", "ERROR", "ERROR"]
    assert results[1]["ValidationErrors"] == [{"Message": "Invoice # must be unique."}]
    assert results[1]["HasErrors"] is True and results[0]["HasErrors"] is False
    stored = client.get(f"/_sandbox/objects/{DEMO_TENANT_ID}/invoices").get_json()["Invoices"]
    assert [i["InvoiceNumber"] for i in stored] == ["INV-0001"]


def test_scopes_transactions_or_invoices(client) -> None:
    granular = auth_headers(minted_token(client, scopes="accounting.invoices"))
    broad = auth_headers(minted_token(client, scopes="accounting.transactions.read"))
    other = auth_headers(minted_token(client, scopes="accounting.contacts"))
    assert client.get(f"{API}/Invoices", headers=granular).status_code == 200
    assert client.get(f"{API}/Invoices", headers=broad).status_code == 200
    assert client.get(f"{API}/Invoices", headers=other).status_code == 401


def test_second_organisation_has_its_own_numbering(client) -> None:
    token = minted_token(client, tenants=[DEMO_TENANT_ID, SECOND_TENANT_ID])
    for tenant in (DEMO_TENANT_ID, SECOND_TENANT_ID):
        made = created(client, auth_headers(token, tenant), invoice(None, Contact={"Name": "Same"}))
        assert made[0]["InvoiceNumber"] == "INV-0001"


def test_created_by_my_app_lists_only_the_calling_apps_invoices(client, headers, contact_id) -> None:
    ours = created(client, headers, invoice(contact_id, Reference="ours"))[0]
    client.post("/_sandbox/apps", json={"client_id": "acme", "client_secret": "s3cret",
                                         "redirect_uris": ["https://acme.example/cb"]})
    other_app = auth_headers(minted_token(client, client_id="acme"))
    created(client, other_app, invoice(contact_id, Reference="theirs"))

    def references(headers: dict[str, str], query: str) -> list[str]:
        found = client.get(f"{API}/Invoices{query}", headers=headers).get_json()["Invoices"]
        return sorted(i["Reference"] for i in found)

    assert references(headers, "?createdByMyApp=true") == ["ours"]
    assert references(other_app, "?createdByMyApp=true&page=1") == ["theirs"]
    assert references(headers, "?createdByMyApp=false") == ["ours", "theirs"]
    assert references(headers, "") == ["ours", "theirs"]
    shown = client.get(f"{API}/Invoices/{ours['InvoiceID']}", headers=headers).get_json()["Invoices"][0]
    assert not any(key.startswith("_") for key in shown)  # who made it is never shown
