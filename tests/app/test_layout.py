"""The base layout, vendored htmx, error pages and the page-or-fragment helper."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask

from xeroapp.rendering import render_page_or_partial

STATIC = Path(__file__).resolve().parents[2] / "static"
NAV = ["Clients", "Invoices", "Suppliers", "Products", "Purchase orders", "Settings"]


def test_base_layout_has_htmx_stylesheet_and_navigation(client, auth):
    auth.signup()
    body = client.get("/").get_data(as_text=True)

    assert '<script src="/static/vendor/htmx.min.js"' in body
    assert 'href="/static/app.css"' in body
    assert "cdn" not in body.lower() and "unpkg" not in body.lower()
    nav = re.search(r'<nav class="mainnav".*?</nav>', body, re.S).group(0)
    assert re.findall(r">([^<]+)</a>", nav) == NAV
    assert 'action="/auth/logout"' in body


def test_current_area_is_marked_in_the_navigation(client, auth):
    auth.signup()
    body = client.get("/invoices/").get_data(as_text=True)
    assert '<a href="/invoices/" class="active" aria-current="page">Invoices</a>' in body


def test_static_files_are_served_without_login(client):
    for path in ("/static/app.css", "/static/vendor/htmx.min.js", "/static/app.js"):
        with client.get(path) as response:
            assert response.status_code == 200, path


def test_vendored_htmx_is_the_pinned_release():
    readme = (STATIC / "vendor" / "README.md").read_text()
    recorded = re.search(r"\| 2\.0\.11 \| ([0-9a-f]{64}) \|", readme).group(1)
    actual = hashlib.sha256((STATIC / "vendor" / "htmx.min.js").read_bytes()).hexdigest()
    assert actual == recorded
    assert b'version:"2.0.11"' in (STATIC / "vendor" / "htmx.min.js").read_bytes()


def test_htmx_errors_go_to_the_flash_area(client):
    """base.html's htmx-config puts 4xx/5xx fragments into #flash-messages."""
    body = client.get("/auth/login").get_data(as_text=True)
    assert '"target": "#flash-messages"' in body
    assert 'id="flash-messages"' in body
    assert '<dialog id="modal"' in body


def test_405_is_a_friendly_page(client):
    response = client.delete("/auth/login")
    assert response.status_code == 405
    assert b"That action is not available here." in response.data


@pytest.fixture
def fragment_app(app: Flask) -> Flask:
    app.jinja_loader.searchpath.append(str(Path(__file__).parent / "templates"))

    @app.get("/_probe")
    def probe():
        return render_page_or_partial("probe_page.html", "probe_partial.html", word="hello")

    return app


def test_render_page_or_partial_full_page_and_fragment(fragment_app, client, auth):
    auth.signup()

    page = client.get("/_probe")
    fragment = client.get("/_probe", headers={"HX-Request": "true"})
    boosted = client.get("/_probe", headers={"HX-Request": "true", "HX-Boosted": "true"})

    assert b"<html" in page.data and b"<p>hello</p>" in page.data
    assert fragment.data.strip() == b"<p>hello</p>"
    assert b"<html" in boosted.data
    for response in (page, fragment, boosted):
        assert "HX-Request" in response.headers["Vary"]


def test_unexpected_error_is_a_friendly_500(app, client, auth):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/_boom")
    def boom():
        raise RuntimeError("kaboom")

    auth.signup()
    response = client.get("/_boom")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data
    assert b"kaboom" not in response.data and b"Traceback" not in response.data


def test_other_http_errors_use_the_same_friendly_page(app, client):
    from flask import abort

    from xeroapp.access import public

    @app.get("/_gone")
    @public
    def gone():
        abort(410)

    response = client.get("/_gone")
    assert response.status_code == 410
    assert b"<h1>Gone</h1>" in response.data and b'class="mainnav' in response.data
