"""What `make run` starts and the environment its children get."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import redis

from devstack import plan, probes

ROOT = Path("/srv/xeroapp")


def stack(**environ: str) -> plan.Stack:
    return plan.Stack.from_environ(environ, root=ROOT)


def names(s: plan.Stack) -> list[str]:
    return [service.name for service in plan.services(s, "/venv/bin/python")]


def test_defaults_point_the_app_at_the_sandbox_and_the_embedded_redis():
    s = stack()

    assert (s.port, s.sandbox_port, s.with_sandbox, s.redis_url) == (5000, 5055, True, None)
    assert {k: s.env[k] for k in ("XERO_LOGIN_URL", "XERO_IDENTITY_URL", "XERO_API_URL")} == {
        "XERO_LOGIN_URL": "http://127.0.0.1:5055",
        "XERO_IDENTITY_URL": "http://127.0.0.1:5055",
        "XERO_API_URL": "http://127.0.0.1:5055",
    }
    assert (s.env["XERO_CLIENT_ID"], s.env["XERO_CLIENT_SECRET"]) == ("sandbox-app", "sandbox-secret")
    assert s.env["REDIS_URL"] == "unix:///srv/xeroapp/instance/redis/redis.sock?db=0"
    assert s.env["DATABASE_URL"] == "sqlite:////srv/xeroapp/instance/xeroapp.db"
    assert (s.env["FLASK_APP"], s.env["PORT"], s.env["SANDBOX_PORT"]) == ("app", "5000", "5055")
    assert names(s) == ["redis", "sandbox", "db", "seed", "worker", "web", "webhooks"]
    assert s.env["XERO_WEBHOOK_KEY"] == plan.SANDBOX_WEBHOOK_KEY


def test_a_real_xero_app_leaves_xero_settings_alone_and_skips_the_sandbox():
    s = stack(XERO_CLIENT_ID="ABC123", XERO_CLIENT_SECRET="s3cret")

    assert not s.with_sandbox
    assert "XERO_API_URL" not in s.env and "XERO_LOGIN_URL" not in s.env
    assert "XERO_WEBHOOK_KEY" not in s.env
    assert (s.env["XERO_CLIENT_ID"], s.env["XERO_CLIENT_SECRET"]) == ("ABC123", "s3cret")
    assert names(s) == ["redis", "db", "seed", "worker", "web"]


def test_production_settings_get_no_demo_account():
    s = stack(XEROAPP_ENV="production")

    assert not s.seeds_demo
    assert names(s) == ["redis", "sandbox", "db", "worker", "web", "webhooks"]


def test_xero_urls_stay_overridable_in_sandbox_mode():
    s = stack(XERO_API_URL="http://127.0.0.1:9999")

    assert s.env["XERO_API_URL"] == "http://127.0.0.1:9999"
    assert s.env["XERO_LOGIN_URL"] == "http://127.0.0.1:5055"


def test_a_real_app_pointed_at_the_sandbox_still_gets_it():
    s = stack(XERO_CLIENT_ID="my-sandbox-app", XERO_LOGIN_URL="http://localhost:5055",
              XERO_IDENTITY_URL="http://localhost:5055", XERO_API_URL="http://localhost:5055")

    assert s.with_sandbox
    assert "sandbox" in names(s)


def test_a_given_redis_and_database_are_used_as_is():
    s = stack(REDIS_URL="redis://127.0.0.1:6379/3", DATABASE_URL="postgresql://u@h/db")

    assert s.redis_url == s.env["REDIS_URL"] == "redis://127.0.0.1:6379/3"
    assert s.env["DATABASE_URL"] == "postgresql://u@h/db"
    assert "redis" not in names(s)


def test_ports_come_from_the_environment():
    s = stack(PORT="8000", SANDBOX_PORT="6055")
    services = {svc.name: svc for svc in plan.services(s, "/venv/bin/python")}

    assert s.env["XERO_API_URL"] == "http://127.0.0.1:6055"
    web = services["web"].argv
    assert web[web.index("--port") + 1] == "8000"
    assert services["sandbox"].argv[:9] == ["/venv/bin/python", "-m", "xerosandbox", "--host",
                                            "127.0.0.1", "--port", "6055", "--db",
                                            "/srv/xeroapp/instance/xerosandbox.db"]
    assert "--control" in services["sandbox"].argv


@pytest.mark.parametrize("bad", ["http", "0", "70000", "-1"])
def test_a_bad_port_is_refused(bad):
    with pytest.raises(ValueError, match="PORT"):
        stack(PORT=bad)


def test_the_app_commands_are_the_contracted_flask_cli():
    services = {svc.name: svc for svc in plan.services(stack(), "/py")}

    assert services["db"].argv == ["/py", "-m", "flask", "db", "upgrade"] and services["db"].oneshot
    assert services["seed"].argv == ["/py", "-m", "flask", "seed-demo"] and services["seed"].oneshot
    assert services["worker"].argv == ["/py", "-m", "flask", "rq-worker", "--with-scheduler"]
    assert services["web"].argv == ["/py", "-m", "flask", "run", "--host", "127.0.0.1", "--port",
                                    "5000", "--no-reload", "--no-debugger", "--with-threads"]


def test_embedded_redis_clears_a_stale_socket_before_starting(tmp_path):
    s = plan.Stack.from_environ({}, root=tmp_path)
    service = plan.services(s, "/py")[0]
    (tmp_path / "instance" / "redis").mkdir(parents=True)
    for stale in ("redis.sock", "redis.pid"):
        (tmp_path / "instance" / "redis" / stale).write_text("left by a killed server")

    service.clear_stale()

    assert sorted(p.name for p in (tmp_path / "instance" / "redis").iterdir()) == []
    assert service.argv[service.argv.index("--unixsocket") + 1] == \
        str(tmp_path / "instance" / "redis" / "redis.sock")


def test_embedded_redis_saves_its_data_under_instance(tmp_path):
    service = plan.services(plan.Stack.from_environ({}, root=tmp_path), "/py")[0]

    at = service.argv.index("--save")
    assert service.argv[at + 1:at + 3] == ["300", "1"]
    assert service.argv[service.argv.index("--dir") + 1] == str(tmp_path / "instance" / "redis")


def test_embedded_redis_data_survives_a_restart(tmp_path):
    service = plan.services(plan.Stack.from_environ({}, root=tmp_path), "/py")[0]
    url = plan.embedded_redis_url(tmp_path / "instance" / "redis")

    for expected in (None, b"kept"):
        service.clear_stale()
        proc = subprocess.Popen(service.argv)
        try:
            deadline = time.monotonic() + 10
            while not probes.redis_answers(url) and time.monotonic() < deadline:
                time.sleep(0.05)
            client = redis.Redis.from_url(url)
            assert client.get("demo") == expected
            client.set("demo", "kept")
            client.close()
        finally:
            proc.terminate()  # what the supervisor sends on Ctrl-C
            proc.wait(10)


def test_the_sandbox_webhooks_are_registered_to_the_app_once_it_answers():
    s = stack(XERO_WEBHOOK_KEY="my-key")
    services = {service.name: service for service in plan.services(s, "/py")}

    assert s.env["XERO_WEBHOOK_KEY"] == "my-key"
    hook = services["webhooks"]
    assert hook.oneshot and hook.argv == ["/py", "-m", "devstack.webhooks", "http://127.0.0.1:5055",
                                          "http://127.0.0.1:5000/webhooks/xero"]
    assert "my-key" not in hook.argv
