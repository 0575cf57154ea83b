"""The migration that gives pushes parked for a reconnect their own kind (error_kind
``reconnect``), instead of being told apart by their message only."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from tests.app.migration_support import OldSchema, close, database_at, migrate
from xeroapp.extensions import db
from xeroapp.models.xero import PushJob, RECONNECT_WAIT, WAITING_FOR_RECONNECT

BEFORE, AFTER = "b7103ca83903", "3e6a0d2c9b71"


def test_rows_parked_by_their_message_become_reconnect_waits(tmp_path):
    app = database_at(tmp_path / "old.db", BEFORE)
    try:
        with app.app_context(), db.engine.begin() as connection:
            old = OldSchema(connection)
            workspace = old.insert("workspaces", name="Acme")
            later = datetime(2026, 12, 1, tzinfo=timezone.utc)

            def push(record_id: int, **values) -> int:
                return old.insert("push_jobs", workspace_id=workspace, record_kind="client",
                                  record_id=record_id, action="send", **values)

            parked = push(1, status="waiting", error_message=WAITING_FOR_RECONNECT)
            # A rate-limit wait parked later kept its kind (and, in some paths, its time).
            parked_limit = push(2, status="waiting", error_kind="rate_limit",
                                error_message=WAITING_FOR_RECONNECT, not_before=later)
            limited = push(3, status="waiting", error_kind="rate_limit",
                           error_message="Xero's rate limit was reached.", not_before=later)
            failed = push(4, status="failed", error_kind="validation",
                          error_message=WAITING_FOR_RECONNECT)

        migrate(app, "upgrade", AFTER)

        with app.app_context():
            rows = {row.id: row for row in db.session.scalars(sa.select(PushJob))}
            assert rows[parked].waits_for_reconnect and rows[parked_limit].waits_for_reconnect
            assert rows[parked_limit].not_before is None
            assert not rows[limited].waits_for_reconnect and rows[limited].not_before is not None
            assert (rows[failed].status, rows[failed].error_kind) == ("failed", "validation")
            assert set(db.session.scalars(sa.select(PushJob.id).where(
                PushJob.waits_for_reconnect))) == {parked, parked_limit}
            db.session.remove()

        migrate(app, "downgrade", BEFORE)

        with app.app_context():
            kinds = dict(db.session.execute(sa.text("SELECT id, error_kind FROM push_jobs")).all())
            assert RECONNECT_WAIT not in kinds.values()
            assert kinds[limited] == "rate_limit" and kinds[failed] == "validation"
            db.session.remove()
    finally:
        close(app)
