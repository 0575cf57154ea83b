"""Bulk push from the list pages: "Send all not in Xero" and "Update all changed",
batched 50 to a request, each element's answer back on its own record, end to end against the
in-process sandbox with the worker draining RQ."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.sync.push_support import DEMO_TENANT_ID, HTMX, run_scheduled, text_of, waits_over
from xeroapp.queue import get_queue, get_redis
from xeroapp.sync.bulk.lanes import BULK_QUEUE
from xeroapp.xero.budget import PER_MINUTE, Budget
from xeroapp.extensions import db
from xeroapp.models import BulkPush, Client, PushJob, XeroLink


def calls(desk) -> int:
    return desk.control("stats", method="get")["totals"].get("calls", 0)


def start(desk, plural: str, mode: str = "send"):
    return desk.client.post(f"/xero/bulk/{plural}/{mode}", headers=HTMX)


def partial(desk, plural: str, **params) -> str:
    response = desk.client.get(f"/xero/bulk/{plural}", headers=HTMX, query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def make_clients(desk, records, count: int, invalid: set[int] = frozenset()) -> list[int]:
    return [records.client(desk.workspace_id, name=f"Client {n:03}",
                           email=f"bad address {n}" if n in invalid else f"c{n}@example.com")
            for n in range(count)]


def test_120_clients_with_3_invalid_end_117_in_xero_and_3_failed_with_messages(desk, records, app):
    ids = make_clients(desk, records, 120, invalid={7, 64, 111})
    before = calls(desk)

    response = start(desk, "clients")
    assert response.status_code == 200
    assert "120 waiting" in text_of(response.get_data(as_text=True))
    desk.drain()

    held = desk.held("contacts")
    assert len(held) == 117
    assert {c["ContactNumber"] for c in held} == {f"XA-C-{i}" for n, i in enumerate(ids)
                                                  if n not in (7, 64, 111)}
    assert calls(desk) - before <= 3  # 50 + 50 + 20
    page = text_of(partial(desk, "clients")).replace(" :", ":")
    assert "117 sent · 3 failed · 0 waiting" in page
    for n in (7, 64, 111):
        assert f"Client {n:03}: Xero did not accept this client: Email address must be valid." in page
    with app.app_context():
        jobs = db.session.scalars(db.select(PushJob).order_by(PushJob.id)).all()
        assert len(jobs) == 120 and len({j.bulk_push_id for j in jobs}) == 1
        assert sum(j.status == "done" for j in jobs) == 117
        assert all(j.idempotency_key and j.idempotency_key.startswith("xa-bulk-") for j in jobs)
        assert db.session.scalar(db.select(db.func.count()).select_from(XeroLink)) == 117
        assert db.session.scalars(db.select(BulkPush)).one().finished_at is not None
    # The record's own panel tells the same story.
    assert "Email address must be valid" in text_of(desk.panel("client", ids[7]))


def test_progress_survives_a_reload_and_polls_until_finished(desk, records):
    make_clients(desk, records, 3)
    start(desk, "clients")

    page = desk.client.get("/clients/").get_data(as_text=True)  # a reload, before the worker ran
    assert "<progress" in page and 'hx-trigger="load delay:1s"' in page
    assert "0 sent · 0 failed · 3 waiting" in text_of(page)
    # While it runs the buttons are off and count nothing (the counts change under the run).
    assert "Send all not in Xero (" not in text_of(page)
    assert "A bulk push of this list is running" in page
    desk.drain()
    done = partial(desk, "clients")
    assert "3 sent · 0 failed · 0 waiting" in text_of(done)
    assert "hx-trigger" not in done  # finished: polling stops
    assert "Send all not in Xero (0)" in text_of(desk.client.get("/clients/").get_data(as_text=True))


def test_second_click_returns_the_running_run(desk, records, app):
    make_clients(desk, records, 5)
    start(desk, "clients")
    second = start(desk, "clients")
    assert second.status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(BulkPush)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(PushJob)) == 5
    desk.drain()
    assert len(desk.held("contacts")) == 5


def test_a_record_whose_send_is_pending_is_left_to_it(desk, records, app):
    ids = make_clients(desk, records, 4)
    assert desk.press("client", ids[2]).status_code == 200  # its own Send, not yet run
    assert "3 waiting" in text_of(start(desk, "clients").get_data(as_text=True))
    with app.app_context():
        run = db.session.scalars(db.select(BulkPush)).one()
        staged = db.session.scalars(db.select(PushJob.record_id)
                                    .where(PushJob.bulk_push_id == run.id)).all()
        assert sorted(staged) == sorted(ids[:2] + ids[3:]) and run.total == 3
    desk.drain()
    assert len(desk.held("contacts")) == 4  # each once


def test_update_all_changed_touches_only_changed_records(desk, records, app):
    ids = make_clients(desk, records, 4)
    start(desk, "clients")
    desk.drain()
    with app.app_context():
        for client_id in ids[:2]:
            db.session.get(Client, client_id).city = "Wellington"
        db.session.commit()
    assert "Update all changed (2)" in text_of(partial(desk, "clients"))

    start(desk, "clients", "update")
    desk.drain()

    held = {c["ContactNumber"]: c for c in desk.held("contacts")}
    assert len(held) == 4
    with app.app_context():
        updates = db.session.scalars(db.select(PushJob).filter_by(action="update")).all()
        assert sorted(j.record_id for j in updates) == sorted(ids[:2])
        assert all(j.status == "done" for j in updates)
    for client_id in ids[:2]:
        postal = next(a for a in held[f"XA-C-{client_id}"]["Addresses"] if a["AddressType"] == "POBOX")
        assert postal["City"] == "Wellington"
    assert "Update all changed (0)" in text_of(partial(desk, "clients"))


def test_invoices_send_their_clients_first(desk, records, app):
    invoice_ids = [records.invoice(desk.workspace_id, number=f"INV-{n:04}") for n in range(1, 4)]
    start(desk, "invoices")
    desk.drain()

    invoices = desk.held("invoices")
    assert sorted(i["InvoiceNumber"] for i in invoices) == ["INV-0001", "INV-0002", "INV-0003"]
    assert all(i["Status"] == "DRAFT" for i in invoices)
    contacts = {c["ContactID"] for c in desk.held("contacts")}
    assert len(contacts) == 3 and {i["Contact"]["ContactID"] for i in invoices} == contacts
    assert all(desk.link("invoice", i) is not None for i in invoice_ids)
    assert "3 sent · 0 failed" in text_of(partial(desk, "invoices"))


def test_products_are_sent_as_items(desk, records):
    records.product(desk.workspace_id, sku="CUP-8OZ", name="Cup 8oz")
    records.product(desk.workspace_id, sku="X" * 40, name="Code too long")
    start(desk, "products")
    desk.drain()

    codes = {i["Code"] for i in desk.held("items")}
    assert "CUP-8OZ" in codes and "X" * 40 not in codes
    page = text_of(partial(desk, "products"))
    assert "1 failed" in page and "Code too long" in page


def test_over_budget_the_lane_holds_once_and_touches_no_row(desk, records, app):
    make_clients(desk, records, 150)  # three batches
    start(desk, "clients")
    with app.app_context():  # other workers spent the organisation's minute
        budget = Budget(get_redis())
        for _ in range(PER_MINUTE):
            budget.release(budget.acquire(DEMO_TENANT_ID, 5000))
        before = {j.id: (j.updated_at, j.attempts) for j in db.session.scalars(db.select(PushJob))}
    desk.drain()

    assert desk.held("contacts") == []
    page = text_of(partial(desk, "clients"))
    assert "150 waiting" in page and "Waiting for Xero's rate limit: resumes at" in page
    with app.app_context():
        jobs = db.session.scalars(db.select(PushJob)).all()
        assert {(j.status, j.error_kind) for j in jobs} == {("queued", None)}
        assert {j.id: (j.updated_at, j.attempts) for j in jobs} == before  # not claimed, not written
        scheduled = get_queue(BULK_QUEUE).scheduled_job_registry.get_job_ids()
        assert len(scheduled) == 1 and scheduled[0].startswith("lane-")  # the lane, once
        assert get_queue(BULK_QUEUE).get_job_ids() == []


def test_a_held_lane_sends_when_its_window_opens(desk, records, app):
    make_clients(desk, records, 120)
    start(desk, "clients")
    with app.app_context():
        budget = Budget(get_redis())
        for _ in range(PER_MINUTE):
            budget.release(budget.acquire(DEMO_TENANT_ID, 5000))
    desk.drain()
    with app.app_context():
        for key in get_redis().scan_iter(f"*budget*{DEMO_TENANT_ID}*"):
            get_redis().delete(key)  # the minute has passed

    run_scheduled(app, desk.drain)

    assert len(desk.held("contacts")) == 120
    assert "120 sent · 0 failed · 0 waiting" in text_of(partial(desk, "clients"))
    with app.app_context():  # the lane ended with the work: nothing left on RQ
        queue = get_queue(BULK_QUEUE)
        assert queue.get_job_ids() == [] and queue.scheduled_job_registry.get_job_ids() == []


def test_a_persons_send_goes_before_bulk_batches_queued_earlier(desk, records, app):
    make_clients(desk, records, 250)  # five batches, queued first
    start(desk, "clients")
    supplier_id = records.supplier(desk.workspace_id, name="Pacific Paper Co.")
    assert desk.press("supplier", supplier_id).status_code == 200  # clicked after them
    with app.app_context():  # the lane's three jobs, and the Send
        assert len(get_queue(BULK_QUEUE).get_job_ids()) == 3 and len(get_queue().get_job_ids()) == 1

    desk.drain()

    names = [c["Name"] for c in desk.held("contacts")]
    assert len(names) == 251 and names[0] == "Pacific Paper Co."  # in Xero before any batch


def test_other_workspace_cannot_see_or_start_runs(desk, records, app, auth):
    make_clients(desk, records, 2)
    start(desk, "clients")
    with app.app_context():
        run_id = db.session.scalar(db.select(BulkPush.id))
    auth.logout()
    auth.signup(email="eve@example.com", workspace_name="Eve Ltd")
    assert desk.client.get(f"/xero/bulk/clients?run={run_id}", headers=HTMX).status_code == 404
    page = text_of(partial(desk, "clients"))
    assert "waiting" not in page and "Xero is not connected" in page
    assert "Xero is not connected" in text_of(start(desk, "clients").get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(BulkPush)) == 1


def test_not_connected_says_so_and_starts_nothing(client, auth, records, app):
    auth.signup()
    records.client(records.workspace_id_of(auth.default.email))
    page = text_of(client.get("/clients/").get_data(as_text=True))
    assert "Xero is not connected, so nothing can be sent yet." in page
    assert "Send all not in Xero" not in page
    answer = client.post("/xero/bulk/clients/send", headers=HTMX)
    assert answer.status_code == 200
    assert "Xero is not connected" in text_of(answer.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(BulkPush)) == 0


def test_start_needs_csrf(desk, records):
    make_clients(desk, records, 1)
    assert desk.client.post("/xero/bulk/clients/send", headers=HTMX, csrf=False).status_code == 400


@pytest.mark.parametrize("plural", ["clients", "suppliers", "invoices", "products"])
def test_every_list_page_offers_bulk_send(desk, plural):
    page = text_of(desk.client.get(f"/{plural}/").get_data(as_text=True))
    assert "Send all not in Xero (" in page
    assert "Update all changed (0)" in page


def test_sweeper_leaves_batched_rows_alone_and_rebatches_orphans(desk, records, app):
    from datetime import timedelta

    from xeroapp.models.types import utcnow
    from xeroapp.sync import sweeper

    make_clients(desk, records, 60)
    start(desk, "clients")
    later = utcnow() + timedelta(minutes=2)
    with app.app_context():
        assert sweeper.sweep(now=later).enqueued == []  # the two batch jobs hold every row
        get_queue(BULK_QUEUE).empty()  # Redis lost the batch jobs
        assert len(sweeper.sweep(now=later).enqueued) == 60
    before = calls(desk)
    desk.drain()

    assert len(desk.held("contacts")) == 60  # nothing lost, nothing twice
    assert calls(desk) - before == 2  # the first orphan took 49 more along; the rest had nothing to do
    assert "60 sent · 0 failed · 0 waiting" in text_of(partial(desk, "clients"))


def test_update_all_changed_updates_approved_invoices_and_leaves_paid_ones_alone(desk, records, app):
    from decimal import Decimal

    from xeroapp.models import Invoice

    ids = [records.invoice(desk.workspace_id, number=f"INV-{n:04}") for n in (1, 2, 3)]
    start(desk, "invoices")
    desk.drain()
    approved, part_paid, known_paid = (desk.link("invoice", i).xero_id for i in ids)
    desk.control(f"objects/{DEMO_TENANT_ID}/invoices/{approved}/approve")
    desk.control(f"objects/{DEMO_TENANT_ID}/invoices/{part_paid}/approve")
    desk.control(f"objects/{DEMO_TENANT_ID}/invoices/{part_paid}/pay", {"Amount": 10})
    with app.app_context():
        for invoice_id in ids:
            db.session.get(Invoice, invoice_id).reference = "changed"
        # Read back from Xero as paid (Xero itself still holds a draft: any call would show).
        link = db.session.scalar(db.select(XeroLink).filter_by(record_kind="invoice",
                                                               record_id=ids[2]))
        link.xero_status, link.xero_amount_paid = "PAID", Decimal("28.75")
        db.session.commit()

    before = text_of(partial(desk, "invoices"))
    assert "Update all changed (2)" in before
    assert "1 changed here but paid, voided or deleted in Xero" in before

    start(desk, "invoices", "update")
    desk.drain()

    held = {i["InvoiceNumber"]: i for i in desk.held("invoices")}
    assert held["INV-0001"]["Reference"] == "changed" and held["INV-0001"]["Status"] == "AUTHORISED"
    assert held["INV-0002"].get("Reference") != "changed"
    assert held["INV-0003"].get("Reference") != "changed" and held["INV-0003"]["Status"] == "DRAFT"
    assert [j.action for j in desk.jobs("invoice", ids[2])] == ["send"]  # never staged
    page = text_of(partial(desk, "invoices"))
    assert "1 sent · 0 failed · 1 locked in Xero" in page
    assert "has a payment in Xero, and Xero takes no changes" in page


def test_only_locked_changes_say_so_instead_of_starting(desk, records, app):
    from xeroapp.models import Invoice

    invoice_id = records.invoice(desk.workspace_id, number="INV-0001")
    start(desk, "invoices")
    desk.drain()
    with app.app_context():
        db.session.get(Invoice, invoice_id).reference = "changed"
        db.session.scalar(db.select(XeroLink).filter_by(record_kind="invoice")).xero_status = "VOIDED"
        db.session.commit()
    calls_before = calls(desk)

    answer = text_of(start(desk, "invoices", "update").get_data(as_text=True))

    assert "the 1 changed record is paid, voided or deleted in Xero" in answer
    assert calls(desk) == calls_before


def test_xeros_429_waits_out_retry_after_and_then_sends_once(desk, records, app):
    make_clients(desk, records, 3)
    desk.control("faults", {"next": ["429"], "retry_after": 30})
    start(desk, "clients")
    desk.drain()

    assert desk.held("contacts") == []
    with app.app_context():
        rows = db.session.scalars(db.select(PushJob)).all()
        assert {(r.status, r.error_kind) for r in rows} == {("waiting", "rate_limit")}
        (scheduled,) = get_queue(BULK_QUEUE).scheduled_job_registry.get_job_ids()
    waits_over(app)  # the scheduler's moment, without waiting 30 s
    with app.app_context():
        from rq.job import Job
        job = Job.fetch(scheduled, connection=get_redis())
        get_queue(BULK_QUEUE).enqueue_job(job)
    desk.drain()
    assert len(desk.held("contacts")) == 3
    with app.app_context():  # one call each reached Xero; the 429 was a wait, not an attempt
        rows = db.session.scalars(db.select(PushJob)).all()
        assert {(r.attempts, r.rate_limit_waits) for r in rows} == {(1, 1)}
    assert "3 sent · 0 failed · 0 waiting" in text_of(partial(desk, "clients"))


def statements_to_send_invoices(desk, records, app, count: int, batch: int) -> Counter:
    """The statements the worker runs, by their first word, to send ``count`` new invoices
    (each with a client not in Xero yet) in one batch; an executemany counts once."""
    from sqlalchemy import event

    for n in range(count):
        records.invoice(desk.workspace_id, number=f"INV-{batch}-{n:03}")
    start(desk, "invoices")
    statements: Counter = Counter()
    with app.app_context():
        engine = db.engine

    def note(conn, cursor, statement, *args) -> None:
        statements[statement.split(None, 1)[0].upper()] += 1

    event.listen(engine, "before_cursor_execute", note)
    try:
        desk.drain()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert "0 failed · 0 waiting" in text_of(partial(desk, "invoices"))
    return statements


def test_a_batch_reads_and_writes_its_records_together_not_one_by_one(desk, records, app):
    """The work of a batch, and so the cores it takes from the pages, must not grow with
    the records in it: reading 50 invoices, their clients, lines and links, and writing
    their outcomes, keys and new links, costs the same statements as for 2."""
    two = statements_to_send_invoices(desk, records, app, 2, batch=1)
    fifty = statements_to_send_invoices(desk, records, app, 50, batch=2)

    assert len(desk.held("invoices")) == 52
    for verb in ("SELECT", "INSERT", "UPDATE"):
        assert fifty[verb] == two[verb], (verb, two, fifty)


def test_clients_already_keyed_into_xero_are_adopted_not_refused(desk, records, app):
    """Connecting a Xero organisation that already has its customers: Send all must link to
    them, as each client's own Send would, not fail with "already assigned"."""
    bayside = desk.add_contact("BAYSIDE CAFÉ", EmailAddress="old@bayside.example")
    first = desk.add_contact("Kai Cafe")
    desk.set_status("contacts", first, "ARCHIVED")
    desk.add_contact("Kai Cafe")
    desk.set_status("contacts", first, "ACTIVE")  # two active contacts share the name
    ids = {name: records.client(desk.workspace_id, name=name, email=f"{n}@new.example")
           for n, name in enumerate(("Bayside Café", "Kai Cafe", "Harbour Books"))}
    before = calls(desk)

    start(desk, "clients")
    desk.drain()

    held = {c["ContactID"]: c for c in desk.held("contacts")}
    assert len(held) == 4  # the three keyed by hand and Harbour Books: nothing duplicated
    assert held[bayside]["Name"] == "BAYSIDE CAFÉ"  # Xero's spelling kept
    assert held[bayside]["EmailAddress"] == "0@new.example"
    assert held[bayside]["ContactNumber"] == f"XA-C-{ids['Bayside Café']}"
    assert desk.link("client", ids["Bayside Café"]).xero_id == bayside
    assert desk.link("client", ids["Harbour Books"]) is not None
    assert desk.link("client", ids["Kai Cafe"]) is None
    page = text_of(partial(desk, "clients")).replace(" :", ":")
    assert "2 sent · 1 failed · 0 waiting" in page
    assert ('Kai Cafe: Xero already has 2 contacts named "Kai Cafe". Open this client and '
            "press Send to choose which one it is.") in page
    assert calls(desk) - before == 3  # the batch, one lookup by name, one adoption
