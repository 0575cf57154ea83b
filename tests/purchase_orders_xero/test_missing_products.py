"""A purchase order whose products are not all Items in Xero: one batched lookup, the push
stops ("blocked"), the dialog lists exactly the missing ones, a job creates them in one
request while the dialog shows its progress, and the order goes on to Xero without another
click."""
from __future__ import annotations

import json
import re
from decimal import Decimal

from tests.purchase_orders_xero.po_support import (add_item, create_via_dialog, dialog,
                                                   held_orders, make_shop, order_form,
                                                   order_id_by_number, progress, save_order,
                                                   submit_dialog)
from tests.sync.push_support import HTMX, run_scheduled, text_of
from xeroapp.extensions import db
from xeroapp.models import Product, PurchaseOrder, XeroConnection, XeroLink
from xeroapp.models.types import utcnow
from xeroapp.sync.reconnect import resume_after_reconnect
from xeroapp.xero import mapping

FIVE = [("CUP-8OZ", "10", "95"), ("LID-8OZ", "10", "42.5"), ("SLEEVE", "5", "18"),
        ("STRAW", "100", "7.25"), ("NAPKIN", "20", "5")]
AUTO_OPEN = 'hx-trigger="load" hx-target="#modal-content"'


def blocked_order(desk, shop, lines=FIVE, present=("CUP-8OZ", "LID-8OZ")) -> int:
    for sku in present:
        add_item(desk, sku)
    save_order(desk, order_form(shop, lines))
    desk.drain()
    return order_id_by_number(desk)


def codes_in(html: str) -> list[str]:
    """The codes the dialog lists, in order (shown as text or in an input)."""
    rows = re.findall(r"<tr(?: class=\"has-error\")?>\s*<td>(.*?)</td>", html, re.S)
    return [(re.search(r'value="([^"]*)"', r) or re.search(r'<span class="mono">([^<]*)<', r)).group(1)
            for r in rows]


def test_three_of_five_missing_dialog_creates_them_and_the_po_follows(desk, shop, counted):
    for sku in ("CUP-8OZ", "LID-8OZ"):
        add_item(desk, sku)
    counted.calls.clear()
    save_order(desk, order_form(shop, FIVE))
    order_id = order_id_by_number(desk)
    desk.drain()

    assert counted.count("GET", "Items") == 1  # one lookup for five products, not five
    (where,) = [w for m, path, w in counted.calls if path.endswith("/Items")]
    assert where.count(" OR ") == 4
    assert held_orders(desk) == [] and desk.held("contacts") == []  # nothing sent yet
    (job,) = desk.jobs("purchase_order", order_id)
    assert (job.status, job.error_kind) == ("blocked", "products_missing")

    panel = desk.panel("purchase_order", order_id)
    assert "Not in Xero: products missing" in text_of(panel)
    assert AUTO_OPEN in panel  # the panel opens the dialog by itself the first time

    html = dialog(desk, order_id)
    assert codes_in(html) == ["SLEEVE", "STRAW", "NAPKIN"]
    words = text_of(html)
    assert "Create 3 products in Xero" in words and 'id="modal-title"' in html
    assert "Paper straws" in words and "7.25" in words and "310" in words
    assert "Create in Xero and save" in words and "Cancel" in words
    assert counted.count("GET", "Items") == 1  # opening the dialog asks Xero nothing

    answer = submit_dialog(desk, order_id)

    # The click only records the job: Xero is called by the worker, never by the request.
    assert answer.status_code == 200 and counted.count("PUT", "Items") == 0
    html = answer.get_data(as_text=True)
    assert "Creating 3 products in Xero" in text_of(html)
    assert f'hx-get="/purchase-orders/{order_id}/xero/missing-products/progress"' in html
    (creation,) = desk.jobs("missing_products", order_id)
    assert creation.status == "queued" and [c["code"] for c in creation.choices] == ["SLEEVE", "STRAW", "NAPKIN"]
    assert "Creating 3 products" in text_of(progress(desk, order_id).get_data(as_text=True))
    assert "Creating 3 products" in text_of(dialog(desk, order_id))  # reopened meanwhile

    desk.drain()  # the creation, then the order's push it records

    closing = progress(desk, order_id)
    assert closing.status_code == 200 and closing.get_data(as_text=True) == ""
    assert json.loads(closing.headers["HX-Trigger"]) == {"closeModal": True, "xeroPanelRefresh": True}
    assert counted.count("PUT", "Items") == 1  # one batched create for the three
    items = {i["Code"]: i for i in desk.held("items")}
    assert set(items) == {"CUP-8OZ", "LID-8OZ", "SLEEVE", "STRAW", "NAPKIN"}
    assert items["STRAW"]["Name"] == "Paper straws"
    assert items["STRAW"]["PurchaseDetails"]["UnitPrice"] == 7.25
    assert items["STRAW"]["PurchaseDetails"]["AccountCode"] == "310"
    assert [j.status for j in desk.jobs("missing_products", order_id)] == ["done"]

    (order,) = held_orders(desk)
    assert [l["ItemCode"] for l in order["LineItems"]] == ["CUP-8OZ", "LID-8OZ", "SLEEVE", "STRAW", "NAPKIN"]
    with desk.app.app_context():
        links = dict(db.session.execute(db.select(XeroLink.record_id, XeroLink.xero_id)
                                        .filter_by(record_kind="product")).all())
        assert links[shop.products["STRAW"]] == items["STRAW"]["ItemID"]
        assert db.session.get(Product, shop.products["STRAW"]).xero_code == "STRAW"
    assert "In Xero" in text_of(desk.panel("purchase_order", order_id))


