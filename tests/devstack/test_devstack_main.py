"""The command line's checks before anything starts, and what it prints."""
from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

from devstack import plan
from devstack.__main__ import banner, preflight, redact
from devstack.supervisor import Console


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_preflight_names_a_busy_port_and_how_to_move(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        stack = plan.Stack.from_environ({"PORT": str(port), "SANDBOX_PORT": str(free_port())},
                                        root=tmp_path)

        problems = preflight(stack)

    assert problems == [f"port {port} (the web app) is already in use by another program. "
                        f"Stop that program, or pick another port: PORT={port + 1} make run"]


def test_preflight_says_when_the_given_redis_does_not_answer(tmp_path):
    stack = plan.Stack.from_environ({"PORT": str(free_port()), "SANDBOX_PORT": str(free_port()),
                                     "REDIS_URL": "redis://:pw@127.0.0.1:1/0"}, root=tmp_path)

    assert preflight(stack) == ["REDIS_URL=redis://:***@127.0.0.1:1/0 does not answer. Start that "
                                "server, or unset REDIS_URL to use the embedded one."]


@pytest.mark.parametrize("url, shown", [
    ("postgresql://app:hunter2@db.example:5432/x", "postgresql://app:***@db.example:5432/x"),
    ("redis://127.0.0.1:6379/7", "redis://127.0.0.1:6379/7"),
    ("sqlite:////srv/instance/xeroapp.db", "sqlite:////srv/instance/xeroapp.db"),
])
def test_redact_hides_passwords_only(url, shown):
    assert redact(url) == shown


def banner_text(environ: dict[str, str]) -> str:
    out = io.StringIO()
    banner(Console(["web"], stream=out), plan.Stack.from_environ(environ, root=Path("/srv/x")))
    return out.getvalue()


def test_the_banner_gives_the_url_and_the_demo_login():
    text = banner_text({"PORT": "8000"})

    assert "[devstack]   xeroapp    http://127.0.0.1:8000/\n" in text
    assert "[devstack]   log in as  demo@example.com / demo\n" in text
    assert "the sandbox, http://127.0.0.1:5055 (control API on)" in text
    assert "embedded, data in instance/redis/" in text


def test_the_banner_offers_no_demo_login_in_production():
    text = banner_text({"PORT": "8000", "XEROAPP_ENV": "production"})

    assert "demo@example.com" not in text
    assert "no demo account in production: sign up at http://127.0.0.1:8000/auth/signup" in text


def test_the_banner_names_real_xero_and_hides_passwords():
    text = banner_text({"XERO_CLIENT_ID": "ABC", "REDIS_URL": "redis://:pw@cache:6379/0"})

    assert "https://api.xero.com (app ABC)" in text
    assert "redis://:***@cache:6379/0" in text and "pw" not in text
