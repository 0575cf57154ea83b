"""`flask rq-worker` rides out a Redis restart, and an idle worker still runs its upkeep
(scheduler takeover, sweep chain) on time."""
from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError

from xeroapp.worker import SWEEP_CHECK_SECONDS, build_worker


def test_an_idle_sweeping_worker_wakes_up_for_its_maintenance(app):
    sweeping = build_worker(app, simple=True, sweep=True)
    plain = build_worker(app, simple=True)

    assert sweeping.dequeue_timeout == SWEEP_CHECK_SECONDS
    # Never longer than RQ's own wait, which keeps the worker's registration alive.
    assert plain.dequeue_timeout == min(plain.worker_ttl - 15, plain.maintenance_interval)


def test_the_worker_command_starts_again_when_redis_went_away_mid_job(runner, monkeypatch):
    runs: list[str] = []

    class StubWorker:
        def work(self, *, burst: bool, with_scheduler: bool) -> None:
            runs.append("work")
            if len(runs) == 1:
                raise RedisConnectionError("Connection closed by server.")

    monkeypatch.setattr("xeroapp.worker.build_worker",
                        lambda app, names, *, simple, sweep: StubWorker())
    monkeypatch.setattr("xeroapp.worker.wait_for_redis", lambda app: runs.append("waited"))

    result = runner.invoke(args=["rq-worker", "--with-scheduler"])

    assert result.exit_code == 0, result.output
    assert runs == ["work", "waited", "work"]
    assert "starting again once it is back" in result.output


def test_a_burst_worker_still_fails_when_redis_goes_away(runner, monkeypatch):
    class StubWorker:
        def work(self, *, burst: bool, with_scheduler: bool) -> None:
            raise RedisConnectionError("gone")

    monkeypatch.setattr("xeroapp.worker.build_worker",
                        lambda app, names, *, simple, sweep: StubWorker())

    result = runner.invoke(args=["rq-worker", "--burst"])

    assert result.exit_code != 0
    assert isinstance(result.exception, RedisConnectionError)
