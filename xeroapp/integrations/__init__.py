"""Settings > Integrations (connect / disconnect Xero, Activity) and Settings > Purchase orders.

Also registers, for every page of the app, the context the "needs reconnecting" banner
(templates/partials/_xero_banner.html) reads.
"""
from flask import Blueprint

bp = Blueprint("integrations", __name__)

from xeroapp.integrations import (activity, banner, defaults, purchase_defaults,  # noqa: E402,F401  (registers routes and context)
                                  views)
