"""INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL: a row that a unique constraint
says exists already (a repeated webhook event, a change read twice) is skipped without an
error and without ending the transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from xeroapp.extensions import db

# Rows per statement: well under SQLite's limit of bound variables per statement.
CHUNK = 500


def insert_new(model: type, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (each with every column it needs) except those already there."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model).values(rows[start:start + CHUNK]).on_conflict_do_nothing())
