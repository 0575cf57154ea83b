"""Redis and the RQ queues, created lazily from REDIS_URL.

Nothing connects at import or in ``create_app``: a web request that never enqueues never needs
Redis, and the worker's parent process must not hold sockets it would share with forked
work horses.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import redis
from flask import current_app
from rq import Queue

_EXTENSION_KEY = "xeroapp.redis"


class RedisNotConfigured(RuntimeError):
    """REDIS_URL is unset: `make run` and the tests always provide one."""


def get_redis() -> redis.Redis:
    """The app's Redis client (one connection pool per app, created on first use)."""
    client = current_app.extensions.get(_EXTENSION_KEY)
    if client is None:
        url = current_app.config.get("REDIS_URL")
        if not url:
            raise RedisNotConfigured("REDIS_URL is not set")
        # Bounded waits: a Redis that stops answering must fail a request, not hang it.
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        current_app.extensions[_EXTENSION_KEY] = client
    return client


def queue_names() -> list[str]:
    return list(current_app.config["RQ_QUEUES"])


def get_queue(name: str | None = None) -> Queue:
    """An RQ queue on the app's Redis; the first of RQ_QUEUES unless ``name`` is given."""
    return Queue(name or queue_names()[0], connection=get_redis())


def whole_second_after(moment: datetime) -> datetime:
    """``moment`` rounded up to a whole second. RQ's scheduler files a job under its time's
    whole seconds, dropping the fraction, so a retry scheduled for 12:00:00.6 could start at
    12:00:00, before its row is due, and find nothing to do: a wait ends on a whole second."""
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


def close_redis(app) -> None:
    """Drop the app's Redis connections (tests and short-lived CLI apps call this)."""
    client = app.extensions.pop(_EXTENSION_KEY, None)
    if client is not None:
        client.connection_pool.disconnect()
