"""Log-in and sign-up throttling (xeroapp/auth/throttle.py) on the suite's real Redis: by
account, by client address, growing lockouts, and the 429 page."""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
import redis
import sqlalchemy as sa
from flask import Flask

from xeroapp.auth.throttle import (Policy, Throttle, client_network, forget_everyone,
                                   wait_message)
from xeroapp.config import load_config
from xeroapp.extensions import db
from xeroapp.models import User, Workspace
from xeroapp.queue import close_redis

TOO_MANY = b"Too many attempts. Try again in 60 seconds."


def login_from(client, address: str, email: str, password: str = "wrong password"):
    return client.post("/auth/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def signup_from(client, address: str, email: str):
    return client.post("/auth/signup", environ_base={"REMOTE_ADDR": address}, data={
        "workspace_name": "Acme Ltd", "name": "Ada Lovelace", "email": email,
        "password": "correct horse", "confirm": "correct horse"})


def logged_in(client) -> bool:
    return client.get("/").status_code == 200


def workspace_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Workspace.id)))


# -- log-in by account ----------------------------------------------------------------------
def test_sixty_wrong_passwords_then_the_right_one_is_refused(client, auth):
    auth.signup()
    auth.logout()

    answers = [auth.login(password=f"guess {n}") for n in range(60)]
    right = auth.login()

    assert [a.status_code for a in answers[:5]] == [200] * 5  # five tries, then a lockout
    assert all(b"Email or password is incorrect." in a.data for a in answers[:5])
    assert {a.status_code for a in answers[5:]} == {429}
    assert right.status_code == 429 and TOO_MANY in right.data
    assert not logged_in(client)


def test_the_429_page_keeps_the_form_except_the_password(client, auth):
    auth.signup()
    auth.logout()
    for _ in range(5):
        auth.login(password="wrong password")

    response = auth.login(password="wrong password")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert TOO_MANY in response.data
    assert b'value="ada@example.com"' in response.data
    assert b"wrong password" not in response.data
    assert re.search(rb'<input[^>]*name="password"[^>]*value=""', response.data)


def test_a_successful_log_in_starts_the_account_afresh(client, auth):
    auth.signup()
    auth.logout()
    for _ in range(4):
        auth.login(password="wrong password")
    assert auth.login().status_code == 302
    auth.logout()

    later = [auth.login(password="wrong password") for _ in range(4)]

    assert [a.status_code for a in later] == [200] * 4  # 8 failures, but never 5 in a row
    assert auth.login().status_code == 302


def test_an_unknown_email_is_locked_out_like_a_known_one(client, auth):
    auth.signup()
    auth.logout()
    known = [auth.login(password="wrong password") for _ in range(6)]
    unknown = [auth.login(email="nobody@example.com") for _ in range(6)]

    assert [a.status_code for a in known] == [a.status_code for a in unknown]
    assert TOO_MANY in known[-1].data and TOO_MANY in unknown[-1].data


def test_one_locked_account_leaves_other_accounts_alone(client, auth, records):
    records.workspace(email="grace@example.com", password="grace password")
    auth.signup()
    auth.logout()
    for _ in range(6):
        auth.login(password="wrong password")

    assert auth.login().status_code == 429
    assert auth.login(email="grace@example.com", password="grace password").status_code == 302


def test_the_account_limit_comes_from_the_settings(app, client, auth):
    app.config["LOGIN_ACCOUNT_LIMIT"] = 2
    auth.signup()
    auth.logout()

    answers = [auth.login(password="wrong password") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]


# -- log-in by client address ---------------------------------------------------------------
def test_one_address_trying_many_accounts_is_stopped_and_others_are_not(app, client, records):
    records.workspace(email="grace@example.com", password="grace password")
    limit = app.config["LOGIN_IP_LIMIT"]

    answers = [login_from(client, "203.0.113.7", f"user{n}@example.com") for n in range(limit)]
    refused = login_from(client, "203.0.113.7", "grace@example.com", "grace password")
    elsewhere = login_from(client, "198.51.100.2", "grace@example.com", "grace password")

    assert {a.status_code for a in answers} == {200}
    assert refused.status_code == 429 and TOO_MANY in refused.data
    assert elsewhere.status_code == 302


def test_successful_log_ins_do_not_count_against_a_shared_address(app, client, records):
    records.workspace(email="grace@example.com", password="grace password")
    for _ in range(app.config["LOGIN_IP_LIMIT"] + 5):
        assert login_from(client, "203.0.113.7", "grace@example.com",
                          "grace password").status_code == 302
        client.post("/auth/logout")

    assert login_from(client, "203.0.113.7", "nobody@example.com").status_code == 200


def test_an_ipv6_client_is_counted_by_its_64_and_a_mapped_ipv4_by_its_address():
    assert client_network("2001:db8:1:2::1") == client_network("2001:db8:1:2:ffff::9")
    assert client_network("2001:db8:1:2::1") != client_network("2001:db8:1:3::1")
    assert client_network("::ffff:203.0.113.7") == client_network("203.0.113.7") == "203.0.113.7"
    assert client_network(None) == "unknown"


