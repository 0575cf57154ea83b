"""Bulk push throughput against Xero's limits (60 calls a minute per organisation,
https://developer.xero.com/documentation/guides/oauth2/limits/).

``python bench/push.py [--invoices 6000] [--time-scale 1] [--workers 1,3] [--baseline-invoices 120]``

The defaults push two Xero minutes' worth of invoices at Xero's own pace, so Xero's limit
(not this machine) is what binds and the rate is a sustained one. A faster clock shortens
the run but, on a small machine, turns it into a measure of the machine: the workers and the
sandbox standing in for Xero's servers then share its cores.

For each worker count: a fresh stack (bench/stack.py: Redis, the sandbox with its limits on and
its clock sped up ``--time-scale`` times, N forking RQ workers, gunicorn), a person who signs
up and connects Xero over HTTP, N invoices (one client each) written to the database, their
clients sent first with "Send all not in Xero" on the clients list (set-up, not measured),
then "Send all not in Xero" on the invoices list, timed until every invoice is done or failed.

The baseline pushes the same kind of invoices one per call with Xero's official SDK
(xero-python), as a peer integration does, waiting out each 429's Retry-After.

Figures: records per sandbox minute against the ceiling (60 calls a minute x 50 records a
call = 3,000), API calls per record, and 429s received. A run of fewer than 3,000 records
fits in the first minute's 60 calls, so its rate is a burst, not the sustained ceiling: the
output says which. The last line is ``name=value`` pairs.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.person import (Person, add_clients, add_invoices, sandbox_call,  # noqa: E402
                          workspace_id_of)
from bench.stack import BenchStack, app_settings, machine  # noqa: E402

CEILING_CALLS, RECORDS_PER_CALL = 60, 50
CEILING = CEILING_CALLS * RECORDS_PER_CALL  # records per Xero minute
POLL_SECONDS = 0.2
TIMEOUT_SECONDS = 900


@dataclass
class Result:
    name: str
    records: int
    done: int
    failed: int
    seconds: float
    calls: int
    rate_limited: int
    time_scale: float

    @property
    def sandbox_minutes(self) -> float:
        return self.seconds * self.time_scale / 60.0

    @property
    def per_minute(self) -> float:
        return self.done / self.sandbox_minutes if self.sandbox_minutes else 0.0

    @property
    def calls_per_record(self) -> float:
        return self.calls / self.records if self.records else 0.0

    def line(self) -> str:
        return (f"{self.name:<10} records={self.records} done={self.done} failed={self.failed} "
                f"real={self.seconds:.1f}s sandbox={self.sandbox_minutes:.2f}min "
                f"rate={self.per_minute:.0f}/min ({100 * self.per_minute / CEILING:.0f}% of {CEILING}) "
                f"calls={self.calls} calls/record={self.calls_per_record:.3f} 429s={self.rate_limited}")


def totals(stack: BenchStack) -> dict[str, int]:
    return sandbox_call(stack.sandbox_url, "GET", "/_sandbox/stats")["totals"]


# -- our app -------------------------------------------------------------------------------------

def run_app(workers: int, invoices: int, time_scale: float) -> Result:
    from xeroapp import create_app

    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        stack = BenchStack(Path(tmp), time_scale=time_scale).start(workers)
        person = Person(stack.web_url)
        app = create_app(app_settings(stack))
        try:
            person.sign_up()
            person.connect_xero()
            with app.app_context():
                workspace_id = workspace_id_of(person.email)
                add_invoices(workspace_id, add_clients(workspace_id, invoices, "Bench Client"), "BI")
            send_and_wait(app, person, "clients", workspace_id)
            before, began = totals(stack), time.monotonic()
            done, failed = send_and_wait(app, person, "invoices", workspace_id)
            seconds, after = time.monotonic() - began, totals(stack)
        finally:
            person.close()
            _close(app)
            stack.stop()
    return Result(f"app-w{workers}", invoices, done, failed, seconds,
                  after.get("calls", 0) - before.get("calls", 0),
                  after.get("rate_limited", 0) - before.get("rate_limited", 0), time_scale)


def send_and_wait(app, person: Person, plural: str, workspace_id: int) -> tuple[int, int]:
    """Press "Send all not in Xero" and wait for the run to finish; (sent, failed)."""
    from xeroapp.extensions import db
    from xeroapp.sync.bulk import runs as bulk
    from xeroapp.bulk.state import LISTS

    if not person.bulk_send(plural):
        raise RuntimeError("this app has no bulk send")
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        with app.app_context():
            # One EXISTS query while it runs: reading all 6,000 rows' progress at every poll
            # would take CPU from the workers being measured.
            run = bulk.latest(workspace_id, LISTS[plural])
            state = bulk.progress(run) if run is not None and bulk.refresh_finished(run) else None
            db.session.remove()
        if state is not None:
            return state.sent, state.failed
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"bulk send of {plural} did not finish in {TIMEOUT_SECONDS}s")


def _close(app) -> None:
    from xeroapp.extensions import db
    from xeroapp.queue import close_redis

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    close_redis(app)


# -- the baseline: one invoice per call with the official SDK --------------------------------------

def run_baseline(invoices: int, time_scale: float) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-push-sdk-") as tmp:
        stack = BenchStack(Path(tmp), time_scale=time_scale).start(0)
        try:
            accounting, tenant = _sdk(stack.sandbox_url)
            contact_ids = _sdk_contacts(accounting, tenant, invoices, time_scale)
            before, began = totals(stack), time.monotonic()
            done, failed, limited = _sdk_invoices(accounting, tenant, contact_ids, time_scale)
            seconds, after = time.monotonic() - began, totals(stack)
        finally:
            stack.stop()
    # 429s as the sandbox counted them (the SDK's own count, ``limited``, should agree).
    sent_429 = after.get("rate_limited", 0) - before.get("rate_limited", 0)
    if sent_429 != limited:
        print(f"note: the sandbox sent {sent_429} 429s, the SDK raised {limited} RateLimitExceptions")
    return Result("sdk-1by1", invoices, done, failed, seconds,
                  after.get("calls", 0) - before.get("calls", 0), sent_429, time_scale)


def _sdk(sandbox_url: str):
    from xero_python.accounting import AccountingApi
    from xero_python.api_client import ApiClient, Configuration
    from xero_python.api_client.oauth2 import OAuth2Token, TokenApi

    from xerosandbox.orgs import DEMO_TENANT_ID

    minted = sandbox_call(sandbox_url, "POST", "/_sandbox/tokens", {"tenants": [DEMO_TENANT_ID]})
    TokenApi.refresh_token_url = f"{sandbox_url}/connect/token"  # the SDK hard-codes Xero's
    store = {"token": {k: minted[k] for k in ("access_token", "refresh_token", "expires_in",
                                              "token_type") if k in minted}}
    store["token"]["scope"] = str(minted.get("scope", "")).split()
    api_client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id="sandbox-app", client_secret="sandbox-secret")),
        pool_threads=1, oauth2_token_getter=lambda: store["token"],
        oauth2_token_saver=lambda token: store.__setitem__("token", token))
    return AccountingApi(api_client, base_url=f"{sandbox_url}/api.xro/2.0"), DEMO_TENANT_ID


def _with_retry(call, time_scale: float) -> tuple[object, int]:
    """``call()``, waiting out 429s as the SDK's users do; (answer, 429s received)."""
    from xero_python.exceptions import RateLimitException

    limited = 0
    while True:
        try:
            return call(), limited
        except RateLimitException as exc:
            limited += 1
            retry_after = float((getattr(exc, "headers", None) or {}).get("Retry-After") or 1)
            time.sleep(max(retry_after, 1.0) / time_scale)


