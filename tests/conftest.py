"""Fixtures for the app's tests (flaskr-style): app, client, runner, auth, redis_url, worker.

- The database is DATABASE_URL when set (CI's PostgreSQL leg), else a temporary SQLite file.
  The schema is created once per session; every test's ``app`` empties the tables afterwards,
  which keeps PostgreSQL fast.
- Redis is REDIS_URL when set, else a real embedded server (devstack.embedded_redis) started
  once per session; it is flushed after each test that used it.
- CSRF protection stays ON. ``client`` sends the token in the X-CSRFToken header on unsafe
  methods, exactly as htmx does with base.html's hx-headers; pass ``csrf=False`` to send a
  request without it.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from devstack.embedded_redis import embedded_redis
from xeroapp import create_app
from xeroapp.config import TestConfig
from xeroapp.extensions import db
from xeroapp.queue import close_redis, get_redis
from xeroapp.worker import build_worker

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def app_settings(**overrides: Any) -> dict[str, Any]:
    """TestConfig as a mapping, plus overrides (create_app takes either)."""
    settings = {name: getattr(TestConfig, name) for name in dir(TestConfig) if name.isupper()}
    settings.update(overrides)
    return settings


def close_app(app: Flask) -> None:
    """Close what an app holds open: pooled database connections and its Redis pool.

    Left to the garbage collector, psycopg and redis-py warn about unclosed connections at
    some random later test, which the suite's ``filterwarnings = error`` turns into a failure.
    """
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    close_redis(app)
    health_client = app.extensions.pop("xeroapp.health_redis", None)
    if health_client is not None:
        health_client.connection_pool.disconnect()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    with embedded_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """Create the schema once for the whole session (from the models)."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'app.db'}"
    schema_app = create_app(app_settings(DATABASE_URL=url))
    with schema_app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield url
    with schema_app.app_context():
        db.drop_all()
        db.engine.dispose()


class CSRFClient(FlaskClient):
    """A test client that behaves like our pages: unsafe requests carry the CSRF token."""

    def csrf_token(self) -> str:
        """A valid signed token for this client's session (what csrf_token() renders)."""
        app = self.application
        field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        with self.session_transaction() as session:
            raw = session.setdefault(field, hashlib.sha1(os.urandom(64)).hexdigest())
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args: Any, csrf: bool = True, **kwargs: Any):
        method = str(kwargs.get("method", "GET")).upper()
        if csrf and method in UNSAFE_METHODS:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


def empty_tables() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(db.engine.dialect.identifier_preparer.quote(t.name) for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(database_url: str, redis_url: str) -> Iterator[Flask]:
    app = create_app(app_settings(DATABASE_URL=database_url, REDIS_URL=redis_url))
    app.test_client_class = CSRFClient
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables()
        if "xeroapp.redis" in app.extensions:
            get_redis().flushdb()
    close_app(app)


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """``make_app(**settings)``: an app with its own settings (TestConfig plus overrides),
    closed after the test like ``app``. Its tables are not emptied: use it for reads."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = create_app(app_settings(**overrides))
        app.test_client_class = CSRFClient
        made.append(app)
        return app

    yield make
    for app in made:
        close_app(app)


@pytest.fixture
def client(app: Flask) -> CSRFClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@dataclass
class Account:
    workspace: str
    name: str
    email: str
    password: str


class AuthActions:
    """Sign up, log in and log out through the real forms."""

    default = Account("Acme Ltd", "Ada Lovelace", "ada@example.com", "correct horse")

    def __init__(self, client: CSRFClient) -> None:
        self._client = client

    def signup(self, account: Account | None = None, **fields: str):
        account = account or self.default
        data = {
            "workspace_name": account.workspace,
            "name": account.name,
            "email": account.email,
            "password": account.password,
            "confirm": account.password,
        }
        data.update(fields)
        return self._client.post("/auth/signup", data=data)

    def login(self, email: str | None = None, password: str | None = None):
        return self._client.post("/auth/login", data={
            "email": email or self.default.email,
            "password": password or self.default.password,
        })

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client: CSRFClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def worker(app: Flask):
    """``worker()`` runs every queued job to completion in this process (SimpleWorker, burst)."""

    def drain(queues: list[str] | None = None):
        rq_worker = build_worker(app, queues, simple=True)
        rq_worker.work(burst=True)
        return rq_worker

    return drain


class RecordFactory:
    """Builds committed rows directly (for tests that need data without going through forms)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _save(self, obj: Any) -> int:
        with self.app.app_context():
            db.session.add(obj)
            db.session.commit()
            return obj.id

    def workspace(self, name: str = "Other Ltd", email: str = "other@example.com",
                  password: str = "other password") -> int:
        """A workspace with one user; returns the workspace id."""
        from xeroapp.workspaces import create_workspace

        with self.app.app_context():
            user = create_workspace(workspace_name=name, user_name=name, email=email,
                                    password=password)
            db.session.commit()
            return user.workspace_id

    def workspace_id_of(self, email: str) -> int:
        from xeroapp.models.workspace import find_user_by_email

        with self.app.app_context():
            return find_user_by_email(email).workspace_id

    def client(self, workspace_id: int, name: str = "Bayside Café", **values: Any) -> int:
        from xeroapp.models import Client

        return self._save(Client(workspace_id=workspace_id, name=name, **values))

    def supplier(self, workspace_id: int, name: str = "Pacific Paper Co.", **values: Any) -> int:
        from xeroapp.models import Supplier

        return self._save(Supplier(workspace_id=workspace_id, name=name, **values))

    def product(self, workspace_id: int, sku: str = "BEAN-1KG", name: str = "Beans 1 kg",
                **values: Any) -> int:
        from xeroapp.models import Product

        return self._save(Product(workspace_id=workspace_id, sku=sku, name=name, **values))

    def invoice(self, workspace_id: int, number: str = "INV-0001", **values: Any) -> int:
        from datetime import date
        from decimal import Decimal

        from xeroapp.models import Invoice, InvoiceLine

        client_id = values.pop("client_id", None) or self.client(workspace_id, name=f"Client of {number}")
        lines = values.pop("lines", None) or [
            InvoiceLine(description="Beans", quantity=Decimal("2"), unit_price=Decimal("12.50"))
        ]
        values.setdefault("issue_date", date(2026, 11, 1))
        values.setdefault("currency", "NZD")
        return self._save(Invoice(workspace_id=workspace_id, number=number, client_id=client_id,
                                  lines=lines, **values))

    def purchase_order(self, workspace_id: int, number: str = "PO-0001", **values: Any) -> int:
        from datetime import date
        from decimal import Decimal

        from xeroapp.models import PurchaseOrder, PurchaseOrderLine

        supplier_id = values.pop("supplier_id", None) or self.supplier(workspace_id,
                                                                       name=f"Supplier of {number}")
        lines = values.pop("lines", None) or [
            PurchaseOrderLine(description="Cups", quantity=Decimal("10"), unit_cost=Decimal("9.50"))
        ]
        values.setdefault("order_date", date(2026, 11, 1))
        values.setdefault("currency", "NZD")
        return self._save(PurchaseOrder(workspace_id=workspace_id, number=number,
                                        supplier_id=supplier_id, lines=lines, **values))


@pytest.fixture
def records(app: Flask) -> RecordFactory:
    return RecordFactory(app)
