from flask import Blueprint

bp = Blueprint("clients", __name__)

from xeroapp.clients import views  # noqa: E402,F401  (registers the routes)