def test_the_dialog_opens_by_itself_once_then_from_the_button(desk, shop):
    order_id = blocked_order(desk, shop)
    assert AUTO_OPEN in desk.panel("purchase_order", order_id)
    # The page itself opens it too (a worker faster than the redirect leaves nothing to poll).
    assert AUTO_OPEN in desk.client.get(f"/purchase-orders/{order_id}?tab=xero").get_data(as_text=True)
    dialog(desk, order_id)

    # Cancel (or Escape) just closes it: the order stays saved here, not in Xero.
    panel = desk.panel("purchase_order", order_id)
    assert AUTO_OPEN not in panel
    assert "Not in Xero: products missing" in text_of(panel)
    assert f'hx-get="/purchase-orders/{order_id}/xero/missing-products"' in panel
    assert "Create missing products" in text_of(panel)
    page = desk.client.get(f"/purchase-orders/{order_id}?tab=xero").get_data(as_text=True)
    assert "Not in Xero: products missing" in text_of(page) and AUTO_OPEN not in page
    assert held_orders(desk) == []
    with desk.app.app_context():
        assert len(db.session.get(PurchaseOrder, order_id).lines) == 5
    assert codes_in(dialog(desk, order_id)) == ["SLEEVE", "STRAW", "NAPKIN"]  # reopened


