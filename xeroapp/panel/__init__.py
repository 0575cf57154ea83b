"""The integration panel: one partial per record (client, invoice, supplier, and the PO of
issue 5) showing its Xero state, with Send/Update, the contact choice, and push history."""
from flask import Blueprint

bp = Blueprint("panel", __name__)

from xeroapp.panel import views  # noqa: E402,F401  (registers routes and the template helper)
