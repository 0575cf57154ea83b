"""`make run`'s registration step (devstack/webhooks.py) over real sockets: the sandbox runs
Intent to Receive against the app's /webhooks/xero and accepts it only when the keys agree."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from devstack import webhooks as registration
from tests.backsync.backsync_support import KEY
from tests.xero.xero_support import live_sandbox, live_sandbox_server  # noqa: F401


@pytest.fixture
def served_app(app):
    """The app on a local port, as `make run` serves it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_registration_passes_intent_to_receive_only_with_the_apps_key(app, served_app,
                                                                      live_sandbox, monkeypatch,
                                                                      capsys):
    app.config["XERO_WEBHOOK_KEY"] = KEY
    receiver = f"{served_app}/webhooks/xero"

    monkeypatch.setenv("XERO_WEBHOOK_KEY", "not-the-apps-key")
    assert registration.main([live_sandbox.url, receiver]) == 1
    assert "not accepted" in capsys.readouterr().out

    monkeypatch.setenv("XERO_WEBHOOK_KEY", KEY)
    assert registration.main([live_sandbox.url, receiver]) == 0
    assert registration.register(live_sandbox.url, receiver, KEY)["registration"]["status"] == "OK"