def test_long_sku_warns_and_the_edited_code_is_used_and_remembered(desk, shop, records):
    long_sku = "ECO-COMPOSTABLE-CUP-12OZ-WHITE-SLEEVED"  # 38 characters
    shop.products[long_sku] = records.product(desk.workspace_id, sku=long_sku,
                                              name="Compostable cup 12 oz, white, sleeved, carton of 1000",
                                              purchase_account_code="300")
    order_id = blocked_order(desk, shop, [(long_sku, "2", "120")], present=())
    product_id = shop.products[long_sku]

    html = dialog(desk, order_id)
    words = text_of(html)
    assert f"Our SKU {long_sku} has 38 characters; Xero allows 30" in words
    assert f'name="code-{product_id}" value="{long_sku[:30]}"' in html
    assert "Our name has 53 characters; Xero allows 50" in words
    assert f'name="name-{product_id}"' in html

    too_long = submit_dialog(desk, order_id, **{f"code-{product_id}": long_sku,
                                                f"name-{product_id}": "Compostable cup 12 oz"})
    assert too_long.status_code == 422
    assert "Use at most 30 characters (this code has 38)" in text_of(too_long.get_data(as_text=True))
    assert desk.held("items") == []

    create_via_dialog(desk, order_id, **{f"code-{product_id}": "ECO-CUP-12",
                                         f"name-{product_id}": "Compostable cup 12 oz"})

    (item,) = desk.held("items")
    assert (item["Code"], item["Name"]) == ("ECO-CUP-12", "Compostable cup 12 oz")
    (order,) = held_orders(desk)
    assert order["LineItems"][0]["ItemCode"] == "ECO-CUP-12"
    with desk.app.app_context():
        assert db.session.get(Product, product_id).xero_code == "ECO-CUP-12"  # remembered
        assert mapping.item_code(db.session.get(Product, product_id)) == "ECO-CUP-12"


def test_edited_codes_must_be_unique_and_not_another_products(desk, shop, records):
    first = records.product(desk.workspace_id, sku="A" * 35, name="First long one")
    second = records.product(desk.workspace_id, sku="A" * 34 + "B", name="Second long one")
    shop.products.update({"first": first, "second": second})
    order_id = blocked_order(desk, shop, [("first", "1", "1"), ("second", "1", "1")], present=())

    answer = submit_dialog(desk, order_id, **{f"code-{first}": "SAME", f"code-{second}": "same"})
    assert answer.status_code == 422
    assert "Two products cannot share the code same" in text_of(answer.get_data(as_text=True))

    answer = submit_dialog(desk, order_id, **{f"code-{first}": "CUP-8OZ", f"code-{second}": "B-1"})
    assert "The code CUP-8OZ belongs to another product here (CUP-8OZ)" in text_of(answer.get_data(as_text=True))
    assert desk.held("items") == []


def test_purchase_prices_keep_four_decimal_places(desk, shop, records):
    shop.products["BOLT"] = records.product(desk.workspace_id, sku="BOLT", name="Bolt",
                                            cost_price=Decimal("0.1234"))
    order_id = blocked_order(desk, shop, [("BOLT", "1000", "0.1234")], present=())
    create_via_dialog(desk, order_id)
    (item,) = desk.held("items")
    assert item["PurchaseDetails"]["UnitPrice"] == 0.1234


def test_rows_xero_refuses_are_shown_and_the_others_created(desk, shop, records):
    bad = records.product(desk.workspace_id, sku="BAD-ACCOUNT", name="Odd one",
                          purchase_account_code="999")
    shop.products["BAD-ACCOUNT"] = bad
    order_id = blocked_order(desk, shop, [("SLEEVE", "1", "18"), ("BAD-ACCOUNT", "1", "3")], present=())

    answer = create_via_dialog(desk, order_id)

    html = answer.get_data(as_text=True)
    assert "HX-Trigger" not in answer.headers  # stays open, the refused row on it
    assert "Xero created 1 of 2 products" in text_of(html)
    assert codes_in(html) == ["BAD-ACCOUNT"]
    assert "Account code '999' is not a valid code" in text_of(html)
    assert [i["Code"] for i in desk.held("items")] == ["SLEEVE"]
    assert held_orders(desk) == [] and desk.jobs("purchase_order", order_id)[-1].status == "blocked"
    assert codes_in(dialog(desk, order_id)) == ["BAD-ACCOUNT"]  # SLEEVE is linked now


