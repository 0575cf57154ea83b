"""Someone using the app over HTTP, as the browser does: cookies kept, CSRF token in the form
or (htmx) in the X-CSRFToken header, Xero connected through the sandbox's consent page.

The benchmarks time these requests, so they go through the real server (gunicorn) and every
layer a click meets; records to send are written straight into the database instead, which
is set-up, not what is measured.
"""
from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from xerosandbox.orgs import DEMO_TENANT_ID

PASSWORD = "bench password 1"
_INPUT = re.compile(r"<input\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
_HX_CSRF = re.compile(r'"X-CSRFToken":\s*"([^"]+)"')


class Person:
    def __init__(self, web_url: str, email: str = "ada@bench.example") -> None:
        self.email = email
        self.http = httpx.Client(base_url=web_url, timeout=30.0)
        self.csrf = ""

    def close(self) -> None:
        self.http.close()

    # -- pages ------------------------------------------------------------------------------
    def sign_up(self, workspace: str = "Bench Roasters") -> None:
        page = self.http.get("/auth/signup")
        form = {**hidden_fields(page.text), "workspace_name": workspace, "name": "Ada Bench",
                "email": self.email, "password": PASSWORD, "confirm": PASSWORD}
        answer = self.http.post("/auth/signup", data=form)
        if answer.status_code != 302:
            raise RuntimeError(f"sign-up failed: HTTP {answer.status_code}")
        self._read_csrf("/")

    def connect_xero(self, tenant: str = DEMO_TENANT_ID) -> None:
        """Settings > Integrations > Connect, consent at the sandbox choosing the organisation
        ``tenant`` (e.g. one made with ``POST /_sandbox/orgs``), back to the callback."""
        self._read_csrf("/settings/integrations/")
        to_xero = self.http.post("/settings/integrations/connect", data={"csrf_token": self.csrf})
        with httpx.Client(timeout=30.0) as browser_at_xero:
            page = browser_at_xero.get(to_xero.headers["location"])
            form = {**hidden_fields(page.text), "action": "allow", "tenant": tenant,
                    "email": _value(page.text, "email"), "password": _value(page.text, "password")}
            consent = browser_at_xero.post(str(page.url).split("?")[0], data=form)
        back = self.http.get(consent.headers["location"])
        done = self.http.get(back.headers["location"])
        if "Connected to" not in done.text:
            raise RuntimeError("connecting Xero failed:\n" + done.text[:2000])

    def _read_csrf(self, path: str) -> None:
        match = _HX_CSRF.search(self.http.get(path).text)
        if match is None:
            raise RuntimeError(f"no CSRF token on {path}")
        self.csrf = html.unescape(match.group(1))

    # -- htmx requests (what is timed) -------------------------------------------------------
    def htmx(self, method: str, path: str) -> httpx.Response:
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf}
        answer = self.http.request(method, path, headers=headers)
        if answer.status_code != 200:
            raise RuntimeError(f"{method} {path}: HTTP {answer.status_code}\n{answer.text[:500]}")
        return answer

    def send(self, kind: str, record_id: int) -> httpx.Response:
        """The Send button of the record's integration panel."""
        return self.htmx("POST", f"/xero/{kind}/{record_id}/push")

    def poll(self, kind: str, record_id: int) -> httpx.Response:
        """The panel re-requesting itself while a push is pending."""
        return self.htmx("GET", f"/xero/{kind}/{record_id}/panel")

    def bulk_send(self, plural: str) -> bool:
        """"Send all not in Xero" on a list page; False where the app has no bulk send."""
        answer = self.http.post(f"/xero/bulk/{plural}/send",
                                headers={"HX-Request": "true", "X-CSRFToken": self.csrf})
        if answer.status_code == 404:
            return False
        if answer.status_code != 200:
            raise RuntimeError(f"bulk send: HTTP {answer.status_code}\n{answer.text[:500]}")
        return True


def _inputs(page: str) -> list[dict[str, str]]:
    return [{k: html.unescape(v) for k, v in _ATTRIBUTE.findall(tag)} for tag in _INPUT.findall(page)]


def hidden_fields(page: str) -> dict[str, str]:
    return {i["name"]: i.get("value", "") for i in _inputs(page)
            if i.get("type") == "hidden" and "name" in i}


def _value(page: str, name: str) -> str:
    return next((i.get("value", "") for i in _inputs(page) if i.get("name") == name), "")


# -- records, written directly (set-up, not measured) -----------------------------------------
def workspace_id_of(email: str) -> int:
    from xeroapp.models.workspace import find_user_by_email

    return find_user_by_email(email).workspace_id


def add_clients(workspace_id: int, count: int, prefix: str) -> list[int]:
    """``count`` clients named ``<prefix> 0001`` ...; their ids. Call inside an app context."""
    from xeroapp.extensions import db
    from xeroapp.models import Client

    clients = [Client(workspace_id=workspace_id, name=f"{prefix} {n:04d}",
                      email=f"{prefix.lower().replace(' ', '-')}-{n}@bench.example")
               for n in range(1, count + 1)]
    db.session.add_all(clients)
    db.session.commit()
    return [c.id for c in clients]


def insert_clients(workspace_id: int, count: int, prefix: str) -> list[int]:
    """As add_clients, in one multi-row INSERT instead of one ORM object a row: thousands of
    clients in about a second. Call inside an app context."""
    import sqlalchemy as sa

    from xeroapp.extensions import db
    from xeroapp.models import Client

    slug = prefix.lower().replace(" ", "-")
    db.session.execute(sa.insert(Client), [
        {"workspace_id": workspace_id, "name": f"{prefix} {n:04d}",
         "email": f"{slug}-{n}@bench.example"} for n in range(1, count + 1)])
    db.session.commit()
    return list(db.session.scalars(sa.select(Client.id).where(
        Client.workspace_id == workspace_id, Client.name.startswith(f"{prefix} "))
        .order_by(Client.id)))


def add_invoices(workspace_id: int, client_ids: list[int], prefix: str) -> list[int]:
    """One two-line invoice per client, numbered ``<prefix>-0001`` ...; their ids."""
    from xeroapp.extensions import db
    from xeroapp.models import Invoice, InvoiceLine

    invoices = [Invoice(workspace_id=workspace_id, client_id=client_id, number=f"{prefix}-{n:04d}",
                        issue_date=date(2026, 11, 1), currency="NZD",
                        lines=[InvoiceLine(position=0, description="Beans 1 kg",
                                           quantity=Decimal("2"), unit_price=Decimal("24.50")),
                               InvoiceLine(position=1, description="Delivery",
                                           quantity=Decimal("1"), unit_price=Decimal("8.00"))])
                for n, client_id in enumerate(client_ids, start=1)]
    db.session.add_all(invoices)
    db.session.commit()
    return [i.id for i in invoices]


def sandbox_call(sandbox_url: str, method: str, path: str, body: Any = None) -> Any:
    """The sandbox's control API (``/_sandbox/...``)."""
    answer = httpx.request(method, sandbox_url + path, json=body, timeout=30.0)
    answer.raise_for_status()
    return answer.json()
