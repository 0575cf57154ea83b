from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from xeroapp.dashboard import views  # noqa: E402,F401  (registers the routes)
