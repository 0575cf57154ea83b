"""Browser-suite fixtures: the real stack (session), Chromium (module), a fresh 1280x800 page
per test, and ``person``: a new workspace signed up, and connected, through the real pages.

Skips (never fails) where Playwright or Debian's Chromium is missing. Screenshots are written
only when E2E_SCREENSHOTS names a folder (``E2E_SCREENSHOTS=docs/screenshots``), so CI runs
leave the tree clean.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.e2e.stack import ROOT, Stack, start_stack
from xeroapp.auth.throttle import forget_everyone
from xerosandbox.orgs import DEMO_TENANT_ID

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

VIEWPORT = {"width": 1280, "height": 800}
# Classes htmx puts on elements while a request runs and while new content settles.
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def playwright_api() -> Any:
    """The Playwright API, or a skip that says what is missing (asked before the stack starts)."""
    api = pytest.importorskip("playwright.sync_api",
                              reason="Playwright is not installed (pip install -r requirements-dev.txt)")
    if CHROMIUM is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium)")
    return api


@pytest.fixture(scope="session")
def stack(playwright_api, tmp_path_factory, redis_url: str) -> Iterator[Stack]:
    started = start_stack(tmp_path_factory.mktemp("e2e"), redis_url)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def browser(playwright_api) -> Iterator[Any]:
    """Per module, not per session: Playwright's sync API allows one instance per thread, and
    tests/panel/test_panel_browser.py starts its own after this folder has run."""
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, stack: Stack) -> Iterator[Any]:
    # Every test signs up from 127.0.0.1 on the session's one web app and Redis: start each
    # with no sign-up or log-in counted, as the `app` fixture's emptied Redis does.
    with redis.Redis.from_url(stack.env["REDIS_URL"]) as connection:
        forget_everyone(connection)
    context = browser.new_context(viewport=VIEWPORT, base_url=stack.web_url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


class Sandbox:
    """The sandbox's control API (``/_sandbox/...``): what Xero holds, and injected faults."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _call(self, method: str, path: str, body: dict | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def held(self, kind: str, tenant_id: str = DEMO_TENANT_ID) -> list[dict[str, Any]]:
        plural = {"contacts": "Contacts", "invoices": "Invoices",
                  "purchaseorders": "PurchaseOrders", "items": "Items"}[kind]
        return self._call("GET", f"/_sandbox/objects/{tenant_id}/{kind}")[plural]

    def edit(self, kind: str, object_id: str, **fields: Any) -> None:
        """A change someone makes in Xero itself (top-level fields only)."""
        self._call("PATCH", f"/_sandbox/objects/{DEMO_TENANT_ID}/{kind}/{object_id}", fields)

    def faults(self, **settings: Any) -> None:
        self._call("POST", "/_sandbox/faults", settings)

    def deliver_webhooks_to(self, url: str, key: str) -> dict[str, Any]:
        """Register the app's webhook endpoint, as a developer does at Xero; the answer says
        whether Xero's Intent to Receive passed."""
        return self._call("POST", "/_sandbox/webhooks", {"url": url, "key": key})

    def act(self, kind: str, object_id: str, action: str, **body: Any) -> Any:
        """What a Xero user does to an object (approve, pay, void ...)."""
        return self._call("POST", f"/_sandbox/objects/{DEMO_TENANT_ID}/{kind}/{object_id}/{action}",
                          body)

    def add_item(self, code: str, name: str) -> None:
        """An Item someone else's app puts in Xero (through the API, with a token of its own)."""
        token = self._call("POST", "/_sandbox/tokens", {"tenants": [DEMO_TENANT_ID]})["access_token"]
        request = urllib.request.Request(
            self.url + "/api.xro/2.0/Items", method="PUT",
            data=json.dumps({"Items": [{"Code": code, "Name": name}]}).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     "Authorization": f"Bearer {token}", "xero-tenant-id": DEMO_TENANT_ID})
        with urllib.request.urlopen(request, timeout=10):
            pass

    def reset(self) -> None:
        self._call("POST", "/_sandbox/reset")

    def clear_faults(self) -> None:
        self._call("DELETE", "/_sandbox/faults")


