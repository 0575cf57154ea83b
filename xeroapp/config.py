"""Settings, read from the environment when the app is built: the same variables
configure development, tests and production.

Nothing here runs at import time: ``load_config`` is called by ``create_app`` so that tests,
the CLI and the RQ worker each read the environment they were started with. Secrets are never
hard-coded; when SECRET_KEY or TOKEN_ENCRYPTION_KEY is unset, one is generated on first start
into the instance folder (mode 0600) and reused afterwards, so sessions and encrypted tokens
survive restarts.
"""
from __future__ import annotations

import ipaddress
import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask

from xeroapp.limits import MAX_FORM_FIELDS

DEFAULT_SCOPES = (
    "openid profile email offline_access "
    "accounting.contacts accounting.settings accounting.invoices"
)


class Config:
    """Defaults; every one of them can be overridden from the environment."""

    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # How long a login lasts (seconds; xeroapp/login_sessions.py): it ends after this long
    # without a request, and in any case this long after logging in.
    SESSION_IDLE_LIFETIME = 2 * 60 * 60
    SESSION_ABSOLUTE_LIFETIME = 14 * 24 * 60 * 60
    # Flask-WTF: tokens last as long as the session, and htmx sends them as X-CSRFToken.
    WTF_CSRF_TIME_LIMIT: int | None = None
    WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]

    XERO_CLIENT_ID = "sandbox-app"
    XERO_CLIENT_SECRET = "sandbox-secret"
    XERO_LOGIN_URL = "https://login.xero.com"
    XERO_IDENTITY_URL = "https://identity.xero.com"
    XERO_API_URL = "https://api.xero.com"
    XERO_SCOPES = DEFAULT_SCOPES

    # The RQ queues this app enqueues on; `flask rq-worker` listens on all of them by default,
    # in this order, and RQ always takes from the first queue that holds a job: a person's
    # push ("xero": Send, a save with Save to Xero, Retry) before any bulk batch
    # ("xero-bulk"), and both before a read back from Xero ("xero-low": webhooks' reads,
    # polling, Check Xero now; xeroapp/backsync/).
    RQ_QUEUES = ["xero", "xero-bulk", "xero-low"]
    REDIS_URL: str | None = None  # no default: `make run` and the tests provide one
    # CPU niceness of `flask rq-worker` and its jobs (0-19): where workers share cores with
    # gunicorn, a click must not queue behind a batch being mapped (bench/pages.py).
    WORKER_NICE = 10
    # Jobs of one organisation's bulk push that may be queued or running at once
    # (xeroapp/sync/bulk/lanes.py). Xero lets an organisation have 5 calls in flight; 3 leave
    # room for a person's Send and reads, and keep an organisation at its 60 calls a minute
    # while a call takes up to about 2.5 s.
    BULK_LANE_WIDTH = 3
    # Jobs one `flask rq-worker` process runs at once, each in a thread of its own (1: one
    # job at a time, RQ's own worker). A push mostly waits on Xero, so threads let one process
    # keep several in flight (xeroapp/thread_worker.py); the database pool grows to match.
    WORKER_THREADS = 1
    # Of those threads, how many take only people's pushes (the "xero" queue), so that a Send
    # never waits for a bulk batch's call to end (default: a quarter, at least one).
    WORKER_PEOPLE_THREADS: int | None = None

    # Request sizes, in bytes (xeroapp/limits.py); over them, a 413 page and nothing saved.
    # The largest form is an invoice of 500 lines, about 2.2 MB when every description has its
    # 4,000 characters; 3 MiB takes it, and keeps what we send Xero under its 3.5 MB a request.
    MAX_CONTENT_LENGTH = 3 * 1024 * 1024
    # Without a session only log-in and sign-up can be posted: under 1 kB each.
    ANONYMOUS_MAX_CONTENT_LENGTH = 16 * 1024
    # One text field of a multipart body (no form of ours is multipart): 10,000 characters
    # of notes in 4-byte UTF-8 is 40 kB.
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    # Fields of a form, multipart or url-encoded (Werkzeug counts only multipart ones).
    MAX_FORM_PARTS = MAX_FORM_FIELDS

    DEFAULT_CURRENCY = "NZD"
    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's default

    # Log-in and sign-up throttling (xeroapp/auth/throttle.py), counted in Redis. A subject
    # (an email, a client address) past its limit within the window is refused for a lockout
    # that doubles with each further lockout, up to THROTTLE_MAX_LOCKOUT. Seconds throughout.
    LOGIN_ACCOUNT_LIMIT = 5   # failed log-ins per email address
    LOGIN_IP_LIMIT = 30       # failed log-ins per client address, whatever the email
    LOGIN_WINDOW = 60
    LOGIN_LOCKOUT = 60
    SIGNUP_IP_LIMIT = 5       # sign-ups per client address
    SIGNUP_WINDOW = 600
    SIGNUP_LOCKOUT = 600
    THROTTLE_MAX_LOCKOUT = 3600

    # "production" means served over HTTPS by gunicorn behind a proxy: secure cookies, HSTS,
    # ProxyFix, and no start without SECRET_KEY and TOKEN_ENCRYPTION_KEY (xeroapp/security.py).
    XEROAPP_ENV = "development"
    # Proxies in front of the app whose X-Forwarded-* headers are trusted. None: 1 in
    # production (one load balancer or nginx), 0 otherwise, so nobody can spoof them in dev.
    TRUSTED_PROXIES: int | None = None
    # /healthz/workers answers 503 when the oldest queued job has waited longer than this.
    HEALTH_MAX_QUEUE_WAIT = 600
    # Who may read /healthz/workers' details (queues, counts, reasons); everyone else gets its
    # status alone. A caller sending this token (Authorization: Bearer), or one whose address
    # is in these networks (comma-separated CIDRs; empty for none).
    HEALTH_TOKEN: str | None = None
    HEALTH_TRUSTED_NETWORKS = "127.0.0.0/8, ::1/128"
    # Benchmarks only: matches the sandbox's --time-scale N, so our call budget's windows and
    # the push retry backoff shrink with Xero's minute (a minute lasts 60/N seconds). 1 = real.
    XERO_TIME_SCALE = 1.0

    # The webhook key Xero shows for this app's webhook (developer.xero.com > the app >
    # Webhooks): POST /webhooks/xero accepts only payloads signed with it. Unset: every
    # delivery is refused (401) and only polling reads Xero's changes.
    XERO_WEBHOOK_KEY: str | None = None
    # How often every connected organisation is asked what changed since the last poll
    # (seconds; xeroapp/backsync/poll.py). Catches what webhooks do not carry (purchase
    # orders) and deliveries missed while the app was down.
    POLL_INTERVAL_SECONDS = 600


