"""Reading Xero's side back: how soon invoices paid in Xero show as paid in the app, and how
many API calls that costs per changed record.

``python -m bench.backsync [--invoices 200] [--poll-interval 20] [--time-scale 1] [--workers 2]``

One stack (bench/stack.py) with XERO_WEBHOOK_KEY set and POLL_INTERVAL_SECONDS as given; a
person signs up and connects Xero over HTTP; two sets of N invoices (sharing N clients) are
written to the database and sent with "Send all not in Xero", and the second set is approved
in Xero (set-up, not measured). Then:

- webhook path: the sandbox's webhooks are registered to the app's ``/webhooks/xero``; the
  first set is approved, then paid, one invoice after another through the sandbox's control
  API as a Xero user would; timed from the last payment until every link of the set holds
  xero_status PAID in the app's database.
- polling-only path: webhooks unregistered (``DELETE /_sandbox/webhooks``), the second set is
  paid and timed the same way: only the periodic poll (If-Modified-Since) can see it, so the
  time is bounded by the poll interval.

Each invoice's lag runs from its payment to the read that stored PAID (the link's
xero_read_at when the database first shows PAID; both clocks are this machine's). The
sandbox's call counter, read before and after each phase, gives API calls per changed record
(every call the app made meanwhile, the periodic poll's included). The last line is
``name=value`` pairs.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.person import (Person, add_clients, add_invoices, sandbox_call,  # noqa: E402
                          workspace_id_of)
from bench.push import POLL_SECONDS, _close, send_and_wait, totals  # noqa: E402
from bench.stack import BenchStack, app_settings, machine  # noqa: E402
from xerosandbox.orgs import DEMO_TENANT_ID  # noqa: E402

WEBHOOK_KEY = "bench-webhook-key"
# The paid state must show within a few poll intervals, or something is wrong.
TIMEOUT_INTERVALS = 6
MIN_TIMEOUT_SECONDS = 120


@dataclass
class Phase:
    name: str
    records: int
    seen: int
    all_paid_s: float      # from the last payment until every record showed PAID
    lags: list[float]      # per record: its payment until the read that stored PAID
    calls: int
    rate_limited: int

    @property
    def calls_per_record(self) -> float:
        return self.calls / self.records if self.records else 0.0

    def lag(self, share: float) -> float:
        if not self.lags:
            return float("nan")
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def line(self) -> str:
        return (f"{self.name:<8} {self.records:>7} {self.seen:>6} {self.all_paid_s:>11.1f} "
                f"{self.lag(0.5):>7.1f} {self.lag(0.95):>7.1f} {self.calls:>6} "
                f"{self.calls_per_record:>12.3f} {self.rate_limited:>5}")


HEADER = (f"{'path':<8} {'records':>7} {'paid':>6} {'all_paid_s':>11} {'p50_s':>7} {'p95_s':>7} "
          f"{'calls':>6} {'calls/record':>12} {'429s':>5}")


# -- set-up ---------------------------------------------------------------------------------------

def set_up(app, person: Person, invoices: int) -> tuple[dict[int, str], dict[int, str]]:
    """Two sets of ``invoices`` invoices sent to Xero; each set as {invoice id: InvoiceID}."""
    person.sign_up()
    person.connect_xero()
    with app.app_context():
        workspace_id = workspace_id_of(person.email)
        client_ids = add_clients(workspace_id, invoices, "Bench Client")
        first = add_invoices(workspace_id, client_ids, "WH")
        second = add_invoices(workspace_id, client_ids, "PO")
    send_and_wait(app, person, "clients", workspace_id)
    sent, failed = send_and_wait(app, person, "invoices", workspace_id)
    if failed or sent != 2 * invoices:
        raise RuntimeError(f"set-up: {sent} invoices sent, {failed} failed")
    return xero_ids(app, first), xero_ids(app, second)


def xero_ids(app, invoice_ids: list[int]) -> dict[int, str]:
    from xeroapp.models.xero import XeroLink

    with app.app_context():
        links = XeroLink.query.filter(XeroLink.record_kind == "invoice",
                                      XeroLink.record_id.in_(invoice_ids)).all()
        found = {link.record_id: link.xero_id for link in links}
        _remove_session()
    return found


def _remove_session() -> None:
    from xeroapp.extensions import db

    db.session.remove()


# -- Xero-user actions --------------------------------------------------------------------------

def act(xero: httpx.Client, invoice_ids: dict[int, str], action: str) -> dict[int, float]:
    """``action`` on each invoice, one after another, as fast as the sandbox answers; when
    each was done (wall clock)."""
    done: dict[int, float] = {}
    for record_id, xero_id in invoice_ids.items():
        answer = xero.post(f"/_sandbox/objects/{DEMO_TENANT_ID}/invoices/{xero_id}/{action}",
                           json={"Reference": "bench"} if action == "pay" else {})
        answer.raise_for_status()
        done[record_id] = time.time()
    return done


# -- measuring ----------------------------------------------------------------------------------

def measure(name: str, app, stack: BenchStack, xero: httpx.Client, invoice_ids: dict[int, str],
            timeout: float, approve_first: bool) -> Phase:
    before = totals(stack)
    if approve_first:
        act(xero, invoice_ids, "approve")
    paid_at = act(xero, invoice_ids, "pay")
    last_paid = time.time()
    read_at = wait_until_paid(app, list(invoice_ids), timeout)
    finished = max(read_at.values(), default=last_paid)
    after = totals(stack)
    lags = [read_at[i] - paid_at[i] for i in read_at]
    return Phase(name, len(invoice_ids), len(read_at),
                 finished - last_paid if len(read_at) == len(invoice_ids) else float("nan"),
                 lags, after.get("calls", 0) - before.get("calls", 0),
                 after.get("rate_limited", 0) - before.get("rate_limited", 0))


def wait_until_paid(app, invoice_ids: list[int], timeout: float) -> dict[int, float]:
    """Poll the database until every invoice's link is PAID; {invoice id: when the read that
    stored PAID happened} (xero_read_at as first seen with PAID; later reads move it on)."""
    from xeroapp.models.xero import XeroLink

    seen: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < len(invoice_ids) and time.monotonic() < deadline:
        with app.app_context():
            rows = XeroLink.query.with_entities(XeroLink.record_id, XeroLink.xero_read_at).filter(
                XeroLink.record_kind == "invoice", XeroLink.record_id.in_(invoice_ids),
                XeroLink.xero_status == "PAID").all()
            _remove_session()
        for record_id, read_at in rows:
            seen.setdefault(record_id, _epoch(read_at))
        time.sleep(POLL_SECONDS)
    return seen


def _epoch(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else time.time()


def run(invoices: int, poll_interval: int, time_scale: float, workers: int) -> list[Phase]:
    from xeroapp import create_app

    timeout = max(MIN_TIMEOUT_SECONDS, TIMEOUT_INTERVALS * poll_interval)
    with tempfile.TemporaryDirectory(prefix="bench-backsync-") as tmp:
        stack = BenchStack(Path(tmp), time_scale=time_scale)
        stack.env.update({"XERO_WEBHOOK_KEY": WEBHOOK_KEY,
                          "POLL_INTERVAL_SECONDS": str(poll_interval)})
        stack.start(workers)
        person = Person(stack.web_url)
        app = create_app(app_settings(stack))
        xero = httpx.Client(base_url=stack.sandbox_url, timeout=30.0)
        try:
            first, second = set_up(app, person, invoices)
            act(xero, second, "approve")  # before webhooks: only polling will see the second set
            registered = sandbox_call(stack.sandbox_url, "POST", "/_sandbox/webhooks",
                                      {"url": f"{stack.web_url}/webhooks/xero", "key": WEBHOOK_KEY})
            if (registered.get("registration") or {}).get("status") != "OK":
                raise RuntimeError(f"webhooks not accepted: {registered.get('registration')}")
            webhook = measure("webhook", app, stack, xero, first, timeout, approve_first=True)
            sandbox_call(stack.sandbox_url, "DELETE", "/_sandbox/webhooks")
            polling = measure("polling", app, stack, xero, second, timeout, approve_first=False)
        finally:
            xero.close()
            person.close()
            _close(app)
            stack.stop()
    return [webhook, polling]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=200, help="invoices per path")
    parser.add_argument("--poll-interval", type=int, default=20,
                        help="POLL_INTERVAL_SECONDS of the app (real seconds)")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="the sandbox's minute lasts 60/N real seconds")
    parser.add_argument("--workers", type=int, default=2, help="RQ workers")
    args = parser.parse_args(argv)
    print(f"bench/backsync.py: invoices={args.invoices} poll_interval={args.poll_interval}s "
          f"time_scale={args.time_scale:g} workers={args.workers} limits=on {machine()}", flush=True)
    webhook, polling = run(args.invoices, args.poll_interval, args.time_scale, args.workers)
    print(HEADER)
    for phase in (webhook, polling):
        print(phase.line())
    print("all_paid_s: from the last payment in Xero until every link shows PAID; p50/p95: per "
          "invoice, its payment to the read that stored PAID; calls: every API call the app "
          "made in the phase (webhook: approvals and payments both changed each record).")
    pairs = [f"invoices={args.invoices}", f"webhook_all_paid_s={webhook.all_paid_s:.1f}",
             f"webhook_p95_s={webhook.lag(0.95):.1f}",
             f"webhook_calls_per_record={webhook.calls_per_record:.3f}",
             f"poll_interval_s={args.poll_interval}", f"polling_all_paid_s={polling.all_paid_s:.1f}",
             f"polling_p95_s={polling.lag(0.95):.1f}",
             f"polling_calls_per_record={polling.calls_per_record:.3f}",
             f"429s={webhook.rate_limited + polling.rate_limited}",
             f"time_scale={args.time_scale:g}", machine()]
    print(" ".join(pairs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
