"""No input answers 5xx, and a request naming a hostile id changes nothing.

The walk covers every route of the URL map, each of its methods, as Ada of workspace A
(logged in with a valid CSRF token, connected to the sandbox: Connect's OAuth metadata is
read over HTTP, the API in-process) and as an anonymous visitor. Hostile values are huge,
negative and zero numbers, Unicode digits, NUL, 4,301 digits (past ``int()``'s limit) and
10,000 characters:

1. in place of every path variable: 404, and no stored row changes;
2. in every query argument each page reads (recorded while the walk runs, so an argument a
   library reads counts too): no 5xx, and no stored row changes (a GET never writes);
3. in every id-like field and row number of every form, the rest of the form exactly as the
   page rendered it (those forms saved as rendered first, so they would save): no 5xx and
   no stored row changes;
4. in every POST route, on a spare set of records: all fields hostile at once; each id-like
   field alone; NUL or 10,000 characters in each other field alone (so that they reach the
   database): no 5xx (these may create or change records: hostile *text* is still text);
5. anonymously, in every path variable, and in every query argument and form field of the
   pages a visitor reaches: no 5xx, and no stored row changes.

``/healthz/workers`` answers 503 while no worker runs (none does here): that is its answer,
not counted as a 5xx. The figures (requests tried, 5xx seen) are printed (``-s``) and written
to ``fuzz-figures.json`` in pytest's base temp folder, for the README.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from flask import Request, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from tests.xero.xero_support import (DEMO_TENANT_ID, live_sandbox,  # noqa: F401
                                     live_sandbox_server, point_app_at, read_lists,
                                     store_connection)
from xeroapp.extensions import db

HOSTILE = (
    str(2**63),             # one past the largest BIGINT
    str(2**64),
    "9223372036854775807",  # the largest BIGINT: 19 digits, longer than any id
    "-1",
    "0",
    "²",                    # str.isdigit() says yes, int() says no
    "١٢",                   # Arabic-Indic 12: int() reads it; an id must not
    "\x00",                 # PostgreSQL refuses it in text
    "9" * 4301,             # past int()'s 4,300-digit limit
    "x" * 10_000,
)
# What a text field must survive with the rest of its form valid (so that it is stored).
TEXT_HOSTILE = ("\x00", "x" * 10_000)
HTMX = {"HX-Request": "true"}
# Ends the session the walk runs in: walked anonymously only.
LOGGED_IN_SKIP = {"auth.logout"}
LOGOUT = "/auth/logout"
WORKERS_HEALTH = "/healthz/workers"
ID_FIELD = re.compile(r"(?:^|[-_])id$")
ROW_FIELD = re.compile(r"^(\w+)-\d+-(\w+)$")
RECORD_ID = re.compile(r"/\d+(?=/|$)")


# ---- what the app reads: every query argument and form field, per endpoint ------------------

class ReadLog(ImmutableMultiDict):
    """Request parameters that note which names the endpoint asked for."""

    reads: defaultdict[tuple[str, str], set[str]] = defaultdict(set)

    def __init__(self, mapping, kind: str) -> None:
        super().__init__(mapping)
        self.kind = kind

    def _note(self, key: str) -> None:
        self.reads[(request.endpoint or "", self.kind)].add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self._note(key)
        return super().getlist(key, type)

    def __contains__(self, key) -> bool:
        self._note(key)
        return super().__contains__(key)


class RecordingRequest(Request):
    @cached_property
    def args(self):
        return ReadLog(super().args, "args")

    @cached_property
    def form(self):
        return ReadLog(super().form, "form")


def reads(endpoint: str, kind: str) -> list[str]:
    return sorted(ReadLog.reads.get((endpoint, kind), ()))


class FormReader(HTMLParser):
    """The POST forms of a page, with the fields a browser would send as the page stands."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: list[str] | None = None
        self._select: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            method = a.get("method") or ("post" if "hx-post" in a else "get")
            self._form = {"action": a.get("action") or a.get("hx-post") or "",
                          "method": method.lower(), "fields": [], "targets": set()}
            self.forms.append(self._form)
        elif self._form is not None:
            self._field(tag, a)

    def _field(self, tag: str, a: dict[str, str]) -> None:
        if "hx-post" in a:
            self._form["targets"].add(a["hx-post"])
        name = a.get("name")
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            if "selected" in a:
                self._select["chosen"] = value
            if self._select["first"] is None:
                self._select["first"] = value
        elif not name:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["fields"].append([name, a.get("value", "")])
        elif tag == "textarea":
            self._textarea = [name, ""]
            self._form["fields"].append(self._textarea)
        elif tag == "select":
            self._select = {"name": name, "chosen": None, "first": None}

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            if not self._textarea[1]:  # browsers drop the newline that opens a textarea
                data = data.removeprefix("\n") if not data.startswith("\r\n") else data[2:]
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = self._select["chosen"] or self._select["first"] or ""
            self._form["fields"].append([self._select["name"], chosen])
            self._select = None


