"""Client look-ups shared by the client form and views."""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.listing import where_contains
from xeroapp.models import Client, Invoice

SEARCH_COLUMNS = (Client.name, Client.email, Client.account_number)


def normalise_name(name: str) -> str:
    """How Xero compares contact names: case and surrounding/duplicate spaces do not count."""
    return " ".join(name.split()).lower()


def find_client_by_name(workspace_id: int, name: str, exclude_id: int | None = None) -> Client | None:
    wanted = normalise_name(name)
    if not wanted:
        return None
    # Compared in Python: SQL cannot collapse inner spaces portably, and SQLite's lower() only
    # folds ASCII ("CAFÉ" vs "café"). One workspace's client names are a small read.
    query = sa.select(Client.id, Client.name).where(Client.workspace_id == workspace_id)
    if exclude_id is not None:
        query = query.where(Client.id != exclude_id)
    match = next((row.id for row in db.session.execute(query)
                  if normalise_name(row.name) == wanted), None)
    return None if match is None else db.session.get(Client, match)


def search_filter(query: sa.Select, text: str) -> sa.Select:
    """Clients whose name, email or account number contains ``text`` (case-insensitive)."""
    return where_contains(query, SEARCH_COLUMNS, text)


def invoice_count(client_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Invoice).where(Invoice.client_id == client_id)
    ) or 0
