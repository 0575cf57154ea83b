"""The Flask extensions, created unbound here and bound to an app in ``create_app``.

Keeping them in one module lets every other module import ``db`` or ``csrf`` without importing
the app factory (no cycles, and no app is ever built at import time).
"""
from __future__ import annotations

from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints: Alembic can only drop or alter a constraint it can name, and SQLite's
# batch mode rebuilds tables by name. The same names are produced on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
# The Authlib client for Xero is built per app by xeroapp.xero.oauth.init_app: Authlib's
# module-level registry would cache one client per process, whatever each app's Xero URLs.
