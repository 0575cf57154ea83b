from flask import Blueprint

bp = Blueprint("purchase_orders", __name__)

from xeroapp.purchase_orders import missing_products, views  # noqa: E402,F401  (registers the routes)