def _sdk_contacts(accounting, tenant: str, count: int, time_scale: float) -> list[str]:
    """Set-up: the invoices' contacts, 50 to a call (not measured)."""
    from xero_python.accounting import Contact, Contacts

    ids: list[str] = []
    for start in range(0, count, RECORDS_PER_CALL):
        batch = Contacts(contacts=[Contact(name=f"SDK Client {n:04d}")
                                   for n in range(start, min(start + RECORDS_PER_CALL, count))])
        answer, _ = _with_retry(lambda: accounting.create_contacts(tenant, batch), time_scale)
        ids += [c.contact_id for c in answer.contacts]
    return ids


def _sdk_invoices(accounting, tenant: str, contact_ids: list[str],
                  time_scale: float) -> tuple[int, int, int]:
    from xero_python.accounting import Contact, Invoice, Invoices, LineAmountTypes, LineItem
    from xero_python.exceptions import AccountingBadRequestException

    done = failed = limited = 0
    for n, contact_id in enumerate(contact_ids, start=1):
        invoice = Invoice(type="ACCREC", contact=Contact(contact_id=contact_id),
                          invoice_number=f"SDK-{n:04d}", date=date(2026, 11, 1), status="DRAFT",
                          line_amount_types=LineAmountTypes.EXCLUSIVE,
                          line_items=[LineItem(description="Beans 1 kg", quantity=2, unit_amount=24.5),
                                      LineItem(description="Delivery", quantity=1, unit_amount=8.0)])
        try:
            _, hits = _with_retry(lambda: accounting.create_invoices(
                tenant, Invoices(invoices=[invoice])), time_scale)
            limited += hits
            done += 1
        except AccountingBadRequestException:
            failed += 1
    return done, failed, limited


# -- main ------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=6000)
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="the sandbox's minute lasts 60/N real seconds")
    parser.add_argument("--workers", default="1,3", help="comma-separated worker counts")
    parser.add_argument("--baseline-invoices", type=int, default=120,
                        help="invoices the one-per-call SDK baseline pushes (0: skip)")
    args = parser.parse_args(argv)
    print(f"bench/push.py: invoices={args.invoices} time_scale={args.time_scale:g} "
          f"(1 sandbox minute = {60 / args.time_scale:.1f}s) limits=on latency=0 {machine()}")
    if args.invoices < CEILING:
        print(f"note: {args.invoices} records need fewer than {CEILING_CALLS} calls, so they fit in "
              "one Xero minute: the rate below is a burst, not the sustained ceiling.")
    results = [run_app(int(w), args.invoices, args.time_scale) for w in args.workers.split(",")]
    for result in results:
        print(result.line(), flush=True)
    if args.baseline_invoices:
        baseline = run_baseline(args.baseline_invoices, args.time_scale)
        print(baseline.line())
        results.append(baseline)
    pairs = [f"invoices={args.invoices}", f"time_scale={args.time_scale:g}", f"ceiling={CEILING}"]
    for r in results:
        pairs += [f"{r.name}_per_min={r.per_minute:.0f}", f"{r.name}_calls_per_record={r.calls_per_record:.3f}",
                  f"{r.name}_429s={r.rate_limited}", f"{r.name}_failed={r.failed}"]
    print(" ".join(pairs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
