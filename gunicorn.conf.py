"""gunicorn settings for production: `make serve`, or plain `gunicorn` from the project folder.

It lives at the top level because gunicorn reads ./gunicorn.conf.py by default: a platform
that runs `gunicorn app:app` (a Procfile, a container CMD) gets these settings with no flag.
Everything is tunable from the environment; see README "Operations".
"""
from __future__ import annotations

import os

MAX_DEFAULT_WORKERS = 8


def _cores() -> int:
    """CPUs this process may run on (fewer than the machine's inside a pinned container)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no sched_getaffinity
        return os.cpu_count() or 1


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


wsgi_app = "app:app"
bind = [f"{os.environ.get('HOST', '0.0.0.0')}:{_int_env('PORT', 5000)}"]

# Processes: 2 × cores + 1, the usual rule for I/O-bound apps, capped so that a big machine does
# not open more database connections than PostgreSQL allows (each process has its own pool).
workers = _int_env("WEB_CONCURRENCY", min(2 * _cores() + 1, MAX_DEFAULT_WORKERS))
# Threads: pages are short waits on the database and Redis, and an open record polls its Xero
# panel every second while a push is pending; threads serve those polls cheaply.
worker_class = "gthread"
threads = _int_env("WEB_THREADS", 4)

# Web requests never wait on Xero's API (the workers do), so 30 s is already generous.
timeout = _int_env("WEB_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Recycle a process now and then (jitter: not all at once), which bounds any slow leak.
max_requests = 1000
max_requests_jitter = 100
# Each worker imports and builds the app itself after the fork: no database or Redis socket
# is ever shared between processes.
preload_app = False

# Logs to standard output, where the platform collects them. The request line is logged as
# method + path only: query strings can carry secrets (the OAuth callback's ?code=&state=),
# and so can the Referer, which is left out for the same reason.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Addresses whose X-Forwarded-Proto gunicorn believes. The app applies ProxyFix itself in
# production (TRUSTED_PROXIES); set FORWARDED_ALLOW_IPS to the load balancer's network when it
# runs on another machine.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 25+ opens a control socket under $HOME by default; two servers on one machine would
# fight over it, and nothing here uses gunicornc.
control_socket_disable = True
