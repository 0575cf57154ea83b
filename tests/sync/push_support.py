"""A logged-in workspace connected to the in-process sandbox, and what tests of pushes need:
press Send/Update on the panel, drain the queue, and look at what the sandbox holds.

Shared as ``tests.sync.push_support`` by tests/sync, tests/panel, tests/integrations and
tests/purchase_orders_xero (their conftests re-export its fixtures); the sandbox helpers
themselves come from tests/xero/xero_support.py.
"""
from __future__ import annotations

import html as html_module
import re
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from flask import Flask

import xerosandbox
from tests.xero.xero_support import (DEMO_TENANT_ID, live_sandbox,  # noqa: F401
                                     live_sandbox_server, point_app_at, read_lists,
                                     store_connection)
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import PushJob, XeroLink

SANDBOX_URL = "http://sandbox.test"
HTMX = {"HX-Request": "true"}


@dataclass
class Desk:
    """The person at the keyboard (test client, logged in) plus a window onto the sandbox."""

    app: Flask
    client: Any
    sandbox: Flask
    workspace_id: int
    drain: Any

    # -- our side ---------------------------------------------------------------------------
    def panel(self, kind: str, record_id: int) -> str:
        response = self.client.get(f"/xero/{kind}/{record_id}/panel", headers=HTMX)
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    def press(self, kind: str, record_id: int, **form: str):
        """Press Send / Update (or the contact choice when ``form`` is given)."""
        path = "choose-contact" if form else "push"
        return self.client.post(f"/xero/{kind}/{record_id}/{path}", data=form, headers=HTMX)

    def send(self, kind: str, record_id: int) -> str:
        """Press the button, let the worker run, and return the panel."""
        assert self.press(kind, record_id).status_code == 200
        self.drain()
        return self.panel(kind, record_id)

    def jobs(self, kind: str, record_id: int) -> list[PushJob]:
        with self.app.app_context():
            rows = db.session.scalars(db.select(PushJob).filter_by(
                record_kind=kind, record_id=record_id).order_by(PushJob.id)).all()
            for row in rows:
                db.session.expunge(row)
            return list(rows)

    def link(self, kind: str, record_id: int) -> XeroLink | None:
        with self.app.app_context():
            link = db.session.scalar(db.select(XeroLink).filter_by(record_kind=kind,
                                                                   record_id=record_id))
            if link is not None:
                db.session.expunge(link)
            return link

    # -- the sandbox ------------------------------------------------------------------------
    def held(self, kind: str) -> list[dict]:
        """What the sandbox holds: kind is contacts, invoices, items ..."""
        plural = {"contacts": "Contacts", "invoices": "Invoices", "items": "Items"}[kind]
        response = self.sandbox.test_client().get(f"/_sandbox/objects/{DEMO_TENANT_ID}/{kind}")
        return response.get_json()[plural]

    def control(self, path: str, body: dict | None = None, method: str = "post") -> Any:
        response = getattr(self.sandbox.test_client(), method)(f"/_sandbox/{path}", json=body or {})
        assert response.status_code < 300, response.get_data(as_text=True)
        return response.get_json(silent=True)

    def add_contact(self, name: str, **fields: Any) -> str:
        """A contact keyed into Xero by hand (through the API, as another app would)."""
        from xeroapp.xero.client import XeroClient

        with self.app.app_context():
            answer = XeroClient.for_workspace(self.workspace_id).accounting(
                "PUT", "Contacts", json={"Contacts": [{"Name": name, **fields}]})
        return answer["Contacts"][0]["ContactID"]

    def set_status(self, kind: str, xero_id: str, status: str) -> None:
        self.control(f"objects/{DEMO_TENANT_ID}/{kind}/{xero_id}/status", {"Status": status})


def waits_over(app: Flask) -> None:
    """The time every timed wait (rate limit, back-off) was for has come: tests do not sit
    out a Retry-After, so the waiting rows' ``not_before`` moves to a second ago."""
    with app.app_context():
        db.session.execute(db.update(PushJob).where(
            PushJob.status == "waiting", PushJob.not_before.is_not(None))
            .values(not_before=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def run_scheduled(app: Flask, drain) -> None:
    """What RQ's scheduler does once the waits are over: the scheduled retries go on the
    queue; then the worker drains it."""
    from rq.registry import ScheduledJobRegistry

    from xeroapp.queue import get_queue, queue_names

    waits_over(app)
    with app.app_context():
        for name in queue_names():
            queue = get_queue(name)
            registry = ScheduledJobRegistry(queue=queue)
            for job_id in registry.get_job_ids():
                registry.remove(job_id)
                queue.enqueue_job(queue.fetch_job(job_id))
    drain()


def text_of(html: str) -> str:
    """Visible text with whitespace collapsed (assertions read like the page)."""
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.fixture
def sandbox() -> Flask:
    return xerosandbox.create_app(None, control=True)


def _connected_desk(app: Flask, client, auth, sandbox: Flask, records, worker) -> Desk:
    assert auth.signup().status_code == 302
    workspace_id = records.workspace_id_of(auth.default.email)
    token_set = sandbox.test_client().post("/_sandbox/tokens",
                                           json={"tenants": [DEMO_TENANT_ID]}).get_json()
    store_connection(app, workspace_id, token_set)
    read_lists(app, sandbox, workspace_id)
    return Desk(app, client, sandbox, workspace_id, worker)


@pytest.fixture
def desk(app: Flask, client, auth, sandbox: Flask, records, worker) -> Desk:
    """Ada of Acme Ltd, logged in, connected to Demo Company in the in-process sandbox."""
    point_app_at(app, SANDBOX_URL)
    app.config["XERO_HTTP_TRANSPORT"] = httpx.WSGITransport(app=sandbox)
    return _connected_desk(app, client, auth, sandbox, records, worker)


@pytest.fixture
def live_desk(app: Flask, client, auth, live_sandbox, records, worker) -> Desk:
    """The same over real HTTP to a sandbox server: for faults that drop the connection
    (in-process, a dropped connection is an exception in the caller, not a network error)."""
    point_app_at(app, live_sandbox.url)
    return _connected_desk(app, client, auth, live_sandbox.app, records, worker)
