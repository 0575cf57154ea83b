"""Size limits: request bodies (413, before anything is parsed), every text field's length,
and the number of lines on an invoice or purchase order."""
from __future__ import annotations

import io
import re
from typing import Any

import pytest
import sqlalchemy as sa
from wtforms import Form, StringField
from werkzeug.test import encode_multipart
from wtforms.validators import Length

from tests.invoices.conftest import invoice_form
from xeroapp.auth.forms import LoginForm, SignupForm
from xeroapp.clients.forms import ClientForm
from xeroapp.config import Config
from xeroapp.extensions import db
from xeroapp.invoices.forms import InvoiceForm, LineForm as InvoiceLineForm
from xeroapp.limits import MAX_FORM_FIELDS, MAX_LINES, NOTES_MAX
from xeroapp.models import (
    Client,
    Invoice,
    InvoiceLine,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    User,
    Workspace,
)
from xeroapp.products.forms import ProductForm
from xeroapp.purchase_orders.forms import LineForm as OrderLineForm, PurchaseOrderForm
from xeroapp.settings.forms import NumberingForm, WorkspaceForm
from xeroapp.suppliers.forms import SupplierForm

MB = 1024 * 1024
HTMX = {"HX-Request": "true"}


@pytest.fixture
def ada(auth, records) -> int:
    """Ada's workspace id, logged in."""
    auth.signup()
    return records.workspace_id_of("ada@example.com")


def count(app, model, **where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def text(response) -> str:
    return response.get_data(as_text=True)


class CountingStream(io.RawIOBase):
    """A request body of ``size`` bytes (never held in memory) that counts how many of them
    the app reads. Seekable only so that the test client can measure its Content-Length."""

    def __init__(self, size: int) -> None:
        self.size, self.position, self.read_so_far = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence] + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b"x" * n
        self.position += n
        self.read_so_far += n
        return n


# -- request bodies ------------------------------------------------------------------------------

def test_an_anonymous_50_mb_multipart_post_to_login_is_refused_unread(client):
    body = CountingStream(50 * MB)
    response = client.post("/auth/login", input_stream=body,
                           content_type="multipart/form-data; boundary=limit")
    assert response.status_code == 413
    assert body.read_so_far == 0
    assert "Too large" in text(response) and "nothing was saved" in text(response)


def test_anonymous_requests_get_a_small_limit_and_users_a_larger_one(client, auth, app):
    padding = "x" * (Config.ANONYMOUS_MAX_CONTENT_LENGTH + 1)
    refused = client.post("/auth/signup", data={"workspace_name": "Acme Ltd", "name": "Ada",
                                                "email": "ada@example.com", "password": "p" * 12,
                                                "confirm": "p" * 12, "padding": padding})
    assert refused.status_code == 413
    assert count(app, User) == 0

    auth.signup()
    taken = client.post("/clients/new", data={"name": "Bayside Café", "padding": padding})
    assert taken.status_code == 302
    assert count(app, Client, name="Bayside Café") == 1


