from flask import Blueprint

bp = Blueprint("account", __name__)

from xeroapp.account import views  # noqa: E402,F401  (registers the routes)
