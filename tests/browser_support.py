"""A real browser (Debian's Chromium, through Playwright) on the app the in-process tests
build: ``served`` runs ``desk``'s app on a free port, ``page`` is a page on it logged in as
Ada. Test modules import these fixtures by name; they are skipped where no Chromium is
installed. ``screenshot`` writes to E2E_SCREENSHOTS when it names a folder."""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER = [pytest.mark.e2e, pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")]


def serve(app) -> Iterator[str]:
    """``app`` on 127.0.0.1 and a free port, in a thread, while the generator is open."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def served(desk) -> Iterator[str]:
    yield from serve(desk.app)


@pytest.fixture(name="page")
def desk_page(served) -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(10_000)
        page.goto(served + "/auth/login")
        page.fill("input[name=email]", "ada@example.com")
        page.fill("input[name=password]", "correct horse")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        yield page
        browser.close()


def screenshot(target: Any, name: str) -> None:
    """Save ``target`` (a page or a locator) as ``name``.png when E2E_SCREENSHOTS is set."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    options = {"full_page": True} if hasattr(target, "goto") else {}
    target.screenshot(path=str(Path(folder) / f"{name.removesuffix('.png')}.png"), **options)
