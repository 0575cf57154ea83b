"""Persistence of accounting objects: one row per object, per organisation.

Objects are kept as the JSON Xero would return (API shape, MS dates included), so reads
are a load and writes a dump; filtering happens in Python on those shapes (a sandbox
organisation holds thousands of objects at most). Insertion order (rowid) is the default
list order, so paging is stable. Per-organisation counters back auto-numbering.

Watchers (``watch``) hear of every saved object whose UpdatedDateUTC moved (or that is new),
once its transaction commits: that is what Xero's webhooks report, and only what happened
(a rolled-back batch announces nothing). A save that leaves UpdatedDateUTC alone (an
invoice marking its contact IsCustomer) is not a change Xero stamps, so it is not reported.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from ..store import Store, loads

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounting_objects (
    tenant_id   TEXT NOT NULL REFERENCES organisations(tenant_id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,   -- contacts | invoices | purchaseorders | items | accounts | taxrates | currencies
    object_id   TEXT NOT NULL,   -- the object's Xero id (ContactID, InvoiceID, ..., TaxType)
    doc         TEXT NOT NULL,   -- the object as the API returns it (JSON)
    PRIMARY KEY (tenant_id, kind, object_id)
);
CREATE TABLE IF NOT EXISTS accounting_counters (
    tenant_id   TEXT NOT NULL REFERENCES organisations(tenant_id) ON DELETE CASCADE,
    name        TEXT NOT NULL,   -- e.g. "invoice_number", "purchase_order_number"
    value       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
"""


@dataclass(frozen=True)
class Change:
    """One committed change to an object: what a webhook event describes."""
    tenant_id: str
    kind: str
    object_id: str
    created: bool
    updated: str | None     # the object's UpdatedDateUTC after the change (MS date)


Watcher = Callable[[Change], None]
# Per store, so that several sandboxes in one process (tests) never hear each other.
_WATCHERS: WeakKeyDictionary[Store, list[tuple[frozenset[str], Watcher]]] = WeakKeyDictionary()


def watch(store: Store, kinds: frozenset[str], watcher: Watcher) -> None:
    """Tell ``watcher`` of each committed change to an object of ``kinds`` in ``store``."""
    _WATCHERS.setdefault(store, []).append((kinds, watcher))


Key = Callable[[dict[str, Any]], "str | None"]
_COMMITTED = "accounting_objects"  # the store's memo entry: see Repository._committed


