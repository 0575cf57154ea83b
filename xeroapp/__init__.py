"""The xeroapp application factory."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from xeroapp import access, cli, errors, ids, limits, rendering, request_text, security, sqlite
from xeroapp.config import load_config
from xeroapp.extensions import csrf, db, htmx, login_manager, migrate
from xeroapp.models import versioning
from xeroapp.xero import oauth as xero_oauth

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(config: type | Mapping[str, Any] | None = None) -> Flask:
    """Build an app: ``config`` is a class (e.g. TestConfig) or a mapping of overrides."""
    # templates/ and static/ live at the project root, next to app.py, not inside the package.
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    load_config(app, config)
    security.init_app(app)
    limits.init_app(app)  # its hook must run before CSRFProtect's, the first to read a form

    db.init_app(app)
    sqlite.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    xero_oauth.init_app(app)
    versioning.install()

    request_text.init_app(app)  # before login is checked: a NUL is refused for anyone
    access.init_app(app)
    errors.init_app(app)
    ids.init_app(app)  # the <id:...> converter, before the blueprints' routes use it
    rendering.init_app(app)
    register_blueprints(app)
    cli.init_app(app)
    return app


def register_blueprints(app: Flask) -> None:
    from xeroapp.account import bp as account_bp
    from xeroapp.auth import bp as auth_bp
    from xeroapp.backsync.check import bp as xero_check_bp
    from xeroapp.backsync.webhooks import bp as xero_webhooks_bp
    from xeroapp.bulk import bp as bulk_bp
    from xeroapp.clients import bp as clients_bp
    from xeroapp.dashboard import bp as dashboard_bp
    from xeroapp.health import bp as health_bp
    from xeroapp.integrations import bp as integrations_bp
    from xeroapp.invoices import bp as invoices_bp
    from xeroapp.panel import bp as panel_bp
    from xeroapp.products import bp as products_bp
    from xeroapp.purchase_orders import bp as purchase_orders_bp
    from xeroapp.settings import bp as settings_bp
    from xeroapp.suppliers import bp as suppliers_bp

    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(clients_bp, url_prefix="/clients")
    app.register_blueprint(invoices_bp, url_prefix="/invoices")
    app.register_blueprint(suppliers_bp, url_prefix="/suppliers")
    app.register_blueprint(products_bp, url_prefix="/products")
    app.register_blueprint(purchase_orders_bp, url_prefix="/purchase-orders")
    app.register_blueprint(settings_bp, url_prefix="/settings")
    app.register_blueprint(integrations_bp, url_prefix="/settings/integrations")
    app.register_blueprint(panel_bp, url_prefix="/xero")
    app.register_blueprint(bulk_bp, url_prefix="/xero/bulk")
    app.register_blueprint(xero_check_bp, url_prefix="/xero")
    app.register_blueprint(xero_webhooks_bp)
    app.register_blueprint(health_bp)
