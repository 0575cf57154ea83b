"""``/_sandbox/objects/...``: what the sandbox holds, and changes a Xero user would make.

For tests and benchmarks only (off unless control is on). Reads here skip the API pipeline:
no token, no rate limits, no stats.

- ``GET   /_sandbox/objects/<tenant_id>/<kind>``           -> ``{"<Plural>": [...]}`` (API shape)
- ``GET   /_sandbox/objects/<tenant_id>/<kind>/<id>``      -> ``{"<Plural>": [one]}``
- ``POST  /_sandbox/objects/<tenant_id>/<kind>/<id>/status`` ``{"Status": "PAID"}``: as if a
  user approved / paid / voided an invoice, billed a PO or archived a contact in Xero
  (no transition rules and no payment records: for Xero's rules use the actions of
  user_actions.py, e.g. ``.../invoices/<id>/payments``).
- ``PATCH /_sandbox/objects/<tenant_id>/<kind>/<id>`` ``{"Name": "..."}``: top-level field
  edits made in Xero (bumps UpdatedDateUTC).
"""
from __future__ import annotations

from typing import Any

from flask import Response, request

from .. import orgs
from ..control import bp
from ..errors import json_response
from ..state import sandbox
from . import invoices, msdate, payments, purchase_orders
from .repository import Repository
from .spec import fields

KINDS = {
    "contacts": ("Contacts", "Contact", "ContactStatus"),
    "invoices": ("Invoices", "Invoice", "Status"),
    "purchaseorders": ("PurchaseOrders", "PurchaseOrder", "Status"),
    "items": ("Items", "Item", None),
    "payments": ("Payments", "Payment", "Status"),
    "accounts": ("Accounts", "Account", "Status"),
    "taxrates": ("TaxRates", "TaxRate", "Status"),
    "currencies": ("Currencies", "Currency", None),
}


def _repo(tenant_id: str, kind: str) -> Repository | None:
    sb = sandbox()
    if kind not in KINDS or orgs.get(sb.store, tenant_id) is None:
        return None
    return Repository(sb.store, tenant_id)


def _render(repo: Repository, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    if kind == "invoices":
        return invoices.render(repo, doc)
    if kind == "purchaseorders":
        return purchase_orders.render(repo, doc)
    if kind == "payments":
        return payments.render(repo, doc)
    return doc


def _error(status: int, message: str) -> Response:
    return json_response({"error": message}, status)


@bp.get("/objects/<tenant_id>/<kind>")
def list_objects(tenant_id: str, kind: str) -> Response:
    repo = _repo(tenant_id, kind)
    if repo is None:
        return _error(404, "unknown organisation or kind")
    return json_response({KINDS[kind][0]: [_render(repo, kind, d) for d in repo.all(kind)]})


@bp.get("/objects/<tenant_id>/<kind>/<object_id>")
def get_object(tenant_id: str, kind: str, object_id: str) -> Response:
    repo = _repo(tenant_id, kind)
    doc = repo.get(kind, object_id) if repo else None
    if repo is None or doc is None:
        return _error(404, "not found")
    return json_response({KINDS[kind][0]: [_render(repo, kind, doc)]})


@bp.post("/objects/<tenant_id>/<kind>/<object_id>/status")
def set_status(tenant_id: str, kind: str, object_id: str) -> Response:
    repo = _repo(tenant_id, kind)
    doc = repo.get(kind, object_id) if repo else None
    if repo is None or doc is None:
        return _error(404, "not found")
    plural, schema, status_field = KINDS[kind]
    body = request.get_json(silent=True) or {}
    status = str(body.get("Status") or body.get(status_field or "") or "").upper()
    allowed = fields(schema)[status_field].enum if status_field else ()
    if status not in allowed:
        return _error(400, f"Status must be one of {', '.join(allowed) or 'nothing for this kind'}")
    now = sandbox().clock.now()
    with sandbox().store.transaction():
        if kind == "invoices":
            doc = invoices.set_status(repo, doc, status, now)
        elif kind == "purchaseorders":
            doc = purchase_orders.set_status(repo, doc, status, now)
        else:
            doc = {**doc, status_field: status}
            if "UpdatedDateUTC" in doc:
                doc["UpdatedDateUTC"] = msdate.ms_from_epoch(now)
            repo.save(kind, object_id, doc)
    return json_response({plural: [_render(repo, kind, doc)]})


@bp.patch("/objects/<tenant_id>/<kind>/<object_id>")
def edit_object(tenant_id: str, kind: str, object_id: str) -> Response:
    repo = _repo(tenant_id, kind)
    doc = repo.get(kind, object_id) if repo else None
    if repo is None or doc is None:
        return _error(404, "not found")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "send a JSON object of top-level fields")
    with sandbox().store.transaction():
        doc = {**doc, **body, "UpdatedDateUTC": msdate.ms_from_epoch(sandbox().clock.now())}
        repo.save(kind, object_id, doc)
    return json_response({KINDS[kind][0]: [_render(repo, kind, doc)]})