def test_a_code_taken_in_xero_meanwhile_is_refused_on_its_row(desk, shop):
    order_id = blocked_order(desk, shop, [("SLEEVE", "1", "18")], present=())
    add_item(desk, "sleeve", "Someone else's sleeve")

    html = create_via_dialog(desk, order_id).get_data(as_text=True)

    assert "Price List Item with Code ''SLEEVE'' already exists" in text_of(html)
    assert f'name="code-{shop.products["SLEEVE"]}"' in html  # now editable, to choose another
    assert "Price List Item" in text_of(dialog(desk, order_id))  # reopened: still says why
    answer = create_via_dialog(desk, order_id, **{f"code-{shop.products['SLEEVE']}": "SLEEVE-2"})
    assert answer.headers.get("HX-Trigger")
    assert sorted(i["Code"] for i in desk.held("items")) == ["SLEEVE-2", "sleeve"]
    assert len(held_orders(desk)) == 1


def test_another_workspaces_order_and_its_dialog_are_404(desk, shop, records):
    order_id = blocked_order(desk, shop, [("SLEEVE", "1", "18")], present=())
    other = records.workspace()
    other_order = records.purchase_order(other, number="PO-9")
    for path in (f"/purchase-orders/{other_order}/xero/missing-products",
                 f"/xero/purchase_order/{other_order}/panel"):
        assert desk.client.get(path, headers=HTMX).status_code == 404
    assert desk.client.post(f"/purchase-orders/{other_order}/xero/missing-products",
                            headers=HTMX).status_code == 404
    assert desk.client.post(f"/xero/purchase_order/{other_order}/push", headers=HTMX).status_code == 404
    assert dialog(desk, order_id)  # ours still answers


def test_the_dialog_post_needs_the_csrf_token(desk, shop):
    order_id = blocked_order(desk, shop, [("SLEEVE", "1", "18")], present=())
    answer = desk.client.post(f"/purchase-orders/{order_id}/xero/missing-products", headers=HTMX,
                              csrf=False)
    assert answer.status_code == 400
    assert desk.held("items") == []


def test_dialog_without_a_blocked_push_has_nothing_to_create(desk, shop):
    add_item(desk, "SLEEVE")
    save_order(desk, order_form(shop, [("SLEEVE", "1", "18")]))
    desk.drain()
    order_id = order_id_by_number(desk)
    html = dialog(desk, order_id)
    assert "No products are missing in Xero" in text_of(html) and "Create in Xero" not in html
    answer = submit_dialog(desk, order_id)
    assert "HX-Trigger" not in answer.headers and len(desk.held("items")) == 1


def test_the_dialog_works_as_a_page_without_javascript(desk, shop):
    order_id = blocked_order(desk, shop, [("SLEEVE", "1", "18")], present=())
    page = desk.client.get(f"/purchase-orders/{order_id}/xero/missing-products")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    answer = desk.client.post(f"/purchase-orders/{order_id}/xero/missing-products")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/purchase-orders/{order_id}/xero/missing-products/progress")
    page = desk.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "<html" in page and "Check progress" in page
    desk.drain()
    done = desk.client.get(answer.headers["Location"])
    assert done.status_code == 302 and done.headers["Location"].endswith("tab=xero")
    assert [i["Code"] for i in desk.held("items")] == ["SLEEVE"]


def test_lookups_are_split_only_when_the_query_would_be_too_long():
    codes = [f"CODE-{n:04d}" for n in range(200)]
    chunks = mapping.item_lookups(codes, 1900)
    assert len(chunks) > 1 and all(mapping.query_length(c) <= 1900 for c in chunks)
    assert sum(c.count("Code==") for c in chunks) == 200
    assert mapping.item_lookups(["A", "B", "A"], 1900) == ['Code=="A" OR Code=="B"']
    assert mapping.item_lookups(['Say "hi"\\'], 1900) == ['Code.Contains("Say")']


def test_check_xero_again_after_adding_the_items_by_hand(desk, shop, counted):
    order_id = blocked_order(desk, shop, [("SLEEVE", "1", "18")], present=())
    add_item(desk, "SLEEVE")
    panel = desk.panel("purchase_order", order_id)
    assert "Check Xero again" in panel and f'hx-post="/xero/purchase_order/{order_id}/push"' in panel

    desk.send("purchase_order", order_id)

    (order,) = held_orders(desk)
    assert order["LineItems"][0]["ItemCode"] == "SLEEVE"
    assert counted.count("PUT", "Items") == 1  # only the one added by hand


