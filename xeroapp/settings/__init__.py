from flask import Blueprint

bp = Blueprint("settings", __name__)

from xeroapp.settings import invoices, purchase_orders, views  # noqa: E402,F401  (registers the routes)