class Repository:
    """The accounting objects of one organisation, for the length of one request.

    Parsed objects are shared between requests: each (organisation, kind) is read and parsed
    once, and every save or delete that commits applies itself to that copy (one that rolls
    back never reaches it). A request works on its own shallow copy of the kind it lists
    (write-through), so a batch of 50 sees its own earlier elements; callers treat returned
    objects as read-only (copy to change). Without this a sandbox organisation of a few
    thousand contacts spent a fifth of a second parsing them on every call, inside the
    store's lock, and every other organisation's calls queued behind it: at Xero one
    organisation's load does not slow another's calls.
    """

    def __init__(self, store: Store, tenant_id: str) -> None:
        self.store = store
        self.tenant_id = tenant_id
        self._cache: dict[str, dict[str, dict[str, Any]]] = {}
        self._indexes: dict[tuple[str, Key], dict[str, list[str]]] = {}
        self._written: set[str] = set()   # kinds this request wrote before listing them

    def all(self, kind: str) -> list[dict[str, Any]]:
        return list(self._objects(kind).values())

    def _objects(self, kind: str) -> dict[str, dict[str, Any]]:
        if kind not in self._cache:
            with self.store.lock:
                self._cache[kind] = dict(self._committed(kind))
        return self._cache[kind]

    def _committed(self, kind: str) -> dict[str, dict[str, Any]]:
        """The committed objects of ``kind``, in list order (call holding the store's lock)."""
        shared = self.store.memo.setdefault(_COMMITTED, {})
        objects = shared.get((self.tenant_id, kind))
        if objects is not None:
            return objects
        rows = self.store.all(
            "SELECT object_id, doc FROM accounting_objects WHERE tenant_id = ? AND kind = ? "
            "ORDER BY rowid", (self.tenant_id, kind))
        objects = {row["object_id"]: loads(row["doc"]) for row in rows}
        # Rows this request wrote in its open transaction are not committed yet: such a
        # reading is this request's alone.
        if not (self.store.in_transaction and kind in self._written):
            shared[(self.tenant_id, kind)] = objects
        return objects

    def _on_commit(self, kind: str, object_id: str, doc: dict[str, Any] | None) -> None:
        def apply() -> None:
            with self.store.lock:
                objects = self.store.memo.get(_COMMITTED, {}).get((self.tenant_id, kind))
                if objects is None:
                    return
                if doc is None:
                    objects.pop(object_id, None)
                else:
                    objects[object_id] = doc
        self.store.after_commit(apply)

    def first(self, kind: str, key: Key, wanted: str) -> dict[str, Any] | None:
        """The first object (in list order) whose ``key`` is ``wanted``."""
        return next(iter(self.holders(kind, key, wanted)), None)

    def holders(self, kind: str, key: Key, wanted: str) -> list[dict[str, Any]]:
        """Every object whose ``key`` is ``wanted``, in list order: a uniqueness check per
        element of a batch, through an index built once per request."""
        objects = self._objects(kind)
        return [objects[i] for i in self._index(kind, key).get(wanted, ())
                if key(objects[i]) == wanted]

    def values(self, kind: str, key: Key) -> set[str]:
        """Every ``key`` some object of ``kind`` has (numbers in use, say)."""
        return {value for value, ids in self._index(kind, key).items() if ids}

    def _index(self, kind: str, key: Key) -> dict[str, list[str]]:
        index = self._indexes.get((kind, key))
        if index is None:
            index = self._indexes[(kind, key)] = {}
            for object_id, doc in self._objects(kind).items():
                value = key(doc)
                if value is not None:
                    index.setdefault(value, []).append(object_id)
        return index

    def _reindex(self, kind: str, object_id: str, before: dict[str, Any] | None,
                 after: dict[str, Any] | None) -> None:
        for (indexed, key), index in self._indexes.items():
            if indexed != kind:
                continue
            old, new = key(before) if before else None, key(after) if after else None
            if old == new:
                continue
            if old is not None and object_id in index.get(old, ()):
                index[old].remove(object_id)
            if new is not None:
                index.setdefault(new, []).append(object_id)

    def get(self, kind: str, object_id: str) -> dict[str, Any] | None:
        if kind in self._cache:
            return self._cache[kind].get(object_id.lower())
        row = self.store.one(
            "SELECT doc FROM accounting_objects WHERE tenant_id = ? AND kind = ? AND object_id = ?",
            (self.tenant_id, kind, object_id.lower()))
        return loads(row["doc"]) if row else None

    def has_any(self, kind: str) -> bool:
        return self.store.one("SELECT 1 FROM accounting_objects WHERE tenant_id = ? AND kind = ? LIMIT 1",
                              (self.tenant_id, kind)) is not None

    def save(self, kind: str, object_id: str, doc: dict[str, Any]) -> None:
        """Insert or replace, keeping the original row (and so its place in list order)."""
        watchers = [w for kinds, w in _WATCHERS.get(self.store, ()) if kind in kinds]
        if watchers:
            self._announce(kind, object_id, doc, watchers)
        self.store.execute(
            "INSERT INTO accounting_objects (tenant_id, kind, object_id, doc) VALUES (?,?,?,?) "
            "ON CONFLICT (tenant_id, kind, object_id) DO UPDATE SET doc = excluded.doc",
            (self.tenant_id, kind, object_id.lower(), _dump(doc)))
        self._remember(kind, object_id.lower(), doc)

    def _announce(self, kind: str, object_id: str, doc: dict[str, Any], watchers: list[Watcher]) -> None:
        row = self.store.one(
            "SELECT doc FROM accounting_objects WHERE tenant_id = ? AND kind = ? AND object_id = ?",
            (self.tenant_id, kind, object_id.lower()))
        before = loads(row["doc"]) if row else None
        updated = doc.get("UpdatedDateUTC")
        if before is not None and before.get("UpdatedDateUTC") == updated:
            return
        change = Change(self.tenant_id, kind, object_id.lower(), before is None, updated)
        for watcher in watchers:
            self.store.after_commit(lambda w=watcher: w(change))

    def delete(self, kind: str, object_id: str) -> bool:
        cursor = self.store.execute(
            "DELETE FROM accounting_objects WHERE tenant_id = ? AND kind = ? AND object_id = ?",
            (self.tenant_id, kind, object_id.lower()))
        self._remember(kind, object_id.lower(), None)
        return cursor.rowcount > 0

    def _remember(self, kind: str, object_id: str, doc: dict[str, Any] | None) -> None:
        """A save (``doc``) or delete (None) in this request's copy, its indexes, and, once
        it commits, the shared one."""
        self._on_commit(kind, object_id, doc)
        if kind not in self._cache:
            self._written.add(kind)
            return
        objects = self._cache[kind]
        self._reindex(kind, object_id, objects.get(object_id), doc)
        if doc is None:
            objects.pop(object_id, None)
        else:
            objects[object_id] = doc

    def next_counter(self, name: str, above: int = 0) -> int:
        """1, 2, 3 ... per organisation, and never ``above`` or below (call inside a
        transaction)."""
        self.store.execute(
            "INSERT INTO accounting_counters (tenant_id, name, value) VALUES (?, ?, ?) "
            "ON CONFLICT (tenant_id, name) DO UPDATE SET value = MAX(value + 1, excluded.value)",
            (self.tenant_id, name, above + 1))
        row = self.store.one("SELECT value FROM accounting_counters WHERE tenant_id = ? AND name = ?",
                             (self.tenant_id, name))
        assert row is not None
        return int(row["value"])


def _dump(doc: dict[str, Any]) -> str:
    """Compact JSON that keeps the field order we built (responses read like Xero's)."""
    return json.dumps(doc, separators=(",", ":"))
