"""The integration panel: one partial per record (client, invoice, supplier, purchase order)
showing its Xero state (state.py), with Send/Update, the contact choice, and push history."""
from flask import Blueprint

bp = Blueprint("panel", __name__)

from xeroapp.panel import views  # noqa: E402,F401  (registers routes and the template helper)
from xeroapp.panel import xero_history  # noqa: E402,F401  (the history's template helper)
