from flask import Blueprint

bp = Blueprint("products", __name__)

from xeroapp.products import views  # noqa: E402,F401  (registers the routes)
