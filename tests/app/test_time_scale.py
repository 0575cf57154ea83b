"""XERO_TIME_SCALE: against a sandbox whose clock runs N times faster (benchmarks), our own
call budget and the push retry backoff run N times faster too; unset, nothing changes."""
from __future__ import annotations

import random
import uuid

import pytest
import redis
from flask import Flask

from xeroapp.config import load_config
from xeroapp.sync import retries
from xeroapp.xero.budget import Budget, NotBefore


@pytest.fixture
def bare_env(monkeypatch, tmp_path) -> Flask:
    monkeypatch.delenv("XERO_TIME_SCALE", raising=False)
    return Flask("probe", instance_path=str(tmp_path / "instance"))


def test_the_time_scale_is_read_from_the_environment(bare_env, monkeypatch):
    load_config(bare_env, None)
    assert bare_env.config["XERO_TIME_SCALE"] == 1.0

    monkeypatch.setenv("XERO_TIME_SCALE", "10")
    load_config(bare_env, None)
    assert bare_env.config["XERO_TIME_SCALE"] == 10.0

    for bad in ("fast", "0", "-2"):
        monkeypatch.setenv("XERO_TIME_SCALE", bad)
        with pytest.raises(RuntimeError, match=f"XERO_TIME_SCALE='{bad}'"):
            load_config(bare_env, None)


def test_retry_backoff_follows_the_time_scale(make_app):
    assert 32 <= retries.delay(1, random.Random(3)) <= 48  # outside an app: Xero's own pace
    with make_app().app_context():
        real = retries.delay(2, random.Random(3))
    with make_app(XERO_TIME_SCALE=10.0).app_context():
        fast = retries.delay(2, random.Random(3))
    assert 64 <= real <= 96
    assert fast == pytest.approx(real / 10)


def test_a_scaled_budget_reopens_its_minute_sooner(redis_url):
    connection = redis.Redis.from_url(redis_url)
    tenant = f"tenant-{uuid.uuid4()}"
    try:
        budget = Budget.scaled(connection, 10.0)
        for _ in range(60):
            slot = budget.try_acquire(tenant)
            budget.release(slot)
        answer = budget.try_acquire(tenant)
        assert isinstance(answer, NotBefore) and answer.reason == "minute"
        assert 5 < answer.seconds <= 6.1  # a sandbox minute (plus margin) at 10x: 6.1 s
        assert Budget.scaled(connection).minute_seconds == Budget(connection).minute_seconds
    finally:
        for key in connection.scan_iter(f"*{tenant}*"):
            connection.delete(key)
        connection.close()