# -- sign-up by client address --------------------------------------------------------------
def test_a_sixth_sign_up_from_one_address_is_refused_with_the_form_kept(app, client):
    for n in range(5):
        assert signup_from(client, "203.0.113.7", f"owner{n}@example.com").status_code == 302
        client.post("/auth/logout")

    refused = signup_from(client, "203.0.113.7", "owner5@example.com")

    assert refused.status_code == 429
    assert b"Too many attempts. Try again in 10 minutes." in refused.data
    assert refused.headers["Retry-After"] == "600"
    assert b'value="owner5@example.com"' in refused.data and b'value="Acme Ltd"' in refused.data
    assert b"correct horse" not in refused.data
    assert workspace_count(app) == 5
    assert signup_from(client, "198.51.100.2", "owner5@example.com").status_code == 302


def test_probing_taken_emails_costs_sign_ups(app, client, auth):
    auth.signup()
    auth.logout()
    probes = [signup_from(client, "203.0.113.7", "ada@example.com") for _ in range(5)]

    refused = signup_from(client, "203.0.113.7", "new@example.com")

    assert {p.status_code for p in probes} == {422}
    assert refused.status_code == 429
    assert workspace_count(app) == 1


def test_sign_up_mistakes_are_not_counted(app, client):
    for _ in range(8):
        answer = client.post("/auth/signup", data={"workspace_name": "Acme", "name": "Ada",
                                                   "email": "ada@example.com",
                                                   "password": "correct horse", "confirm": "typo"})
        assert answer.status_code == 422

    assert signup_from(client, "127.0.0.1", "ada@example.com").status_code == 302


# -- growing lockouts and atomic counting (the Throttle itself, short durations) ------------
@pytest.fixture
def connection(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    forget_everyone(client)
    client.close()


def test_each_lockout_doubles_up_to_the_maximum(connection):
    throttle = Throttle(connection, Policy("test", limit=2, window=30, lockout=0.2,
                                          max_lockout=0.5))
    lockouts = []
    for _ in range(3):
        assert [throttle.hit("ada") for _ in range(2)] == [0.0, 0.0]
        lockouts.append(throttle.hit("ada"))
        assert 0 < throttle.hit("ada") <= lockouts[-1]  # refused while it lasts
        time.sleep(lockouts[-1] + 0.05)

    assert lockouts == [0.2, 0.4, 0.5]


def test_forgetting_a_subject_starts_its_lockouts_afresh(connection):
    throttle = Throttle(connection, Policy("test", limit=1, window=30, lockout=0.2,
                                          max_lockout=10))
    throttle.hit("ada")
    assert throttle.hit("ada") == 0.2
    time.sleep(0.25)
    throttle.forget("ada")

    throttle.hit("ada")
    assert throttle.hit("ada") == 0.2  # not 0.4


def test_parallel_attempts_cannot_exceed_the_limit(connection):
    throttle = Throttle(connection, Policy("test", limit=5, window=30, lockout=60,
                                          max_lockout=60))
    answers: list[float] = []
    start = threading.Barrier(20)

    def attempt() -> None:
        start.wait()
        answers.append(throttle.hit("ada"))

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers.count(0.0) == 5


def test_counts_live_in_redis_without_the_email_in_their_names(app, client, auth, redis_url):
    auth.login(email="secret.person@example.com")
    with redis.Redis.from_url(redis_url) as connection:
        names = [key.decode() for key in connection.scan_iter("auth:throttle:*")]
    assert names and not any("secret" in name or "@" in name for name in names)


# -- settings, message, Redis down ----------------------------------------------------------
def test_limits_are_read_from_the_environment(monkeypatch, tmp_path):
    probe = Flask("probe", instance_path=str(tmp_path))
    monkeypatch.setenv("LOGIN_ACCOUNT_LIMIT", "3")
    monkeypatch.setenv("SIGNUP_WINDOW", "900")
    load_config(probe, None)
    assert (probe.config["LOGIN_ACCOUNT_LIMIT"], probe.config["SIGNUP_WINDOW"]) == (3, 900)
    assert (probe.config["LOGIN_IP_LIMIT"], probe.config["LOGIN_LOCKOUT"]) == (30, 60)

    monkeypatch.setenv("LOGIN_WINDOW", "0")
    with pytest.raises(RuntimeError, match="LOGIN_WINDOW='0': expected a whole number greater"):
        load_config(Flask("probe", instance_path=str(tmp_path)), None)


@pytest.mark.parametrize(("seconds", "text"), [
    (1, "Try again in 1 second."), (60, "Try again in 60 seconds."),
    (119, "Try again in 119 seconds."), (600, "Try again in 10 minutes."),
    (3599, "Try again in 60 minutes."),
])
def test_the_wait_is_said_plainly(seconds, text):
    assert wait_message(seconds) == f"Too many attempts. {text}"


def test_log_in_and_sign_up_still_work_while_redis_is_down(app, client, auth, caplog):
    app.config["REDIS_URL"] = "unix:///nonexistent/redis.sock"
    try:
        assert auth.signup().status_code == 302
        auth.logout()
        assert auth.login().status_code == 302
    finally:
        close_redis(app)  # so that the fixture does not flush a Redis that is not there
    assert "throttling skipped, Redis is unavailable" in caplog.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