@dataclass
class Form:
    page: str
    action: str
    fields: list[tuple[str, str]]
    targets: set[str] = field(default_factory=set)

    def data(self, **replace: str) -> dict[str, str]:
        return {**dict(self.fields), **replace}

    def names(self) -> list[str]:
        return [name for name, _ in self.fields if name != "csrf_token"]

    def id_fields(self) -> list[str]:
        return [name for name in self.names() if ID_FIELD.search(name)]

    def row_fields(self) -> set[tuple[str, str]]:
        return {m.groups() for name in self.names() if (m := ROW_FIELD.match(name))}

    def filled(self) -> int:
        return sum(1 for _, value in self.fields if value)


def read_forms(page: str, body: str) -> list[Form]:
    reader = FormReader()
    reader.feed(body)
    forms = [Form(page, urlsplit(raw["action"] or page).path, [tuple(f) for f in raw["fields"]],
                  raw["targets"])
             for raw in reader.forms if raw["method"] == "post"]
    return [form for form in forms if form.action != LOGOUT]


# ---- what is stored -------------------------------------------------------------------------

def stored(app) -> dict[str, tuple[int, str]]:
    """(row count, digest of every row) of every table."""
    with app.app_context():
        snapshot = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            snapshot[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        db.session.remove()
        return snapshot


# ---- the walk -------------------------------------------------------------------------------

@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    failures: list[str] = field(default_factory=list)

    def send(self, client, method: str, url: str, expect: set[int] | None = None, **kwargs):
        self.requests += 1
        try:
            response = client.open(url, method=method, **kwargs)
        except Exception as exc:  # TESTING propagates what would be a 500 page
            self.server_errors += 1
            self._fail(method, url, kwargs, f"{type(exc).__name__}: {str(exc)[:160]}")
            return None
        response.get_data()  # read, then closed: a static file's answer holds the file open
        response.close()
        status = response.status_code
        if status == 503 and url == WORKERS_HEALTH:
            return response
        if status >= 500:
            self.server_errors += 1
        if status >= 500 or (expect is not None and status not in expect):
            self._fail(method, url, kwargs, str(status))
        return response

    def _fail(self, method: str, url: str, kwargs: dict, answer: str) -> None:
        sent = {key: {k[:40]: repr(v[:20]) for k, v in (kwargs.get(key) or {}).items()}
                for key in ("query_string", "data") if kwargs.get(key)}
        self.failures.append(f"{method} {url[:100]} {sent} -> {answer}")

    def unchanged(self, phase: str, before: dict, after: dict) -> None:
        changed = sorted(name for name in before if before[name] != after[name])
        if changed:
            self.failures.append(f"{phase}: stored rows changed in {changed}")


URL_VARIABLE = re.compile(r"<(?:[^:<>]+:)?(\w+)>")


def variables(rule) -> list[str]:
    return URL_VARIABLE.findall(rule.rule)


def path_for(rule, values: dict[str, str]) -> str:
    return URL_VARIABLE.sub(lambda m: quote(values[m.group(1)], safe=""), rule.rule)


def walked_rules(app, skip: set[str]) -> list[tuple[Any, str]]:
    """(rule, method) pairs; deleting and disconnecting last, as they take records away."""
    pairs = [(rule, method) for rule in app.url_map.iter_rules() if rule.endpoint not in skip
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(pairs, key=lambda p: (any(w in p[0].endpoint for w in ("delete", "disconnect")),
                                        p[0].rule, p[1]))


@pytest.fixture
def world(app, client, auth, live_sandbox, records):
    """Ada's workspace A connected to the sandbox with a record of every kind, twice (the
    spare set is for step 4, which may delete), and workspace B with its own."""
    # Connect fetches the OAuth metadata over HTTP (Authlib); API calls stay in-process.
    point_app_at(app, live_sandbox.url)
    app.config["XERO_HTTP_TRANSPORT"] = httpx.WSGITransport(app=live_sandbox.app)
    app.request_class = RecordingRequest
    ReadLog.reads.clear()
    assert auth.signup().status_code == 302
    mine = records.workspace_id_of(auth.default.email)
    token_set = live_sandbox.app.test_client().post(
        "/_sandbox/tokens", json={"tenants": [DEMO_TENANT_ID]}).get_json()
    store_connection(app, mine, token_set)
    read_lists(app, live_sandbox.app, mine)

    def record_set(workspace_id: int, tag: str) -> dict[str, str]:
        client_id = records.client(workspace_id, name=f"Client {tag}")
        supplier_id = records.supplier(workspace_id, name=f"Supplier {tag}")
        return {
            "client_id": str(client_id), "supplier_id": str(supplier_id),
            "product_id": str(records.product(workspace_id, sku=f"SKU-{tag}", name=f"Product {tag}")),
            "invoice_id": str(records.invoice(workspace_id, number=f"INV-{tag}", client_id=client_id,
                                              due_date=date(2026, 11, 15))),
            "purchase_order_id": str(records.purchase_order(workspace_id, number=f"PO-{tag}",
                                                            supplier_id=supplier_id)),
            "push_id": "1", "filename": "app.js",
        }

    record_set(records.workspace(), "B")
    return {"main": record_set(mine, "A1"), "spare": record_set(mine, "A2")}


def test_no_input_answers_5xx_and_hostile_ids_change_nothing(app, client, world, tmp_path_factory):
    started = time.perf_counter()
    tally = Tally()
    rules = walked_rules(app, LOGGED_IN_SKIP)
    pages = [(rule, path_for(rule, world["main"])) for rule, method in rules if method == "GET"]
    assert rules and all(set(variables(rule)) <= set(world["main"]) for rule, _ in rules), \
        "give the walk an id for every URL variable"

    # The document forms, saved once as rendered: they must save (else step 3 proves
    # nothing), and what is stored is then exactly what they show.
    for form in line_forms(visit(tally, client, pages)):
        status = client.post(form.action, data=form.data()).status_code
        if status != 302:
            tally.failures.append(f"{form.page}'s form as rendered was not saved: {status}")
    forms = visit(tally, client, pages)
    assert len(line_forms(forms)) >= 3

    before = stored(app)
    hostile_path_ids(tally, client, rules)
    tally.unchanged("1. hostile path ids", before, stored(app))
    hostile_query_args(tally, client, pages)
    tally.unchanged("2. hostile query arguments", before, stored(app))
    hostile_form_ids(tally, client, forms)
    tally.unchanged("3. hostile ids in forms", before, stored(app))
    hostile_fields(tally, client, rules, forms, world)
    before = stored(app)
    anonymous(tally, app.test_client())
    tally.unchanged("5. anonymous", before, stored(app))

    with app.app_context():
        database = db.engine.dialect.name
    figures = {"database": database, "requests": tally.requests,
               "server_errors": tally.server_errors,
               "seconds": round(time.perf_counter() - started, 1)}
    print(f"\nfuzz: {json.dumps(figures)}")
    (tmp_path_factory.getbasetemp() / "fuzz-figures.json").write_text(json.dumps(figures))
    assert not tally.failures, f"{len(tally.failures)} bad answers:\n" + "\n".join(tally.failures[:80])


def visit(tally: Tally, client, pages) -> list[Form]:
    """Every page once, as it is; the forms on them, the fullest one per action."""
    fullest: dict[str, Form] = {}
    for _, page in pages:
        response = tally.send(client, "GET", page)
        for form in read_forms(page, response.get_data(as_text=True)) if response else []:
            if form.action not in fullest or form.filled() > fullest[form.action].filled():
                fullest[form.action] = form
    return list(fullest.values())


def line_forms(forms: list[Form]) -> list[Form]:
    """The document forms that show a complete document (an invoice or order with lines)."""
    return [form for form in forms if dict(form.fields).get("lines-0-description", "").strip()]


def hostile_path_ids(tally: Tally, client, rules) -> None:
    for n, (rule, method) in enumerate(r for r in rules if variables(r[0])):
        for value in HOSTILE:
            url = path_for(rule, {name: value for name in variables(rule)})
            tally.send(client, method, url, expect={404}, headers=HTMX if n % 2 else None,
                       data={"client_id": value} if method == "POST" else None)


def hostile_query_args(tally: Tally, client, pages) -> None:
    for rule, page in pages:
        for name in reads(rule.endpoint, "args"):
            for n, value in enumerate(HOSTILE):
                tally.send(client, "GET", page, query_string={name: value},
                           headers=None if n == 0 else HTMX)


def hostile_form_ids(tally: Tally, client, forms: list[Form]) -> None:
    for form in forms:
        for name in form.id_fields():
            for value in HOSTILE:
                tally.send(client, "POST", form.action, data=form.data(**{name: value}))
        for prefix, row_field in form.row_fields():
            for value in HOSTILE:
                if value != "0":  # row 0 is a real row
                    tally.send(client, "POST", form.action,
                               data=form.data(**{f"{prefix}-{value}-{row_field}": "Hostile row"}))


def hostile_fields(tally: Tally, client, rules, forms: list[Form], world) -> None:
    """Step 4, on the spare records: every POST route with all its fields hostile at once;
    its id-like fields one at a time; and NUL or 10,000 characters in each other field with
    the rest as rendered (so that they reach the database). Fragments (HX-Request) are
    asked for: they are what htmx posts."""
    template: dict[str, Form] = {}
    for form in sorted(forms, key=Form.filled, reverse=True):
        for target in (form.action, *form.targets):
            template.setdefault(RECORD_ID.sub("/<id>", urlsplit(target).path), form)
    for rule, method in rules:
        if method != "POST":
            continue
        url = path_for(rule, world["spare"])
        form = template.get(RECORD_ID.sub("/<id>", path_for(rule, world["main"])))
        base = form.data() if form else {}
        tally.send(client, "POST", url, data=base, headers=HTMX)  # notes what it reads
        names = [name for name in dict.fromkeys([*(form.names() if form else []),
                                                 *reads(rule.endpoint, "form")])
                 if name != "csrf_token"]

        def post(**fields: str) -> None:
            tally.send(client, "POST", url, data={**base, **fields}, headers=HTMX)

        for value in HOSTILE:
            post(**{name: value for name in names})
        for name in names:
            for value in HOSTILE if ID_FIELD.search(name) else TEXT_HOSTILE:
                post(**{name: value})
        if "op" in names:
            for value in HOSTILE:
                post(op=f"remove-{value}")
                post(op=f"product-{value}")


def anonymous(tally: Tally, client) -> None:
    """Step 5: hostile path ids everywhere; hostile arguments and fields on the pages and
    forms a visitor reaches without logging in."""
    rules = walked_rules(client.application, set())
    for rule, method in rules:
        if variables(rule):
            for value in HOSTILE:
                tally.send(client, method, path_for(rule, {name: value for name in variables(rule)}),
                           expect={404})
    forms: list[Form] = []
    for rule, method in rules:
        if method != "GET" or variables(rule):
            continue
        response = tally.send(client, "GET", rule.rule)
        if response is None or response.headers.get("Location", "").startswith("/auth/login"):
            continue  # not public: the login redirect comes first, whatever is asked
        forms += read_forms(rule.rule, response.get_data(as_text=True))
        for name in reads(rule.endpoint, "args"):
            for value in HOSTILE:
                tally.send(client, "GET", rule.rule, query_string={name: value})
    for form in forms:
        for name in form.names():
            for value in HOSTILE:
                tally.send(client, "POST", form.action, data=form.data(**{name: value}))
