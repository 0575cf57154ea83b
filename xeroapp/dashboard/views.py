"""The home page: the workspace at a glance."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from xeroapp.dashboard import bp
from xeroapp.extensions import db
from xeroapp.listing import count_for_workspace
from xeroapp.models import Client, Invoice, Product, PurchaseOrder, Supplier, XeroConnection

AREAS = (
    ("clients.index", "Clients", Client),
    ("invoices.index", "Invoices", Invoice),
    ("suppliers.index", "Suppliers", Supplier),
    ("products.index", "Products", Product),
    ("purchase_orders.index", "Purchase orders", PurchaseOrder),
)


@bp.get("/")
def index():
    counts = [(endpoint, label, count_for_workspace(model)) for endpoint, label, model in AREAS]
    connection = db.session.scalar(
        db.select(XeroConnection).filter_by(workspace_id=current_user.workspace_id)
    )
    return render_template("dashboard/index.html", counts=counts, connection=connection)
