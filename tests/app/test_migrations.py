"""The migration history builds the schema the models describe, from an empty database."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from xeroapp import create_app
from xeroapp.config import TestConfig
from xeroapp.extensions import db


def app_for_database(url: str):
    """An app on its own empty database (even when the suite runs on PostgreSQL)."""
    return create_app(type("FreshDatabaseConfig", (TestConfig,), {"DATABASE_URL": url}))


def test_flask_db_upgrade_from_empty_matches_the_models(tmp_path):
    app = app_for_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output

    with app.app_context(), db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        assert {table.name for table in db.metadata.sorted_tables} <= tables
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "render_as_batch": True})
        assert compare_metadata(context, db.metadata) == []
        db.engine.dispose()


def test_downgrade_to_base_removes_everything(tmp_path):
    app = app_for_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output

    with app.app_context(), db.engine.connect() as connection:
        assert set(sa.inspect(connection).get_table_names()) == {"alembic_version"}
        db.engine.dispose()
