"""SQLite settings for the development default (`make run`), where a web server and RQ
workers in other processes write to one database file at the same time.

In SQLite's default rollback-journal mode a reader blocks a writer's commit and a committing
writer blocks every reader, and the loser retries after sleeping 1, 2, 5, 10 ... ms: a panel
poll that meets a worker recording a batch pays 10-30 ms for nothing (bench/pages.py showed
it). Write-ahead logging lets readers and the one writer go on side by side. With WAL,
``synchronous=NORMAL`` is the setting SQLite's documentation recommends: a commit no longer
waits for fsync, and the database stays consistent after a crash; only the last commits
before a power cut can be lost, which a development database can afford (production runs
on PostgreSQL).
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from xeroapp.extensions import db

PRAGMAS = (
    "PRAGMA journal_mode=WAL",  # kept in the file; an in-memory database answers "memory"
    "PRAGMA synchronous=NORMAL",
    # How long a writer waits for another writer before "database is locked" (the driver's
    # default, made explicit so it does not depend on how the engine was configured).
    "PRAGMA busy_timeout=5000",
)


def set_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def init_app(app: Flask) -> None:
    """Apply PRAGMAS to every new connection of the app's SQLite engines."""
    with app.app_context():
        engines: list[Engine] = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", set_pragmas):
            event.listen(engine, "connect", set_pragmas)
