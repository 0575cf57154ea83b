"""Bulk lanes (xeroapp/sync/bulk/lanes.py, lane_job.py): organisations take turns batch by
batch, the bulk queue holds a few jobs per organisation however big its runs are, and a lane
whose jobs Redis lost (or whose worker died) is revived by the sweeper; end to end against
the in-process sandbox with a worker draining RQ."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.sync.push_support import DEMO_TENANT_ID, read_lists
from tests.xero.xero_support import SECOND_TENANT_ID, store_connection
from xeroapp.extensions import db
from xeroapp.models import BulkPush, PushJob
from xeroapp.models.types import utcnow
from xeroapp.models.workspace import User
from xeroapp.queue import get_queue, get_redis
from xeroapp.sync import sweeper
from xeroapp.sync.bulk import lanes, runs
from xeroapp.sync.bulk.lanes import BULK_QUEUE


def second_organisation(app, desk, records) -> int:
    """Another workspace, connected to the sandbox's second organisation; its id."""
    workspace_id = records.workspace(name="Harbour Books", email="harbour@example.com")
    token_set = desk.sandbox.test_client().post(
        "/_sandbox/tokens", json={"tenants": [SECOND_TENANT_ID]}).get_json()
    store_connection(app, workspace_id, token_set, SECOND_TENANT_ID)
    read_lists(app, desk.sandbox, workspace_id, SECOND_TENANT_ID)
    return workspace_id


def start_run(app, workspace_id: int, records, count: int, prefix: str) -> int:
    for n in range(count):
        records.client(workspace_id, name=f"{prefix} {n:03}", email=f"{n}@{prefix.lower()}.example")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.workspace_id == workspace_id))
        return runs.start(workspace_id, "client", "send", user).id


def finish_order(app, run_id: int) -> list:
    with app.app_context():
        return list(db.session.scalars(sa.select(PushJob.finished_at).where(
            PushJob.bulk_push_id == run_id, PushJob.status == "done").order_by(PushJob.finished_at)))


def test_organisations_take_turns_batch_by_batch(desk, records, app):
    big = start_run(app, desk.workspace_id, records, 400, "Big")  # 8 batches, started first
    small = start_run(app, second_organisation(app, desk, records), records, 100, "Small")

    desk.drain()

    big_done, small_done = finish_order(app, big), finish_order(app, small)
    assert len(big_done) == 400 and len(small_done) == 100
    # The small organisation's two batches went in the first rounds, not after all 8 of
    # the big one's: at least four of the big one's batches were still to go.
    assert sum(1 for at in big_done if at > small_done[-1]) >= 200
    assert len(desk.held("contacts")) == 400
    held_by_second = desk.sandbox.test_client().get(
        f"/_sandbox/objects/{SECOND_TENANT_ID}/contacts").get_json()["Contacts"]
    assert sum(c["Name"].startswith("Small ") for c in held_by_second) == 100


def test_the_bulk_queue_holds_the_lane_not_every_batch(desk, records, app):
    start_run(app, desk.workspace_id, records, 600, "Many")  # 12 batches

    with app.app_context():
        queued = get_queue(BULK_QUEUE).get_job_ids()
        assert len(queued) == app.config["BULK_LANE_WIDTH"] == 3
        assert all(lanes.tenant_of(job_id) == DEMO_TENANT_ID for job_id in queued)
        # A second click while it runs adds nothing to the queue.
        assert lanes.wake(DEMO_TENANT_ID) == 0

    desk.drain()

    assert len(desk.held("contacts")) == 600
    with app.app_context():
        assert get_queue(BULK_QUEUE).get_job_ids() == []
        assert get_redis().scard(f"xeroapp:lane:{{{DEMO_TENANT_ID}}}:jobs") == 0  # lane closed


def test_a_lane_redis_lost_is_revived_by_the_sweeper(desk, records, app):
    run_id = start_run(app, desk.workspace_id, records, 120, "Lost")
    later = utcnow() + timedelta(minutes=2)
    with app.app_context():
        assert sweeper.sweep(now=later).enqueued == []  # the lane's jobs serve every row
        get_queue(BULK_QUEUE).empty()  # Redis lost the lane's jobs; its set still names them
        report = sweeper.sweep(now=later)
        assert len(report.enqueued) == 120
        assert len(get_queue(BULK_QUEUE).get_job_ids()) == 3

    desk.drain()

    assert len(desk.held("contacts")) == 120  # nothing lost, nothing twice
    with app.app_context():
        progress = runs.progress(db.session.get(BulkPush, run_id))
        assert (progress.sent, progress.failed, progress.waiting) == (120, 0, 0)
