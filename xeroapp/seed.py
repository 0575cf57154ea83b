"""The demo workspace `make run` logs you into: demo@example.com / demo.

Never in production: its password is public (the README, every `make run`), so anyone could
log in to it. Idempotent: each record is looked up by its natural key (email, name, SKU,
number) and only missing ones are added, so a second run changes nothing and a partly seeded
database is completed rather than duplicated.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from xeroapp.config import is_production
from xeroapp.extensions import db
from xeroapp.models import (
    Client,
    Invoice,
    InvoiceLine,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    User,
)
from xeroapp.models.catalogue import SHIPPING_PRODUCT_SKU
from xeroapp.models.workspace import find_user_by_email
from xeroapp.workspaces import create_workspace

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo"
DEMO_WORKSPACE = "Demo Workspace"

CLIENTS = [
    dict(name="Bayside Café", email="accounts@baysidecafe.example", phone="09 555 0101",
         first_name="Aroha", last_name="Ngata", address_line1="12 Marine Parade",
         city="Auckland", postal_code="1010", country="New Zealand", account_number="BAY001"),
    dict(name="O'Brien & Sons Builders", email="office@obrienbuilders.example", phone="04 555 0192",
         first_name="Liam", last_name="O'Brien", address_line1="88 Cuba Street",
         city="Wellington", postal_code="6011", country="New Zealand", account_number="OBR001"),
    dict(name="Kiwi Coffee Roasters", email="hello@kiwiroasters.example", phone="03 555 0133",
         first_name="Mere", last_name="Tipene", address_line1="4 Colombo Street",
         city="Christchurch", postal_code="8011", country="New Zealand"),
    dict(name="Harbourview Dental", email="admin@harbourviewdental.example", phone="07 555 0177",
         first_name="Sam", last_name="Patel", address_line1="230 Devonport Road",
         city="Tauranga", postal_code="3110", country="New Zealand", tax_number="123-456-789"),
    dict(name="Smith + Wesson Design", email="studio@swdesign.example",
         first_name="Jo", last_name="Smith", city="Dunedin", country="New Zealand"),
]

SUPPLIERS = [
    dict(name="Pacific Paper Co.", email="orders@pacificpaper.example", phone="09 555 0240",
         first_name="Grace", last_name="Lee", address_line1="7 Industry Road", city="Penrose",
         postal_code="1061", country="New Zealand", account_number="PP-2291"),
    dict(name="Southern Beans Importers", email="trade@southernbeans.example", phone="03 555 0288",
         first_name="Tom", last_name="Reid", city="Dunedin", country="New Zealand"),
    dict(name="Cup & Lid Wholesale", email="sales@cupandlid.example", phone="09 555 0299",
         city="Auckland", country="New Zealand"),
]

PRODUCTS = [
    dict(sku="BEAN-HOUSE-1KG", name="House blend beans 1 kg", cost_price="18.50", sale_price="32.00",
         purchase_account_code="300", sales_account_code="200"),
    dict(sku="BEAN-DECAF-1KG", name="Decaf beans 1 kg", cost_price="21.00", sale_price="36.00",
         purchase_account_code="300", sales_account_code="200"),
    dict(sku="CUP-8OZ-1000", name="Compostable cups 8 oz (1000)", cost_price="95.00",
         sale_price="150.00", purchase_account_code="300", sales_account_code="200"),
    dict(sku="LID-8OZ-1000", name="Compostable lids 8 oz (1000)", cost_price="42.00",
         sale_price="70.00", purchase_account_code="300", sales_account_code="200"),
    dict(sku="SVC-BARISTA-TRAINING-HALF-DAY-ONSITE-2026", name="Barista training (half day, on site)",
         sale_price="450.00", sales_account_code="200",
         description="SKU longer than Xero's 30-character item code, on purpose."),
]


class DemoRefused(RuntimeError):
    """The demo account was asked for where it must never exist."""


@dataclass
class SeedSummary:
    email: str
    password: str
    created: int


class _Seeder:
    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id
        self.created = 0

    def ensure(self, model: type[Any], key: dict[str, Any], values: dict[str, Any]) -> Any:
        """The workspace's row of ``model`` matching ``key``, added with ``values`` if missing."""
        query = sa.select(model).filter_by(workspace_id=self.workspace_id, **key)
        row = db.session.scalar(query)
        if row is None:
            row = model(workspace_id=self.workspace_id, **key, **values)
            db.session.add(row)
            db.session.flush()
            self.created += 1
        return row