def test_a_logged_in_body_over_the_limit_is_refused_unread(client, ada, app):
    body = CountingStream(Config.MAX_CONTENT_LENGTH + 1)
    response = client.post("/clients/new", input_stream=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert body.read_so_far == 0
    assert "<html" in text(response) and "Too large" in text(response)
    assert count(app, Client) == 0


def test_an_htmx_request_over_the_limit_gets_the_message_alone(client, ada):
    response = client.post("/invoices/totals", headers=HTMX,
                           data={"padding": "x" * Config.MAX_CONTENT_LENGTH})
    assert response.status_code == 413
    assert "<html" not in text(response)
    assert "nothing was saved" in text(response)


def test_a_chunked_body_over_the_limit_is_refused_not_cut_short(client, ada, app):
    """Without Content-Length, Werkzeug would stop reading at the limit and parse what it had:
    a form with its last field cut off."""
    notes = "n" * Config.MAX_CONTENT_LENGTH
    response = client.post("/clients/new", headers={"Transfer-Encoding": "chunked"},
                           input_stream=io.BytesIO(f"name=Bayside&notes={notes}".encode()),
                           content_type="application/x-www-form-urlencoded",
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.request.content_length is None
    assert response.status_code == 413
    assert count(app, Client) == 0


def test_a_form_of_too_many_fields_is_refused_before_it_is_parsed(client, ada, app):
    fields = "&".join(["name=Bayside"] + ["x="] * (MAX_FORM_FIELDS - 1))
    taken = client.post("/clients/new", data=fields,
                        content_type="application/x-www-form-urlencoded")
    assert taken.status_code == 302

    refused = client.post("/clients/new", data=fields.replace("name=Bayside", "name=Other") + "&x=",
                          content_type="application/x-www-form-urlencoded")
    assert refused.status_code == 413
    assert count(app, Client, name="Other") == 0


@pytest.mark.parametrize("fields, parts", [
    ({f"x{i}": "" for i in range(MAX_FORM_FIELDS)}, "too many parts"),
    ({"notes": "n" * (Config.MAX_FORM_MEMORY_SIZE + 1)}, "one part too large"),
])
def test_multipart_bodies_have_limits_too(client, ada, app, fields, parts):
    # Encoded here, in memory: the test client would spool a large body to a temporary file
    # and, as the app never reads it, leave that file open.
    boundary, body = encode_multipart({"name": "Bayside", **fields})
    response = client.post("/clients/new", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413, parts
    assert count(app, Client) == 0


# -- text fields ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url, model", [("/clients/new", Client), ("/suppliers/new", Supplier)])
def test_notes_of_600_kb_are_refused_and_the_form_kept(client, ada, app, url, model):
    notes = "Pays on the 20th. " * 34_000  # about 600 kB
    response = client.post(url, data={"name": "Bayside Café", "notes": notes})
    assert response.status_code in (200, 422)
    assert f"Use at most {NOTES_MAX:,} characters." in text(response)
    assert notes in text(response)  # the textarea still holds what was typed
    assert count(app, model) == 0


@pytest.mark.parametrize("url, model", [("/clients/new", Client), ("/suppliers/new", Supplier)])
def test_notes_up_to_the_limit_are_kept(client, ada, app, url, model):
    notes = "n" * NOTES_MAX
    assert client.post(url, data={"name": "Bayside Café", "notes": notes}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(model.notes)) == notes


def test_an_order_line_description_over_4000_characters_is_refused(client, ada, app, records):
    supplier_id = records.supplier(ada)
    data = {"supplier_id": str(supplier_id), "number": "PO-0001", "order_date": "2026-11-20",
            "status": "draft", "amount_type": "Exclusive", "lines-0-line_id": "",
            "lines-0-product_id": "", "lines-0-description": "d" * 4001,
            "lines-0-quantity": "1", "lines-0-unit_cost": "5", "lines-0-tax_type": ""}
    response = client.post("/purchase-orders/new", data=data)
    assert response.status_code == 422
    assert "Use at most 4,000 characters (Xero&#39;s limit)." in text(response)
    assert count(app, PurchaseOrder) == 0

    assert client.post("/purchase-orders/new",
                       data={**data, "lines-0-description": "d" * 4000}).status_code == 302
    assert count(app, PurchaseOrderLine) == 1


FORMS = [ClientForm, SupplierForm, ProductForm, InvoiceForm, InvoiceLineForm, PurchaseOrderForm,
         OrderLineForm, WorkspaceForm, NumberingForm, SignupForm, LoginForm]
# Text the user never types (ids, the browser's time zone: checked against lists instead; the
# hidden "loaded at" token, read only up to its own cap in xeroapp.stale), and the sign-up
# form's "confirm", which must equal the password and so has its limit.
UNTYPED = {"line_id", "time_zone", "csrf_token", "confirm", "loaded_version"}


def text_fields(form_class: type[Form]):
    for name in dir(form_class):
        unbound = getattr(form_class, name)
        if (getattr(unbound, "field_class", None) is not None
                and issubclass(unbound.field_class, StringField) and name not in UNTYPED):
            yield name, unbound


def max_length(unbound) -> int | None:
    lengths = [v.max for v in unbound.kwargs.get("validators") or []
               if isinstance(v, Length) and v.max != -1]
    return min(lengths) if lengths else None


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_every_text_field_has_a_length_limit_said_in_words(form_class):
    for name, unbound in text_fields(form_class):
        limit = max_length(unbound)
        assert limit is not None, f"{form_class.__name__}.{name} has no maximum length"
        messages = [v.message for v in unbound.kwargs["validators"]
                    if isinstance(v, Length) and v.max == limit]
        assert all(m and re.search(rf"\b{limit:,}\b|\b{limit}\b", m) for m in messages), (
            f"{form_class.__name__}.{name}: the message should say the limit, got {messages}")


MAPPED = [(ClientForm, Client), (SupplierForm, Supplier), (ProductForm, Product),
          (InvoiceForm, Invoice), (InvoiceLineForm, InvoiceLine),
          (PurchaseOrderForm, PurchaseOrder), (OrderLineForm, PurchaseOrderLine),
          (WorkspaceForm, Workspace)]


@pytest.mark.parametrize("form_class, model", MAPPED, ids=lambda x: x.__name__)
def test_no_field_takes_more_than_its_column_holds(form_class, model):
    """A longer value would pass the form and then fail in PostgreSQL (a 500)."""
    columns = model.__table__.columns
    for name, unbound in text_fields(form_class):
        if name in columns and isinstance(columns[name].type, sa.String):
            column_length = columns[name].type.length
            if column_length is not None:
                assert max_length(unbound) <= column_length, f"{model.__name__}.{name}"


def test_sign_up_fields_fit_their_columns():
    pairs = [("workspace_name", Workspace.__table__.c.name), ("name", User.__table__.c.name),
             ("email", User.__table__.c.email)]
    for name, column in pairs:
        assert max_length(getattr(SignupForm, name)) <= column.type.length, name


@pytest.mark.parametrize("url, data, message", [
    ("/settings/", {"name": "W" * 121, "default_currency": "NZD", "time_zone": "UTC"},
     "Use at most 120 characters."),
    ("/auth/login", {"email": "a" * 250 + "@x.nz", "password": "secret"},
     "Use at most 254 characters."),
])
def test_short_fields_say_their_limit(client, auth, url, data, message):
    if url != "/auth/login":
        auth.signup()
    response = client.post(url, data=data)
    assert message in text(response)


def test_a_password_too_long_to_sign_up_with_says_so(client, app):
    response = client.post("/auth/signup", data={
        "workspace_name": "Acme Ltd", "name": "Ada", "email": "ada@example.com",
        "password": "p" * 201, "confirm": "p" * 201})
    assert "Use at most 200 characters." in text(response)
    assert "Use at least" not in text(response)
    assert count(app, User) == 0


# -- lines per document --------------------------------------------------------------------------

def invoice_lines(n: int) -> list[dict[str, Any]]:
    return [{"description": f"Beans {i}", "quantity": 1, "unit_price": "12.50"} for i in range(n)]


def order_form(supplier_id: int, n: int) -> dict[str, str]:
    data = {"supplier_id": str(supplier_id), "number": "PO-0001", "order_date": "2026-11-20",
            "status": "draft", "amount_type": "Exclusive"}
    for i in range(n):
        data.update({f"lines-{i}-line_id": "", f"lines-{i}-product_id": "",
                     f"lines-{i}-description": f"Cups {i}", f"lines-{i}-quantity": "1",
                     f"lines-{i}-unit_cost": "9.50", f"lines-{i}-tax_type": ""})
    return data


def test_an_invoice_of_exactly_the_limit_is_saved(client, ada, app, records):
    client_id = records.client(ada)
    response = client.post("/invoices/new", data=invoice_form(client_id, invoice_lines(MAX_LINES)))
    assert response.status_code == 302
    assert count(app, InvoiceLine) == MAX_LINES


def test_an_invoice_one_line_over_the_limit_is_refused_and_nothing_saved(client, ada, app,
                                                                        records):
    client_id = records.client(ada)
    response = client.post("/invoices/new",
                           data=invoice_form(client_id, invoice_lines(MAX_LINES + 1)))
    assert response.status_code == 413
    assert (f"An invoice can have at most {MAX_LINES:,} lines, and this one has "
            f"{MAX_LINES + 1:,}, so nothing was saved.") in text(response)
    assert count(app, Invoice) == 0 and count(app, InvoiceLine) == 0


def test_a_3000_line_invoice_is_refused_before_its_form_is_read(client, ada, app, records):
    """24,000 fields: more than any real form has, so the request is refused unparsed."""
    client_id = records.client(ada)
    response = client.post("/invoices/new", data=invoice_form(client_id, invoice_lines(3000)))
    assert response.status_code == 413
    assert "nothing was saved" in text(response)
    assert f"an invoice or purchase order can have at most {MAX_LINES:,} lines" in text(response)
    assert count(app, Invoice) == 0 and count(app, InvoiceLine) == 0


def test_an_existing_invoice_cannot_grow_past_the_limit(client, ada, app, records):
    invoice_id = records.invoice(ada)
    data = invoice_form(records.client(ada, name="Other"), invoice_lines(MAX_LINES + 1))
    response = client.post(f"/invoices/{invoice_id}/edit", data=data)
    assert response.status_code == 413
    assert count(app, InvoiceLine) == 1


def test_a_purchase_order_of_exactly_the_limit_is_saved(client, ada, app, records):
    response = client.post("/purchase-orders/new", data=order_form(records.supplier(ada), MAX_LINES))
    assert response.status_code == 302
    assert count(app, PurchaseOrderLine) == MAX_LINES


def test_a_purchase_order_over_the_limit_is_refused_and_nothing_saved(client, ada, app, records):
    response = client.post("/purchase-orders/new",
                           data=order_form(records.supplier(ada), MAX_LINES + 1))
    assert response.status_code == 413
    assert (f"A purchase order can have at most {MAX_LINES:,} lines, and this one has "
            f"{MAX_LINES + 1:,}") in text(response)
    assert count(app, PurchaseOrder) == 0


@pytest.mark.parametrize("url", ["/invoices/lines", "/invoices/totals",
                                 "/purchase-orders/form/lines", "/purchase-orders/form/totals"])
def test_the_htmx_endpoints_refuse_too_many_rows_with_a_short_message(client, ada, url):
    data = {f"lines-{i}-description": "x" for i in range(MAX_LINES + 1)}
    response = client.post(url, headers=HTMX, data={**data, "op": "add"})
    assert response.status_code == 413
    assert "<html" not in text(response)
    assert f"at most {MAX_LINES:,} lines" in text(response)


def rows_in(body: str, prefix: str) -> int:
    return len(set(re.findall(rf'name="{prefix}-(\d+)-description"', body)))


def test_add_line_stops_at_the_limit_and_says_so(client, ada, records):
    data = invoice_form(records.client(ada), invoice_lines(MAX_LINES - 1))
    full = client.post("/invoices/lines", headers=HTMX, data={**data, "op": "add"})
    assert rows_in(text(full), "lines") == MAX_LINES
    assert re.search(r"<button[^>]*disabled[^>]*>\+ Add line", text(full))
    assert f"An invoice can have at most {MAX_LINES:,} lines." in text(full)

    data = invoice_form(records.client(ada, name="Other"), invoice_lines(MAX_LINES))
    refused = client.post("/invoices/lines", headers=HTMX, data={**data, "op": "add"})
    assert refused.status_code == 200
    assert rows_in(text(refused), "lines") == MAX_LINES
    assert f"An invoice can have at most {MAX_LINES:,} lines." in text(refused)


def test_a_short_invoice_offers_add_line(client, ada, records):
    data = invoice_form(records.client(ada), invoice_lines(2))
    page = text(client.post("/invoices/lines", headers=HTMX, data={**data, "op": "add"}))
    assert rows_in(page, "lines") == 3
    assert not re.search(r"<button[^>]*disabled[^>]*>\+ Add line", page)
    assert "at most" not in page


@pytest.mark.parametrize("op", ["add", "shipping"])
def test_purchase_order_rows_stop_at_the_limit(client, ada, records, op):
    data = order_form(records.supplier(ada), MAX_LINES)
    response = client.post("/purchase-orders/form/lines", headers=HTMX, data={**data, "op": op})
    assert response.status_code == 200
    page = text(response)
    assert rows_in(page, "lines") == MAX_LINES
    assert len(re.findall(r"<button[^>]*disabled[^>]*>\+ Add (line|shipping)", page)) == 2
    assert f"A purchase order can have at most {MAX_LINES:,} lines." in page