class TestConfig(Config):
    """For the test suite: CSRF stays ON (the test client sends the token like htmx does)."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    TOKEN_ENCRYPTION_KEY = "Zm9yLXRlc3RzLW9ubHktMzItYnl0ZXMtbG9uZy1rZXk="  # base64 of 32 bytes
    WTF_CSRF_SSL_STRICT = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast for tests; never use this in production
    # Tests run `flask rq-worker` in their own process, whose priority must stay as it was.
    WORKER_NICE = 0


# Environment variables copied into app.config as strings when set.
_PLAIN_ENV = (
    "DATABASE_URL",
    "SECRET_KEY",
    "TOKEN_ENCRYPTION_KEY",
    "REDIS_URL",
    "XERO_CLIENT_ID",
    "XERO_CLIENT_SECRET",
    "XERO_LOGIN_URL",
    "XERO_IDENTITY_URL",
    "XERO_API_URL",
    "XERO_SCOPES",
    "XEROAPP_ENV",
    "HEALTH_TOKEN",
    "XERO_WEBHOOK_KEY",
)
# Environment variables copied as strings even when set to "" (an empty list means none).
_LIST_ENV = ("HEALTH_TRUSTED_NETWORKS",)
# Environment variables read as whole numbers.
_INT_ENV = ("TRUSTED_PROXIES", "HEALTH_MAX_QUEUE_WAIT", "WORKER_NICE", "SESSION_IDLE_LIFETIME",
            "SESSION_ABSOLUTE_LIFETIME", "MAX_CONTENT_LENGTH", "ANONYMOUS_MAX_CONTENT_LENGTH",
            "MAX_FORM_MEMORY_SIZE", "MAX_FORM_PARTS", "WORKER_PEOPLE_THREADS")
# Environment variables read as positive numbers.
_POSITIVE_ENV = ("XERO_TIME_SCALE",)
# Environment variables read as whole numbers greater than 0.
_POSITIVE_INT_ENV = ("LOGIN_ACCOUNT_LIMIT", "LOGIN_IP_LIMIT", "LOGIN_WINDOW", "LOGIN_LOCKOUT",
                     "SIGNUP_IP_LIMIT", "SIGNUP_WINDOW", "SIGNUP_LOCKOUT", "THROTTLE_MAX_LOCKOUT",
                     "POLL_INTERVAL_SECONDS", "BULK_LANE_WIDTH", "WORKER_THREADS")
ENVIRONMENTS = ("development", "production")


def load_config(app: Flask, override: type | Mapping[str, Any] | None) -> None:
    """Fill ``app.config``: Config's defaults, then the environment, then ``override``.

    A class override (e.g. TestConfig) contributes only what it sets beyond Config, so the
    environment still beats the defaults it inherits (an end-to-end test can pass TestConfig
    and point XERO_API_URL at a sandbox).
    """
    app.config.from_object(Config)
    for name in _PLAIN_ENV:
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    for name in _INT_ENV:
        if os.environ.get(name):
            app.config[name] = _int_setting(name, os.environ[name])
    for name in _POSITIVE_ENV:
        if os.environ.get(name):
            app.config[name] = _positive_setting(name, os.environ[name])
    for name in _POSITIVE_INT_ENV:
        if os.environ.get(name):
            app.config[name] = _positive_int_setting(name, os.environ[name])
    for name in _LIST_ENV:
        if name in os.environ:
            app.config[name] = os.environ[name]

    if isinstance(override, Mapping):
        app.config.update(override)
    elif override is not None:
        app.config.update(_own_settings(override))

    for url_key in ("XERO_LOGIN_URL", "XERO_IDENTITY_URL", "XERO_API_URL"):
        app.config[url_key] = app.config[url_key].rstrip("/")
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app)
    app.config["HEALTH_TRUSTED_NETWORKS"] = _networks_setting(
        "HEALTH_TRUSTED_NETWORKS", app.config["HEALTH_TRUSTED_NETWORKS"])
    require_production_secrets(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(app, "secret_key", lambda: secrets.token_hex(32))
    if not app.config.get("TOKEN_ENCRYPTION_KEY"):
        app.config["TOKEN_ENCRYPTION_KEY"] = instance_secret(
            app, "token_encryption_key", lambda: Fernet.generate_key().decode()
        )


def is_production(app: Flask) -> bool:
    return app.config["XEROAPP_ENV"] == "production"


def require_production_secrets(app: Flask) -> None:
    """Refuse to start a production app whose secrets would be generated on this machine.

    A generated key lives in one machine's instance/ folder: a second web machine would
    reject the first one's sessions, and a worker could not decrypt the tokens the web app
    stored. Development keeps generating them so that `make run` needs no set-up.
    """
    environment = app.config["XEROAPP_ENV"]
    if environment not in ENVIRONMENTS:
        raise RuntimeError(f"XEROAPP_ENV={environment!r}: expected one of {', '.join(ENVIRONMENTS)}")
    if not is_production(app):
        return
    missing = [name for name in ("SECRET_KEY", "TOKEN_ENCRYPTION_KEY") if not app.config.get(name)]
    if missing:
        raise RuntimeError(
            f"XEROAPP_ENV=production needs {' and '.join(missing)} set in the environment "
            "(the same values on every web and worker machine)"
        )


def _int_setting(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name}={value!r}: expected a whole number") from None


def _positive_int_setting(name: str, value: str) -> int:
    number = _int_setting(name, value)
    if number < 1:
        raise RuntimeError(f"{name}={value!r}: expected a whole number greater than 0")
    return number


def _positive_setting(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0:
        raise RuntimeError(f"{name}={value!r}: expected a number greater than 0")
    return number


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks_setting(name: str, value: str | list[str] | tuple) -> tuple[Network, ...]:
    """Comma-separated CIDRs (``10.0.0.0/8, ::1``), or a list of them, as networks."""
    items = value.split(",") if isinstance(value, str) else value
    networks = []
    for item in items:
        if isinstance(item, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
            networks.append(item)
        elif str(item).strip():
            try:
                networks.append(ipaddress.ip_network(str(item).strip()))
            except ValueError:
                raise RuntimeError(f"{name}: {str(item).strip()!r} is not a network "
                                   "(expected CIDRs such as 10.0.0.0/8, separated by commas)"
                                   ) from None
    return tuple(networks)


def _own_settings(config_class: type) -> dict[str, Any]:
    """Upper-case settings of ``config_class`` that are not simply inherited from Config."""
    inherited = object()
    return {
        name: getattr(config_class, name)
        for name in dir(config_class)
        if name.isupper() and getattr(config_class, name) is not getattr(Config, name, inherited)
    }


def database_uri(app: Flask) -> str:
    """DATABASE_URL (or SQLALCHEMY_DATABASE_URI) normalised; SQLite under instance/ by default."""
    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        return f"sqlite:///{Path(app.instance_path) / 'xeroapp.db'}"
    return normalise_database_url(url)


def engine_options(app: Flask) -> dict[str, Any]:
    """SQLAlchemy's options, with a connection pool big enough for WORKER_THREADS.

    Each thread's job holds a connection for its session and briefly takes a second one to
    read the Xero token (xeroapp/xero/tokens.py). SQLAlchemy's default pool keeps 5 and opens
    up to 10 more for peaks, closing each after use: with more threads than it keeps, calls
    to Xero would keep opening and closing database connections. SQLite keeps its own pool
    (one file, no server). `flask rq-worker --threads N` comes too late to size it: the app
    and its engine exist by then, hence the setting.
    """
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    threads = int(app.config.get("WORKER_THREADS", 1))
    if threads > 1 and not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options.setdefault("pool_size", max(5, threads + 2))
    return options


def normalise_database_url(url: str) -> str:
    """Hosting platforms hand out ``postgres://`` URLs; SQLAlchemy needs a driver name.

    We install psycopg 3, so both spellings go to ``postgresql+psycopg://`` (SQLAlchemy's bare
    ``postgresql://`` would look for psycopg2, which is not installed).
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret(app: Flask, filename: str, generate) -> str:
    """Read instance/<filename>, creating it (0600) with ``generate()`` the first time."""
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    try:
        # O_EXCL: if two processes start at once, exactly one writes and the other reads.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    value = generate()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def _read_secret(path: Path, wait: float = 2.0) -> str:
    """Read a secret another process may be writing this very moment (created, not yet filled)."""
    deadline = time.monotonic() + wait
    while True:
        value = path.read_text().strip()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} is empty; delete it to generate a new secret")
        time.sleep(0.05)