def seed_demo() -> SeedSummary:
    if is_production(current_app):
        raise DemoRefused(
            f"The demo account ({DEMO_EMAIL} / {DEMO_PASSWORD}) is never created when "
            "XEROAPP_ENV=production: its password is public. Sign up at /auth/signup instead.")
    user = find_user_by_email(DEMO_EMAIL)
    created = 0
    if user is None:
        user = create_workspace(workspace_name=DEMO_WORKSPACE, user_name="Demo User",
                                email=DEMO_EMAIL, password=DEMO_PASSWORD)
        created += 1
    seeder = _Seeder(user.workspace_id)
    clients = [seeder.ensure(Client, {"name": c["name"]}, _without(c, "name")) for c in CLIENTS]
    suppliers = [seeder.ensure(Supplier, {"name": s["name"]}, _without(s, "name")) for s in SUPPLIERS]
    products = {
        p["sku"]: seeder.ensure(Product, {"sku": p["sku"]}, _money(_without(p, "sku")))
        for p in PRODUCTS
    }
    shipping = seeder.ensure(Product, {"sku": SHIPPING_PRODUCT_SKU},
                             {"name": "Shipping and Handling", "published": False})
    _seed_invoices(seeder, user, clients, products)
    _seed_purchase_order(seeder, user, suppliers[0], products, shipping)
    db.session.commit()
    return SeedSummary(DEMO_EMAIL, DEMO_PASSWORD, created + seeder.created)


def _seed_invoices(seeder: _Seeder, user: User, clients: list[Client],
                   products: dict[str, Product]) -> None:
    today = date.today()
    beans, cups = products["BEAN-HOUSE-1KG"], products["CUP-8OZ-1000"]
    training = products["SVC-BARISTA-TRAINING-HALF-DAY-ONSITE-2026"]
    specs = [
        ("INV-0001", clients[0], "Weekly order", [(beans, "6"), (cups, "2")]),
        ("INV-0002", clients[2], "Staff training", [(training, "1")]),
    ]
    for number, client, reference, lines in specs:
        seeder.ensure(Invoice, {"number": number}, dict(
            client_id=client.id, issue_date=today, due_date=today + timedelta(days=20),
            reference=reference, currency=user.workspace.default_currency,
            lines=[InvoiceLine(position=i, product_id=p.id, description=p.name,
                               quantity=Decimal(qty), unit_price=p.sale_price,
                               account_code=p.sales_account_code)
                   for i, (p, qty) in enumerate(lines)],
        ))


def _seed_purchase_order(seeder: _Seeder, user: User, supplier: Supplier,
                         products: dict[str, Product], shipping: Product) -> None:
    cups, lids = products["CUP-8OZ-1000"], products["LID-8OZ-1000"]
    today = date.today()
    seeder.ensure(PurchaseOrder, {"number": "PO-0001"}, dict(
        supplier_id=supplier.id, order_date=today, delivery_date=today + timedelta(days=7),
        delivery_address="4 Colombo Street\nChristchurch 8011", attention_to="Mere Tipene",
        telephone="03 555 0133", delivery_instructions="Back door, before 10am",
        reference="Restock", currency=user.workspace.default_currency, save_to_xero=False,
        lines=[
            PurchaseOrderLine(position=0, product_id=cups.id, description=cups.name,
                              quantity=Decimal("10"), unit_cost=cups.cost_price,
                              account_code=cups.purchase_account_code),
            PurchaseOrderLine(position=1, product_id=lids.id, description=lids.name,
                              quantity=Decimal("10"), unit_cost=lids.cost_price,
                              account_code=lids.purchase_account_code),
            PurchaseOrderLine(position=2, product_id=shipping.id, description=shipping.name,
                              quantity=Decimal("1"), unit_cost=Decimal("35.00")),
        ],
    ))


def _without(values: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != key}


def _money(values: dict[str, Any]) -> dict[str, Any]:
    return {k: Decimal(v) if k.endswith("_price") else v for k, v in values.items()}
