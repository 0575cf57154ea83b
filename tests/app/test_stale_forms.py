"""Every edit form refuses a save made after what it shows changed elsewhere (a stale tab):
409, the form as typed, what changed, and nothing overwritten. Invoices have their own file
(tests/invoices/test_invoice_stale.py)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal as D

import pytest

from tests.app.browser_forms import form_fields
from xeroapp import stale
from xeroapp.clients.forms import ClientForm
from xeroapp.extensions import db
from xeroapp.models import Client, Product, PurchaseOrder, Supplier, Workspace

REFUSED = "<strong>Not saved.</strong>"


@dataclass
class Case:
    """One edit form: where it is, what the other tab saves and what this tab typed."""

    page: str
    action: str
    saved_elsewhere: dict[str, str]
    typed_here: dict[str, str]
    changed: str  # in the notice: "Changed there: ..."
    stored: Callable[[], tuple]  # (what the other tab saved, what this tab typed) as stored
    expected: tuple


@pytest.fixture
def ada(auth, records) -> int:
    auth.signup()
    return records.workspace_id_of("ada@example.com")


def _read(model, record_id: int, *names: str) -> tuple:
    record = db.session.get(model, record_id)
    return tuple(getattr(record, name) for name in names)


def _case(kind: str, ada: int, records) -> Case:
    if kind == "client":
        cid = records.client(ada, name="Bayside Café")
        return Case(f"/clients/{cid}/edit", f"/clients/{cid}/edit",
                    {"email": "accounts@bayside.example"}, {"phone": "09 555 0100"},
                    "Changed there: email.", lambda: _read(Client, cid, "email", "phone"),
                    ("accounts@bayside.example", None))
    if kind == "supplier":
        sid = records.supplier(ada, name="Pacific Paper Co.")
        return Case(f"/suppliers/{sid}/edit", f"/suppliers/{sid}/edit",
                    {"city": "Christchurch"}, {"notes": "Ring before delivering"},
                    "Changed there: town / city.", lambda: _read(Supplier, sid, "city", "notes"),
                    ("Christchurch", None))
    if kind == "product":
        pid = records.product(ada, sku="CUP-8OZ", name="Cups 8 oz")
        return Case(f"/products/{pid}/edit", f"/products/{pid}/edit",
                    {"cost_price": "0.25"}, {"name": "Cups, 8 oz, white"},
                    "Changed there: cost price.", lambda: _read(Product, pid, "cost_price", "name"),
                    (D("0.25"), "Cups 8 oz"))
    if kind == "purchase order":
        oid = records.purchase_order(ada, number="PO-0001")
        added = {"lines-1-line_id": "", "lines-1-product_id": "", "lines-1-description": "Lids",
                 "lines-1-quantity": "10", "lines-1-unit_cost": "4.25", "lines-1-tax_type": ""}
        return Case(f"/purchase-orders/{oid}/edit", f"/purchase-orders/{oid}/edit",
                    added, {"lines-0-quantity": "12", "reference": "Typed here"},
                    "Changed there: lines and subtotal.",
                    lambda: ([line.description
                              for line in db.session.get(PurchaseOrder, oid).lines],
                             _read(PurchaseOrder, oid, "reference")),
                    (["Cups", "Lids"], (None,)))
    if kind == "workspace settings":
        return Case("/settings/", "/settings/", {"name": "Acme Two"},
                    {"time_zone": "Pacific/Auckland"}, "Changed there: business name.",
                    lambda: _read(Workspace, ada, "name", "time_zone"), ("Acme Two", "UTC"))
    if kind == "document numbers":
        return Case("/settings/", "/settings/numbering", {"invoice_number_prefix": "WEB-"},
                    {"po_number_next": "50"}, "invoice prefix.",  # and the mode, first chosen
                    lambda: _read(Workspace, ada, "invoice_number_prefix", "po_number_next"),
                    ("WEB-", 1))
    if kind == "purchase order settings":
        return Case("/settings/purchase-orders", "/settings/purchase-orders",
                    {"po_xero_status": "AUTHORISED"}, {"po_save_to_xero_default": "y"},
                    "Changed there: status of purchase orders created in Xero.",
                    lambda: _read(Workspace, ada, "po_xero_status", "po_save_to_xero_default"),
                    ("AUTHORISED", False))
    raise AssertionError(kind)


KINDS = ["client", "supplier", "product", "purchase order", "workspace settings",
         "document numbers", "purchase order settings"]


def open_tab(client, case: Case) -> dict[str, str]:
    return form_fields(client.get(case.page).get_data(as_text=True), case.action)


@pytest.mark.parametrize("kind", KINDS)
def test_a_save_from_a_tab_opened_before_a_change_is_refused(app, client, ada, records, kind):
    case = _case(kind, ada, records)
    stale_tab, other_tab = open_tab(client, case), open_tab(client, case)
    assert client.post(case.action, data={**other_tab, **case.saved_elsewhere}).status_code == 302

    response = client.post(case.action, data={**stale_tab, **case.typed_here})

    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert REFUSED in body and case.changed in body
    assert "reload the latest version</a>" in body
    shown = form_fields(body, case.action)
    assert {name: shown.get(name) for name in case.typed_here} == case.typed_here
    with app.app_context():
        assert case.stored() == case.expected


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_form_saves_as_before_in_a_single_tab(app, client, ada, records, kind):
    case = _case(kind, ada, records)
    tab = open_tab(client, case)

    assert client.post(case.action, data={**tab, **case.saved_elsewhere}).status_code == 302
    with app.app_context():
        assert case.stored()[0] == case.expected[0]


def test_another_settings_form_saved_meanwhile_does_not_refuse_this_one(app, client, ada):
    """The workspace, numbering and purchase order settings share the workspace row; each
    form only writes its own fields, so a change to another one overwrites nothing."""
    settings = form_fields(client.get("/settings/").get_data(as_text=True), "/settings/")
    po_settings = form_fields(client.get("/settings/purchase-orders").get_data(as_text=True),
                              "/settings/purchase-orders")
    client.post("/settings/purchase-orders", data={**po_settings, "po_xero_status": "SUBMITTED"})

    response = client.post("/settings/", data={**settings, "name": "Acme Two"})

    assert response.status_code == 302
    with app.app_context():
        assert _read(Workspace, ada, "name", "po_xero_status") == ("Acme Two", "SUBMITTED")


def test_deleting_a_record_changed_since_its_page_was_opened_is_allowed(app, client, ada, records):
    """Deleting is about the record as a whole, confirmed on its own: not refused as stale."""
    sid = records.supplier(ada, name="Pacific Paper Co.")
    client.get(f"/suppliers/{sid}")  # the page with Delete, opened first
    tab = form_fields(client.get(f"/suppliers/{sid}/edit").get_data(as_text=True),
                      f"/suppliers/{sid}/edit")
    client.post(f"/suppliers/{sid}/edit", data={**tab, "city": "Christchurch"})

    assert client.post(f"/suppliers/{sid}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Supplier, sid) is None


def test_a_change_undone_elsewhere_does_not_refuse_the_save(app, client, ada, records):
    """A newer version whose fields are all back to what this tab loaded: saving it
    overwrites nothing anyone else typed, so it goes through."""
    cid = records.client(ada, name="Bayside Café")
    action = f"/clients/{cid}/edit"
    stale_tab = form_fields(client.get(action).get_data(as_text=True), action)
    for email in ("a@bayside.example", ""):
        tab = form_fields(client.get(action).get_data(as_text=True), action)
        client.post(action, data={**tab, "email": email})

    response = client.post(action, data={**stale_tab, "phone": "09 555 0100"})

    assert response.status_code == 302
    with app.app_context():
        assert _read(Client, cid, "email", "phone") == (None, "09 555 0100")


def test_two_saves_of_one_record_at_once_cannot_both_pass(app, client, ada, records):
    """The check locks the record until the save commits: a second save loaded at the same
    version waits, then sees the first one's change and is refused."""
    cid = records.client(ada, name="Bayside Café")
    action = f"/clients/{cid}/edit"
    posted = form_fields(client.get(action).get_data(as_text=True), action)
    outcome: dict[str, stale.Conflict | None] = {}

    def check() -> stale.Conflict | None:
        form = ClientForm(workspace_id=ada, client_id=cid)
        return stale.check(form, db.session.get(Client, cid))

    def second_save() -> None:
        with app.test_request_context(action, method="POST", data=posted):
            outcome["second"] = check()
            db.session.rollback()

    with app.test_request_context(action, method="POST", data=posted):
        assert check() is None
        second = threading.Thread(target=second_save)
        second.start()
        second.join(0.3)
        assert second.is_alive()  # waiting for the first save to finish
        db.session.get(Client, cid).email = "first@bayside.example"
        db.session.commit()
    second.join(10)

    assert outcome["second"] is not None and outcome["second"].changed == ("email",)


@pytest.mark.parametrize("text", ["", "12|name:0000000", "12|Name:00000000", "1" * 19 + "|",
                                  "x" * (stale.TOKEN_MAX + 1), "١|"])
def test_tokens_the_app_did_not_write_are_not_read(text):
    assert stale.parse(text) is None


def test_a_token_reads_back_as_written():
    assert stale.parse("7|name:0a1b2c3d,lines:ffffffff") == stale.Loaded(
        7, {"name": "0a1b2c3d", "lines": "ffffffff"})
    assert stale.parse("-|sales_tax_type:00000000") == stale.Loaded(
        None, {"sales_tax_type": "00000000"})
