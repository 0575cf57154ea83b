from flask import Blueprint

bp = Blueprint("invoices", __name__)

from xeroapp.invoices import views  # noqa: E402,F401  (registers the routes)
