"""/healthz (database + Redis) and /healthz/workers (queues, scheduler, live workers)."""
from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.scheduler import RQScheduler
from rq.utils import utcformat

from tests.conftest import CSRFClient
from xeroapp.config import load_config
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


# ---- who may read the workers' details -----------------------------------------------------

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}
TOKEN = "health-token-for-tests"


@pytest.fixture
def guarded_app(app):
    app.config["HEALTH_TOKEN"] = TOKEN
    return app


def test_from_outside_without_the_token_only_the_status_is_given(guarded_app):
    client = guarded_app.test_client()

    down = client.get("/healthz/workers", environ_base=OUTSIDE)
    start_worker(guarded_app)
    up = client.get("/healthz/workers", environ_base=OUTSIDE)

    assert (down.status_code, down.get_json()) == (503, {"status": "unavailable"})
    assert (up.status_code, up.get_json()) == (200, {"status": "ok"})
    assert up.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("headers, query", [
    ({"Authorization": f"Bearer {TOKEN}"}, ""),
    ({"Authorization": f"bearer  {TOKEN} "}, ""),
    ({}, f"?token={TOKEN}"),
])
def test_the_token_opens_the_details_from_anywhere(guarded_app, headers, query):
    response = guarded_app.test_client().get(f"/healthz/workers{query}", headers=headers,
                                             environ_base=OUTSIDE)
    assert response.status_code == 503
    assert "no live worker" in response.get_json()["reasons"]
    assert "queues" in response.get_json()


@pytest.mark.parametrize("headers, query", [
    ({"Authorization": "Bearer wrong-token"}, ""),
    ({"Authorization": f"Basic {TOKEN}"}, ""),
    ({"Authorization": "Bearer "}, ""),
    ({"Authorization": "Bearer tōken-with-ünicode"}, ""),
    ({}, "?token=" + TOKEN[:-1]),
    ({}, "?token="),
])
def test_a_wrong_or_missing_token_gets_the_status_alone(guarded_app, headers, query):
    response = guarded_app.test_client().get(f"/healthz/workers{query}", headers=headers,
                                             environ_base=OUTSIDE)
    assert (response.status_code, response.get_json()) == (503, {"status": "unavailable"})


def test_no_token_is_accepted_when_none_is_configured(app, client):
    response = client.get("/healthz/workers?token=", headers={"Authorization": "Bearer "},
                          environ_base=OUTSIDE)
    assert response.get_json() == {"status": "unavailable"}


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_is_trusted_by_default(client, address):
    response = client.get("/healthz/workers", environ_base={"REMOTE_ADDR": address})
    assert "reasons" in response.get_json()


def test_the_trusted_networks_are_configurable(make_app, database_url, redis_url):
    app = make_app(DATABASE_URL=database_url, REDIS_URL=redis_url,
                   HEALTH_TRUSTED_NETWORKS="10.0.0.0/8, fd00::/8")
    client = app.test_client()

    def detailed(address: str) -> bool:
        return "reasons" in client.get("/healthz/workers",
                                       environ_base={"REMOTE_ADDR": address}).get_json()

    assert detailed("10.20.30.40") and detailed("fd00::5")
    assert not detailed("127.0.0.1") and not detailed("11.0.0.1")


def test_a_spoofed_forwarded_for_does_not_make_a_caller_trusted(make_app, database_url,
                                                                redis_url):
    app = make_app(DATABASE_URL=database_url, REDIS_URL=redis_url, XEROAPP_ENV="production")
    response = app.test_client().get(
        "/healthz/workers", environ_base={"REMOTE_ADDR": "10.0.0.2"},  # the load balancer
        headers={"X-Forwarded-For": "127.0.0.1, 203.0.113.9", "X-Forwarded-Proto": "https"})
    assert response.get_json() == {"status": "unavailable"}


def test_the_redis_failure_is_shown_only_to_the_trusted(make_app, database_url, dead_redis_url):
    app = make_app(DATABASE_URL=database_url, REDIS_URL=dead_redis_url)
    client = app.test_client()

    outside = client.get("/healthz/workers", environ_base=OUTSIDE)
    inside = client.get("/healthz/workers")

    assert (outside.status_code, outside.get_json()) == (503, {"status": "unavailable"})
    assert inside.get_json()["reasons"] == ["redis unreachable"]


@pytest.fixture
def health_env(monkeypatch, tmp_path) -> Flask:
    for name in ("HEALTH_TOKEN", "HEALTH_TRUSTED_NETWORKS"):
        monkeypatch.delenv(name, raising=False)
    return Flask("probe", instance_path=str(tmp_path / "instance"))


def test_who_may_see_the_details_is_read_from_the_environment(health_env, monkeypatch):
    load_config(health_env, None)
    assert health_env.config["HEALTH_TOKEN"] is None
    assert [str(n) for n in health_env.config["HEALTH_TRUSTED_NETWORKS"]] == ["127.0.0.0/8",
                                                                              "::1/128"]
    monkeypatch.setenv("HEALTH_TOKEN", "from-the-environment")
    monkeypatch.setenv("HEALTH_TRUSTED_NETWORKS", "10.1.0.0/16,192.0.2.7")
    load_config(health_env, None)
    assert health_env.config["HEALTH_TOKEN"] == "from-the-environment"
    assert [str(n) for n in health_env.config["HEALTH_TRUSTED_NETWORKS"]] == ["10.1.0.0/16",
                                                                              "192.0.2.7/32"]
    monkeypatch.setenv("HEALTH_TRUSTED_NETWORKS", "")  # nobody: the token only
    load_config(health_env, None)
    assert health_env.config["HEALTH_TRUSTED_NETWORKS"] == ()


@pytest.mark.parametrize("value", ["10.0.0.1/8", "localhost", "10.0.0.0/33"])
def test_a_network_that_is_not_one_stops_the_start(health_env, monkeypatch, value):
    monkeypatch.setenv("HEALTH_TRUSTED_NETWORKS", f"127.0.0.0/8, {value}")
    with pytest.raises(RuntimeError, match=f"HEALTH_TRUSTED_NETWORKS: '{value}' is not a network"):
        load_config(health_env, None)
