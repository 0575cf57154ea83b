"""The sandbox's state: one SQLite database (a file, or memory), survives restarts.

A single connection guarded by a re-entrant lock: the sandbox is a test double, so
serialising writes is simpler and more predictable than SQLite's own locking across
threads. Feature modules contribute their tables as DDL strings (``SCHEMA``).
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any


class Store:
    def __init__(self, path: str | None = None) -> None:
        self.path = path or ":memory:"
        self.lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._tables: list[str] = []
        # State derived from the tables (parsed objects, say), kept by the modules that own
        # those tables under ``lock``; a wipe forgets it with the rows.
        self.memo: dict[str, Any] = {}
        self._in_transaction = False
        self._after_commit: list[Callable[[], None]] = []

    # -- schema ---------------------------------------------------------------------------
    def ensure_schema(self, ddl: str) -> None:
        """Create the tables of one feature module (idempotent DDL: CREATE ... IF NOT EXISTS)."""
        with self.lock:
            self._conn.executescript(ddl)
            names = [r["name"] for r in self._conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
            self._tables = names

    def wipe(self) -> None:
        """Delete every row of every table (``/_sandbox/reset``); the schema stays."""
        with self.transaction():
            self._conn.execute("PRAGMA defer_foreign_keys=ON")
            for name in self._tables:
                self._conn.execute(f'DELETE FROM "{name}"')
            self.memo.clear()

    # -- access ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Serialised read-modify-write: ``with store.transaction() as tx: tx.execute(...)``."""
        with self.lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                self._after_commit.clear()
                raise
            else:
                self._conn.execute("COMMIT")
                self._in_transaction = False
                self._run_after_commit()
            finally:
                self._in_transaction = False

    @property
    def in_transaction(self) -> bool:
        return self._in_transaction

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the open transaction commits, never if it rolls back (a
        change that did not happen must not be announced); at once when none is open."""
        with self.lock:
            if self._in_transaction:
                self._after_commit.append(callback)
                return
        callback()

    def _run_after_commit(self) -> None:
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self._conn.execute(sql, params)

    def all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self._conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        with self.lock:
            return self._conn.execute(sql, params).fetchone()

    def close(self) -> None:
        with self.lock:
            self._conn.close()


def dumps(value: Any) -> str:
    """JSON for storage columns (compact, stable key order for comparisons)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
