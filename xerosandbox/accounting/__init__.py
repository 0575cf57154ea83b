"""The Accounting API resources: Organisation, Contacts, Invoices, Payments, PurchaseOrders,
Items, Accounts, TaxRates.

Modules: spec/validate (the vendored OpenAPI spec as field rules), where (the filter
language), msdate, repository (objects per organisation), context (the calling
organisation), envelope, listing and batch (GET and PUT/POST mechanics), lines/documents
(line items, totals, numbering, transitions), one module per resource, reference
(+ reference_data), control (``/_sandbox/objects``) and user_actions (what a Xero user does
in Xero's own screens: approve, pay, void, bill, archive, merge).
"""
from __future__ import annotations

from flask import Flask

from .. import orgs
from .reference_data import seed_organisation
from .repository import SCHEMA, Repository

__all__ = ["SCHEMA", "seed", "init_app"]


def seed(sb) -> None:
    """Per-organisation reference data (chart of accounts, tax rates) for every organisation."""
    now = sb.clock.now()
    with sb.store.transaction():
        for org in orgs.all_orgs(sb.store):
            seed_organisation(Repository(sb.store, org["tenant_id"]), org, now)


def init_app(app: Flask) -> None:
    """Import the resource modules so their views register on api.bp (and control.bp)."""
    from . import (contacts, control, invoices, items, org_control,  # noqa: F401
                   payments, purchase_orders, reference, user_actions)
