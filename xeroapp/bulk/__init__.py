"""Bulk push controls of the list pages: "Send all not in Xero", "Update all changed" and the
run's progress (one partial, partials/_bulk_push.html, included by each list page)."""
from flask import Blueprint

bp = Blueprint("bulk", __name__)

from xeroapp.bulk import views  # noqa: E402,F401  (registers routes and the template helper)