def forget_calls_counted(redis_url: str) -> None:
    """The app's call budget in Redis (xeroapp/xero/budget.py): every test connects the same
    demo organisation, and ten tests in a row would otherwise reach its 60 calls a minute."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter("xero:budget:*"):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture
def sandbox(stack: Stack) -> Iterator[Sandbox]:
    control = Sandbox(stack.sandbox_url)
    control.reset()  # each test meets Xero as it is on first start: demo organisation, no data
    forget_calls_counted(stack.env["REDIS_URL"])  # and the app's count of calls to it with it
    yield control
    control.clear_faults()  # a fault a failed test left queued must not hit the next test


@pytest.fixture
def shot(page) -> Any:
    """``shot("clients-new")`` saves docs/screenshots/clients-new.png when E2E_SCREENSHOTS is set."""
    folder = os.environ.get("E2E_SCREENSHOTS")

    def take(name: str) -> None:
        if not folder:
            return
        target = Path(folder) if Path(folder).is_absolute() else ROOT / folder
        target.mkdir(parents=True, exist_ok=True)
        page.wait_for_load_state("networkidle")
        page.mouse.move(VIEWPORT["width"] - 1, VIEWPORT["height"] - 1)  # no hover styles in shots
        page.screenshot(path=str(target / f"{name}.png"))

    return take


def page_expect() -> Any:
    from playwright.sync_api import expect  # only reached once the playwright_api fixture passed

    return expect


def _nothing() -> None:
    pass


class Person:
    """Someone using the app in the browser: sign up, connect to Xero, fill in forms."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.expect = page_expect()
        # Each test signs up its own workspace; the stack's database lives for one session.
        n = next(_numbers)
        self.workspace = "Harbour Roasters"
        self.email = f"ada{n if n > 1 else ''}@harbour-roasters.example"

    def sign_up(self, before_submit: Callable[[], None] = _nothing) -> None:
        page = self.page
        page.goto("/auth/signup")
        page.get_by_label("Business name").fill(self.workspace)
        page.get_by_label("Your name").fill("Ada Lovelace")
        page.get_by_label("Email").fill(self.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Confirm password").fill(PASSWORD)
        before_submit()
        page.get_by_role("button", name="Create workspace").click()
        page.wait_for_url(lambda url: "/auth/" not in url)

    def settle(self) -> None:
        """Wait until htmx has no request in flight and has wired up what it last swapped in.

        A person cannot act in the few milliseconds between a swap and htmx processing the
        new elements; a script can, and its change would be lost (no request sent).
        """
        self.expect(self.page.locator(HTMX_BUSY)).to_have_count(0)

    def type_into(self, label: str, value: str) -> None:
        """Click into a field, then type, as a person does: leaving the previous field (its
        change) has been answered before the first keystroke here."""
        field = self.page.get_by_label(label, exact=True)
        field.click()
        self.settle()
        field.fill(value)

    def open(self, area: str) -> None:
        """A list page, from the top bar (``open("Clients")``)."""
        self.page.get_by_role("navigation").get_by_role("link", name=area, exact=True).click()
        self.page.get_by_role("heading", name=area, exact=True).wait_for()

    def go(self, area: str, button: str) -> None:
        """Top bar link, then the list page's button (``go("Clients", "New client")``)."""
        self.open(area)
        self.page.get_by_role("link", name=button, exact=True).click()
        # The form's htmx behaviours (live totals, line re-renders) attach once the page has
        # loaded; a person cannot type before that, a script can.
        self.page.wait_for_load_state("load")

    def open_integrations(self) -> None:
        """Settings (top bar) > the Xero integration's link, as a person would find it."""
        self.page.get_by_role("link", name="Settings", exact=True).click()
        self.page.wait_for_url("**/settings/")
        self.page.get_by_role("link", name=re.compile("Xero integration settings|Manage the Xero connection")).click()
        self.page.wait_for_url("**/settings/integrations/")

    def connect(self) -> None:
        """Connect to Xero, allow access on the sandbox's consent form, come back connected."""
        self.page.get_by_role("button", name="Connect to Xero").click()
        self.page.get_by_role("button", name="Allow access").click()
        self.page.wait_for_url("**/settings/integrations/**")

    # -- records, through their forms; ``before_submit`` lets a caller screenshot the form ----
    def new_client(self, name: str, email: str = "", before_submit: Callable[[], None] = _nothing) -> None:
        self.go("Clients", "New client")
        self.page.get_by_label("Name", exact=True).fill(name)
        self.page.get_by_label("Email").fill(email)
        before_submit()
        self.page.get_by_role("button", name="Add client").click()
        self.page.get_by_role("heading", name=name).wait_for()

    def new_supplier(self, name: str) -> None:
        self.go("Suppliers", "New supplier")
        self.page.get_by_label("Name", exact=True).fill(name)
        self.page.get_by_role("button", name=re.compile("supplier", re.I)).click()
        self.page.get_by_role("heading", name=name).wait_for()

    def new_product(self, sku: str, name: str, cost: str,
                    before_submit: Callable[[], None] = _nothing) -> None:
        self.go("Products", "New product")
        self.page.get_by_label("SKU").fill(sku)
        self.page.get_by_label("Name", exact=True).fill(name)
        self.page.get_by_label("Cost price").fill(cost)
        before_submit()
        self.page.get_by_role("button", name="Add product").click()
        self.page.get_by_role("heading", name=name).wait_for()

    def new_purchase_order(self, supplier: str, products: list[tuple[str, str]],
                           before_submit: Callable[[], None] = _nothing) -> None:
        """A PO with one line per (option label, quantity), Save to Xero ticked."""
        page = self.page
        self.go("Purchase orders", "New purchase order")
        page.get_by_label("Supplier").select_option(label=supplier)
        for n, (label, quantity) in enumerate(products, start=1):
            if n > 1:
                page.get_by_role("button", name="+ Add line").click()
                self.settle()
            page.get_by_label(f"Product, line {n}").select_option(label=label)
            # Choosing a product re-renders the lines (htmx) with its cost filled in.
            self.expect(page.get_by_label(f"Unit cost, line {n}")).not_to_have_value("")
            self.settle()
            page.get_by_label(f"Quantity, line {n}").fill(quantity)
            self.settle()
        page.get_by_label("Save to Xero").check()
        before_submit()
        page.get_by_role("button", name="Create purchase order").click()

    def log_out(self) -> None:
        self.page.locator("summary", has_text="Ada Lovelace").click()
        # exact: the menu also holds "Log out everywhere".
        self.page.get_by_role("button", name="Log out", exact=True).click()
        self.page.wait_for_url("**/auth/login**")

    def signed_up_and_connected(self) -> Person:
        self.sign_up()
        self.open_integrations()
        self.connect()
        return self


@pytest.fixture
def person(page) -> Person:
    return Person(page)


@pytest.fixture
def dialog(page, person, sandbox):
    """A purchase order for one product Xero lacks, saved with Save to Xero: its
    missing-products dialog, open."""
    person.signed_up_and_connected()
    person.new_supplier("Harbour Dairy")
    person.new_product("MILK-2L", "Milk 2 L", "3.80")
    person.new_purchase_order("Harbour Dairy", [("MILK-2L – Milk 2 L", "12")])
    opened = page.get_by_role("dialog")
    person.expect(opened).to_be_visible(timeout=20_000)
    return opened
