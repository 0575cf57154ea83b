"""/healthz (database + Redis) and /healthz/workers (queues, scheduler, live workers)."""
from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone

import pytest
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.scheduler import RQScheduler
from rq.utils import utcformat

from tests.conftest import CSRFClient
from xeroapp.queue import get_redis
from xeroapp.worker import build_worker

JOB = "builtins.print"  # never run here: only its place in the queue matters


@pytest.fixture
def dead_redis_url() -> str:
    """A port nothing listens on: bound and closed again, so connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def redis_conn(app):
    with app.app_context():
        yield get_redis()


def workers_health(client: CSRFClient):
    response = client.get("/healthz/workers")
    return response.status_code, response.get_json()


def start_worker(app, with_scheduler: bool = True):
    """Register a worker the way `flask rq-worker --with-scheduler` does when it starts."""
    rq_worker = build_worker(app)
    rq_worker.register_birth()
    if with_scheduler:
        RQScheduler(rq_worker.queues, connection=rq_worker.connection).acquire_locks()
    return rq_worker


def test_healthz_is_ok_with_database_and_redis_and_needs_no_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_is_503_with_a_plain_reason_when_redis_is_down(make_app, database_url,
                                                              dead_redis_url):
    app = make_app(DATABASE_URL=database_url, REDIS_URL=dead_redis_url)

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable", "checks": {"database": "ok", "redis": "unreachable"},
    }
    assert dead_redis_url.rsplit(":", 1)[1].split("/")[0] not in response.get_data(as_text=True)


def test_healthz_is_503_when_the_database_is_unreachable(make_app, tmp_path, redis_url):
    missing = tmp_path / "no-such-folder" / "app.db"
    app = make_app(DATABASE_URL=f"sqlite:///{missing}", REDIS_URL=redis_url)

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "unreachable", "redis": "ok"}


def test_workers_is_503_when_no_worker_is_alive(client, redis_conn):
    status, body = workers_health(client)

    assert status == 503
    assert body["workers"] == 0
    assert "no live worker" in body["reasons"]


def test_workers_counts_queued_scheduled_and_failed_jobs(app, client, redis_conn):
    queue = Queue("xero", connection=redis_conn)
    queue.enqueue(JOB, "a")
    queue.enqueue(JOB, "b")
    queue.enqueue_in(timedelta(minutes=5), JOB, "later")
    failed = queue.enqueue(JOB, "broken")
    queue.remove(failed)
    FailedJobRegistry(queue=queue).add(failed, exc_string="boom")
    start_worker(app)

    status, body = workers_health(client)

    assert status == 200, body
    assert body["status"] == "ok"
    assert body["workers"] == 1
    xero = body["queues"]["xero"]
    assert (xero["queued"], xero["scheduled"], xero["failed"], xero["started"]) == (2, 1, 1, 0)
    assert xero["scheduler"] is True
    assert 0 <= xero["oldest_queued_seconds"] < 60
    assert body["reasons"] == []


def test_a_worker_whose_key_expired_is_not_counted(app, client, redis_conn):
    rq_worker = start_worker(app)
    redis_conn.delete(rq_worker.key)  # what the key's expiry does to a worker killed with -9

    status, body = workers_health(client)

    assert status == 503
    assert body["workers"] == 0


def test_workers_is_503_when_the_oldest_queued_job_waited_too_long(app, client, redis_conn):
    start_worker(app)
    job = Queue("xero", connection=redis_conn).enqueue(JOB, "stuck")
    an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    redis_conn.hset(Job.key_for(job.id), "enqueued_at", utcformat(an_hour_ago))

    status, body = workers_health(client)

    assert status == 503
    assert 3590 <= body["queues"]["xero"]["oldest_queued_seconds"] <= 3700
    assert any("oldest job has waited" in reason for reason in body["reasons"])


def test_workers_is_503_without_a_scheduler(app, client, redis_conn):
    start_worker(app, with_scheduler=False)

    status, body = workers_health(client)

    assert status == 503
    assert body["workers"] == 1
    assert body["queues"]["xero"]["scheduler"] is False
    assert any("no scheduler" in reason for reason in body["reasons"])


def test_workers_is_503_when_redis_is_down(make_app, database_url, dead_redis_url):
    app = make_app(DATABASE_URL=database_url, REDIS_URL=dead_redis_url)

    response = app.test_client().get("/healthz/workers")

    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "reasons": ["redis unreachable"]}
