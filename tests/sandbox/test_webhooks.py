"""Webhooks: Intent to Receive, signed batched deliveries of contact and invoice changes (by
the API and by Xero-user actions), retries, disabling, reset; in-process and over a socket."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from tests.sandbox.sandbox_helpers import control
from xerosandbox import webhooks
from xerosandbox.orgs import DEMO_TENANT_ID

API = "/api.xro/2.0"
OBJECTS = f"/_sandbox/objects/{DEMO_TENANT_ID}"
KEY = "c2FuZGJveC13ZWJob29rLWtleQ=="
RECEIVER = "http://receiver.test/xero/webhooks"


class Receiver:
    """A webhook endpoint as Xero asks for one: 401 on a bad signature, else 200 (or what
    ``answer`` says), keeping every verified payload."""

    def __init__(self, key: str = KEY, verify: bool = True) -> None:
        self.payloads: list[dict] = []
        self.answer: Callable[[], int] = lambda: 200
        self.app = Flask("receiver")

        @self.app.post("/xero/webhooks")
        def hook():
            body = request.get_data()
            expected = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
            if verify and not hmac.compare_digest(expected, request.headers.get("x-xero-signature", "")):
                return "", 401
            self.payloads.append(json.loads(body))
            return "", self.answer()

    def events(self) -> list[dict]:
        return [e for p in self.payloads for e in p["events"]]


@pytest.fixture
def receiver(sandbox_app) -> Receiver:
    made = Receiver()
    webhooks.mount(sandbox_app, "http://receiver.test", made.app)
    return made


def register(client, url: str = RECEIVER, **knobs) -> dict:
    response = client.post("/_sandbox/webhooks", json={"url": url, "key": KEY, **knobs})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def flush(client) -> list[dict]:
    return client.post("/_sandbox/webhooks/flush").get_json()["deliveries"]


def new_contact(client, headers, name: str = "Webhook Customer") -> str:
    made = client.put(f"{API}/Contacts", headers=headers, json={"Contacts": [{"Name": name}]})
    return made.get_json()["Contacts"][0]["ContactID"]


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# -- Intent to Receive ------------------------------------------------------------------------
def test_intent_to_receive_passes_a_receiver_that_checks_signatures(client, receiver) -> None:
    view = register(client, batch_seconds=60)
    assert view["registration"]["status"] == "OK"
    probes = [d for d in view["deliveries"] if d["kind"] == "intent_to_receive"]
    assert {d["signed_correctly"] for d in probes} == {True, False}
    assert all(d["status_code"] == (200 if d["signed_correctly"] else 401) for d in probes)
    assert all(p == {"events": [], "firstEventSequence": 0, "lastEventSequence": 0,
                     "entropy": p["entropy"]} and p["entropy"] for p in receiver.payloads)


def test_a_receiver_that_accepts_anything_fails_and_gets_nothing(sandbox_app, client, headers) -> None:
    careless = Receiver(verify=False)
    webhooks.mount(sandbox_app, "http://receiver.test", careless.app)
    view = register(client)
    assert view["registration"]["status"] == "FAILED"
    assert "incorrectly signed payload was answered 200" in view["registration"]["detail"]
    received = len(careless.payloads)
    new_contact(client, headers)
    assert flush(client) == []
    assert len(careless.payloads) == received


def test_an_unreachable_receiver_fails_registration(client) -> None:
    view = register(client, url="http://127.0.0.1:9/xero/webhooks", timeout_seconds=1)
    assert view["registration"]["status"] == "FAILED"
    assert "not answered" in view["registration"]["detail"]


# -- events -----------------------------------------------------------------------------------
def test_api_changes_and_user_actions_are_delivered_signed_in_one_batch(client, headers, receiver) -> None:
    register(client, batch_seconds=60)
    contact_id = new_contact(client, headers)
    invoice = client.put(f"{API}/Invoices", headers=headers, json={"Invoices": [{
        "Type": "ACCREC", "Contact": {"ContactID": contact_id},
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}]}]})
    invoice_id = invoice.get_json()["Invoices"][0]["InvoiceID"]
    client.post(f"{OBJECTS}/invoices/{invoice_id}/approve")
    client.post(f"{OBJECTS}/contacts/{contact_id}/archive")
    client.put(f"{API}/Items", headers=headers, json={"Items": [{"Code": "NO-EVENT"}]})
    client.put(f"{API}/PurchaseOrders", headers=headers, json={"PurchaseOrders": [{
        "Contact": {"ContactID": contact_id},
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "300"}]}]})
    assert receiver.events() == []  # nothing before the batch is due

    made = flush(client)
    assert [(d["ok"], d["events"]) for d in made] == [(True, 4)]
    payload = receiver.payloads[-1]
    assert (payload["firstEventSequence"], payload["lastEventSequence"]) == (1, 4)
    assert [(e["eventCategory"], e["eventType"], e["resourceId"]) for e in payload["events"]] == [
        ("CONTACT", "CREATE", contact_id), ("INVOICE", "CREATE", invoice_id),
        ("INVOICE", "UPDATE", invoice_id), ("CONTACT", "UPDATE", contact_id)]
    first = payload["events"][0]
    assert first["resourceUrl"] == f"https://api.xero.com/api.xro/2.0/Contacts/{contact_id}"
    assert (first["tenantId"], first["tenantType"]) == (DEMO_TENANT_ID, "ORGANISATION")
    assert len(first["eventDateUtc"]) == len("2025-12-02T00:44:09.923")


def test_a_refused_batch_announces_nothing(client, headers, receiver) -> None:
    register(client, batch_seconds=60)
    refused = client.put(f"{API}/Contacts", headers=headers,
                         json={"Contacts": [{"Name": "Fine"}, {"Name": ""}]})
    assert refused.status_code == 400
    assert flush(client) == []
    assert client.get("/_sandbox/webhooks").get_json()["next_sequence"] == 1


def test_delivery_happens_in_the_background(client, headers, receiver) -> None:
    register(client, batch_seconds=0.3)
    contact_id = new_contact(client, headers)
    assert receiver.events() == []  # the request that made the change did not deliver
    assert wait_for(lambda: [e["resourceId"] for e in receiver.events()] == [contact_id])


def test_failed_delivery_is_retried_then_succeeds(client, headers, receiver) -> None:
    register(client, batch_seconds=60, retry_seconds=[120])
    receiver.answer = lambda: 503
    contact_id = new_contact(client, headers)
    assert [d["ok"] for d in flush(client)] == [False]
    waiting = client.get("/_sandbox/webhooks").get_json()["awaiting_retry"]
    assert (waiting["events"], waiting["attempts"]) == (1, 1)
    receiver.answer = lambda: 200
    control(client, "clock", {"advance": 121})  # the retry falls due on the sandbox clock
    assert wait_for(lambda: client.get("/_sandbox/webhooks").get_json()["awaiting_retry"] is None)
    retried = [p for p in receiver.payloads if p["events"]]
    assert len(retried) == 2 and retried[0]["events"] == retried[1]["events"]
    assert retried[1]["events"][0]["resourceId"] == contact_id
    assert retried[1]["firstEventSequence"] == retried[0]["firstEventSequence"] == 1


def test_the_webhook_is_disabled_when_retries_run_out(client, headers, receiver) -> None:
    register(client, batch_seconds=60, retry_seconds=[3600])
    receiver.answer = lambda: 500
    new_contact(client, headers)
    flush(client)
    flush(client)  # the one retry, forced now
    view = client.get("/_sandbox/webhooks").get_json()
    assert view["registration"]["status"] == "DISABLED"
    new_contact(client, headers, "Later")
    assert flush(client) == []
    assert view["pending_events"] == 0


def test_reset_forgets_registration_and_queue(client, headers, receiver) -> None:
    register(client, batch_seconds=60)
    new_contact(client, headers)
    control(client, "reset")
    view = client.get("/_sandbox/webhooks").get_json()
    assert (view["registration"], view["pending_events"], view["deliveries"]) == (None, 0, [])


def test_bad_registrations_are_refused(client) -> None:
    assert client.post("/_sandbox/webhooks", json={"url": "ftp://x", "key": KEY}).status_code == 400
    assert client.post("/_sandbox/webhooks", json={"url": RECEIVER}).status_code == 400
    assert client.post("/_sandbox/webhooks", json={"retry_seconds": []}).status_code == 400


def test_delivery_over_a_real_socket(client, headers) -> None:
    receiver = Receiver()
    server = make_server("127.0.0.1", 0, receiver.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        view = register(client, url=f"http://127.0.0.1:{server.port}/xero/webhooks", batch_seconds=0.05)
        assert view["registration"]["status"] == "OK"
        contact_id = new_contact(client, headers)
        assert wait_for(lambda: [e["resourceId"] for e in receiver.events()] == [contact_id])
    finally:
        server.shutdown()
        server.server_close()
