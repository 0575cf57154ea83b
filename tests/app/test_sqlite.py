"""The SQLite database of `make run` is shared by the web processes and the RQ workers: a
worker recording a batch must not make a page wait (xeroapp/sqlite.py)."""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db


def test_sqlite_files_use_write_ahead_logging(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}")
    with app.app_context():
        settings = [db.session.execute(sa.text(f"PRAGMA {name}")).scalar()
                    for name in ("journal_mode", "synchronous", "busy_timeout")]

    assert settings == ["wal", 1, 5000]  # synchronous 1 = NORMAL


def test_a_writer_commits_while_a_page_is_still_reading(make_app, tmp_path):
    """In SQLite's default journal mode the commit below waits for the reader to finish
    (then fails with "database is locked"); with WAL both go on."""
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}")
    with app.app_context():
        with db.engine.begin() as setup:
            setup.execute(sa.text("CREATE TABLE notes (body TEXT)"))
        with db.engine.connect() as page, db.engine.connect() as worker:
            page.execute(sa.text("PRAGMA busy_timeout=100"))
            worker.execute(sa.text("PRAGMA busy_timeout=100"))
            page.execute(sa.text("BEGIN"))
            assert page.execute(sa.text("SELECT count(*) FROM notes")).scalar() == 0

            worker.execute(sa.text("INSERT INTO notes VALUES ('sent')"))
            worker.commit()

            # The page's transaction still sees its snapshot; a new one sees the write.
            assert page.execute(sa.text("SELECT count(*) FROM notes")).scalar() == 0
            page.rollback()
            assert page.execute(sa.text("SELECT count(*) FROM notes")).scalar() == 1
