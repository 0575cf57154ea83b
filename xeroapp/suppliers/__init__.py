from flask import Blueprint

bp = Blueprint("suppliers", __name__)

from xeroapp.suppliers import views  # noqa: E402,F401  (registers the routes)
