"""Settings > Integrations (connect / disconnect Xero, invoice defaults, Activity), under
/settings/integrations.

Also registers, for every page of the app, the context the "needs reconnecting" banner
(templates/partials/_xero_banner.html) reads.
"""
from flask import Blueprint

bp = Blueprint("integrations", __name__)

# Registers the routes and the banner's context.
from xeroapp.integrations import activity, banner, defaults, views  # noqa: E402,F401
