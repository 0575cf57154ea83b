"""Shared set-up for the purchase order tests: Ada's workspace with a supplier and products."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest


@dataclass
class Shop:
    workspace_id: int
    supplier_id: int
    cups_id: int
    lids_id: int


@pytest.fixture
def shop(auth, records) -> Shop:
    auth.signup()
    workspace_id = records.workspace_id_of("ada@example.com")
    return Shop(
        workspace_id=workspace_id,
        supplier_id=records.supplier(workspace_id, name="Pacific Paper Co."),
        cups_id=records.product(workspace_id, sku="CUP-8OZ", name="Cups 8 oz",
                                cost_price=Decimal("95.00"), purchase_account_code="300",
                                tax_type="INPUT2"),
        lids_id=records.product(workspace_id, sku="LID-8OZ", name="Lids 8 oz",
                                cost_price=Decimal("42.5"), published=False),
    )


def po_form(shop: Shop, **overrides) -> dict[str, str]:
    """A complete, valid form post for a new order with two lines."""
    data = {
        "supplier_id": str(shop.supplier_id),
        "number": "PO-0001",
        "order_date": "2026-11-20",
        "delivery_date": "2026-11-27",
        "reference": "Restock",
        "status": "draft",
        "amount_type": "Exclusive",
        "delivery_address": "4 Colombo Street\nChristchurch 8011",
        "attention_to": "Mere Tipene",
        "telephone": "03 555 0133",
        "delivery_instructions": "Back door, before 10am",
        "lines-0-line_id": "",
        "lines-0-product_id": str(shop.cups_id),
        "lines-0-description": "Cups 8 oz",
        "lines-0-quantity": "10",
        "lines-0-unit_cost": "95.00",
        "lines-0-tax_type": "INPUT2",
        "lines-1-line_id": "",
        "lines-1-product_id": "",
        "lines-1-description": "Pallet hire",
        "lines-1-quantity": "1.5",
        "lines-1-unit_cost": "12.3456",
        "lines-1-tax_type": "NONE",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