def test_a_create_xero_did_not_answer_is_retried_by_the_job_with_the_same_key(live_desk, records):
    desk = live_desk  # over a real socket: a dropped connection is a network error there
    shop = make_shop(desk, records)
    order_id = blocked_order(desk, shop, [("SLEEVE", "1", "18")], present=())
    # Xero saves the item, and its answer is lost on the way back.
    desk.control("faults", {"next": ["lost_response"], "paths": ["Items"]})

    submit_dialog(desk, order_id)
    desk.drain()

    (creation,) = desk.jobs("missing_products", order_id)
    assert (creation.status, creation.error_kind) == ("waiting", "unreachable")
    words = text_of(progress(desk, order_id).get_data(as_text=True))
    assert "Xero could not be reached" in words and "Trying again at" in words
    assert "Error" not in words and "(" not in words.split("Trying again")[0]  # no class names
    run_scheduled(desk.app, desk.drain)  # the retry, at its time

    # The retry carried the same Idempotency-Key: Xero replayed its answer, one SLEEVE.
    assert [i["Code"] for i in desk.held("items")] == ["SLEEVE"]
    assert progress(desk, order_id).headers.get("HX-Trigger")
    assert len(held_orders(desk)) == 1
    assert desk.link("product", shop.products["SLEEVE"]) is not None


def test_when_xero_stays_unreachable_the_dialog_says_create_again_is_safe(desk, shop):
    order_id = blocked_order(desk, shop, [("SLEEVE", "1", "18")], present=())
    desk.control("faults", {"next": ["503"] * 5, "paths": ["Items"]})
    submit_dialog(desk, order_id)
    desk.drain()
    (creation,) = desk.jobs("missing_products", order_id)
    for _ in range(10):
        if creation.status != "waiting":
            break
        run_scheduled(desk.app, desk.drain)
        (creation,) = desk.jobs("missing_products", order_id)
    assert creation.status == "failed"

    html = text_of(progress(desk, order_id).get_data(as_text=True))
    assert "Xero may have created some of these products all the same" in html
    assert "again is safe" in html and "Nothing here was changed" not in html
    assert "Create in Xero and save" in html  # the dialog again, to try once more
    assert desk.held("items") == []
    create_via_dialog(desk, order_id)  # Xero is back
    assert [i["Code"] for i in desk.held("items")] == ["SLEEVE"]
    assert len(held_orders(desk)) == 1


def test_a_lost_grant_parks_the_creation_until_reconnected(desk, shop):
    order_id = blocked_order(desk, shop, [("SLEEVE", "1", "18")], present=())
    with desk.app.app_context():  # Xero stops honouring the grant: the refresh is refused
        connection = db.session.scalar(db.select(XeroConnection))
        good_token, tenant_id = connection.refresh_token, connection.tenant_id
        connection.refresh_token = "revoked-at-xero"
        connection.access_token_expires_at = utcnow()
        db.session.commit()

    submit_dialog(desk, order_id)
    desk.drain()

    (creation,) = desk.jobs("missing_products", order_id)
    assert creation.waits_for_reconnect and desk.held("items") == []
    words = text_of(progress(desk, order_id).get_data(as_text=True))
    assert "Xero needs reconnecting before it can create them" in words

    with desk.app.app_context():  # someone reconnects: the parked creation goes on
        connection = db.session.scalar(db.select(XeroConnection))
        connection.refresh_token, connection.needs_reconnect = good_token, False
        resume_after_reconnect(db.session, desk.workspace_id, tenant_id)
        db.session.commit()
    desk.drain()

    assert [i["Code"] for i in desk.held("items")] == ["SLEEVE"]
    assert len(held_orders(desk)) == 1
    assert progress(desk, order_id).headers.get("HX-Trigger")
