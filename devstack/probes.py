"""Readiness probes: cheap, short-timeout questions asked in a loop while a service starts."""
from __future__ import annotations

import errno
import http.client
import socket
from urllib.parse import urlsplit


def port_in_use(host: str, port: int) -> bool:
    """True when something already listens on ``host:port``.

    We bind rather than connect: a bind also catches a listener on 0.0.0.0, and SO_REUSEADDR
    (which the dev servers set too) keeps sockets in TIME_WAIT from a previous run from
    counting as "in use".
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


class ProbeFailed(Exception):
    """The service answers, but wrongly: waiting longer will not help."""


def http_status(url: str, timeout: float = 1.0) -> int | None:
    """The status code of a GET (redirects not followed), or None when nothing answers."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
    try:
        conn.request("GET", parts.path or "/")
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def answers_200(url: str) -> bool:
    """False while nothing listens; True on 200; ProbeFailed on any other status."""
    status = http_status(url)
    if status is None:
        return False
    if status != 200:
        raise ProbeFailed(f"answers, but GET {urlsplit(url).path} gave HTTP {status}, not 200")
    return True


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    """True when the Redis server at ``url`` (redis://, rediss:// or unix://) answers PING."""
    import redis  # lazily: the supervisor's other paths need only the stdlib

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def rq_worker_registered(url: str, pid: int, timeout: float = 1.0) -> bool:
    """True once an RQ worker whose process id is ``pid`` has registered with Redis.

    Matching on the pid (RQ stores it in the worker's hash) ignores registrations left behind
    by a worker of an earlier run that was killed before it could deregister.
    """
    import redis

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        for key in client.smembers("rq:workers"):
            if client.hget(key, "pid") == str(pid).encode():
                return True
        return False
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()
