"""Data migrations under test: a fresh SQLite database brought to an older revision, and rows
written into its schema as it was then (plain SQL, since today's models no longer match)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
from flask import Flask

from tests.app.test_migrations import app_for_database
from xeroapp.extensions import db


def database_at(path, revision: str) -> Flask:
    """An app on a new SQLite file at ``path``, upgraded to ``revision``."""
    app = app_for_database(f"sqlite:///{path}")
    migrate(app, "upgrade", revision)
    return app


def migrate(app: Flask, direction: str, revision: str) -> None:
    result = app.test_cli_runner().invoke(args=["db", direction, revision])
    assert result.exit_code == 0, result.output


def close(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class OldSchema:
    """Inserts into the tables as the database holds them now; NOT NULL columns left out get a
    placeholder of their type, so a test names only the values it is about."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.metadata = sa.MetaData()
        self.metadata.reflect(connection)

    def insert(self, table: str, **values) -> int:
        table = self.metadata.tables[table]
        for column in table.columns:
            if column.name not in values and not column.nullable and not column.primary_key \
                    and column.server_default is None:
                values[column.name] = _placeholder(column)
        return self.connection.execute(table.insert().values(**values)).inserted_primary_key[0]


def _placeholder(column: sa.Column):
    placeholders = {str: "x", int: 1, bool: False, date: date(2026, 11, 1),
                    datetime: datetime(2026, 11, 1, tzinfo=timezone.utc)}
    return placeholders.get(column.type.python_type, 0)
