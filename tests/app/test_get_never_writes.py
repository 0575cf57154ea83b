"""A GET never writes: every page and fragment a logged-in user can open leaves the database
as it was (no INSERT, UPDATE or DELETE is sent). Opening a page twice, prefetching it, or a
crawler following links must not change anything.

The walk is made twice: in a workspace as sign-up makes it, and in one that lacks what
sign-up adds (its Shipping and Handling product, as in workspaces made before that rule):
a GET must not repair data either; that is the migrations' job.

The OAuth callback is a GET by OAuth's design and stores the connection when it carries a
valid code; opened here without one, it must not write either.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask

from xeroapp.extensions import db
from xeroapp.models import Product
from xeroapp.models.catalogue import SHIPPING_PRODUCT_SKU

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE)\b", re.IGNORECASE)


@contextmanager
def statements_written(app: Flask) -> Iterator[list[str]]:
    """Every INSERT/UPDATE/DELETE sent to the database while the block runs."""
    written: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        if WRITES.match(statement):
            written.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield written
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def ids(client, auth, records) -> dict[str, int]:
    """One record of each kind in Ada's workspace (logged in), by URL argument name."""
    auth.signup()
    workspace = records.workspace_id_of("ada@example.com")
    client_id = records.client(workspace)
    supplier_id = records.supplier(workspace)
    return {
        "client_id": client_id,
        "supplier_id": supplier_id,
        "product_id": records.product(workspace),
        "invoice_id": records.invoice(workspace, client_id=client_id),
        "purchase_order_id": records.purchase_order(workspace, supplier_id=supplier_id),
        "filename": "app.css",
    }


def get_urls(app: Flask, ids: dict[str, int]) -> list[str]:
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            unknown = rule.arguments - ids.keys()
            assert not unknown, f"{rule.rule}: give the test a value for {unknown}"
            urls.append(app.url_for(rule.endpoint, **{k: ids[k] for k in rule.arguments}))
    return sorted(set(urls))


@pytest.mark.parametrize("without_shipping", [False, True])
def test_no_get_writes_to_the_database(app, client, ids, without_shipping):
    if without_shipping:
        with app.app_context():
            db.session.execute(sa.delete(Product).where(Product.sku == SHIPPING_PRODUCT_SKU))
            db.session.commit()
    urls = get_urls(app, ids)
    assert len(urls) > 40  # the walk really covers the app

    answered = {}
    with statements_written(app) as written:
        for url in urls:
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                answered[url] = response.status_code
                response.close()

    assert written == []
    # /healthz/workers answers 503 here on purpose: no worker runs.
    failed = {url: status for url, status in answered.items() if status >= 500}
    assert failed == {"/healthz/workers": 503}


def test_the_walk_would_see_a_write(app, client, ids):
    """The listener catches ORM flushes and plain statements alike."""
    with statements_written(app) as written, app.app_context():
        db.session.execute(sa.text("UPDATE workspaces SET name = name"))
        db.session.commit()
    assert written == ["UPDATE workspaces SET name = name"]
