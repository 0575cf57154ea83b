"""Security headers everywhere; HTTPS-only cookies, HSTS and ProxyFix in production; production
refuses to start without its secrets; and the Content-Security-Policy does not break htmx."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, request

from tests.browser_support import CHROMIUM, serve
from xeroapp.access import public
from xeroapp.config import load_config
from xeroapp.security import HTMX_INDICATOR_STYLE, csp_hash

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ("SECRET_KEY", "TOKEN_ENCRYPTION_KEY")


@pytest.fixture
def production_app(make_app, database_url, redis_url) -> Flask:
    return make_app(DATABASE_URL=database_url, REDIS_URL=redis_url, XEROAPP_ENV="production")


def add_url_probe(app: Flask) -> None:
    """A public page that shows the URL and client address the app believes it was called at."""
    app.add_url_rule("/_probe", "probe", public(lambda: f"{request.url} {request.remote_addr}"))


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


# ---- headers -------------------------------------------------------------------------------

def test_every_page_carries_the_security_headers(client):
    response = client.get("/auth/login")

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


def test_error_pages_and_json_carry_them_too(client):
    for url in ("/no-such-page", "/healthz"):
        assert client.get(url).headers["X-Frame-Options"] == "DENY", url


def test_the_policy_lets_the_connect_form_redirect_to_xero_login(make_app, database_url,
                                                                 redis_url):
    app = make_app(DATABASE_URL=database_url, REDIS_URL=redis_url,
                   XERO_LOGIN_URL="http://127.0.0.1:5055/")
    policy = csp(app.test_client().get("/auth/login"))
    assert policy["form-action"] == "'self' http://127.0.0.1:5055"


def test_development_stays_on_plain_http(client):
    response = client.get("/auth/login")

    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]


# ---- production ----------------------------------------------------------------------------

def test_production_cookies_are_secure_and_hsts_is_sent(production_app):
    response = production_app.test_client().get("/auth/login")

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    session_cookie = response.headers["Set-Cookie"]
    assert session_cookie.startswith("session=") and "; Secure" in session_cookie
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True


def test_production_believes_the_scheme_and_client_of_one_proxy(production_app):
    add_url_probe(production_app)
    response = production_app.test_client().get("/_probe", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example.com",
        "X-Forwarded-For": "198.51.100.7, 203.0.113.9",
    })
    # Only the last hop is the proxy's word; the first address could be made up by the client.
    assert response.get_data(as_text=True) == "https://app.example.com/_probe 203.0.113.9"


def test_development_ignores_forwarded_headers(app, client):
    add_url_probe(app)
    response = client.get("/_probe", headers={"X-Forwarded-Proto": "https",
                                              "X-Forwarded-For": "198.51.100.7"})
    assert response.get_data(as_text=True) == "http://localhost/_probe 127.0.0.1"


def test_trusted_proxies_counts_hops(make_app, database_url, redis_url):
    app = make_app(DATABASE_URL=database_url, REDIS_URL=redis_url,
                   XEROAPP_ENV="production", TRUSTED_PROXIES=2)
    add_url_probe(app)
    response = app.test_client().get("/_probe", headers={
        "X-Forwarded-Proto": "https,https", "X-Forwarded-For": "198.51.100.7, 203.0.113.9",
    })
    assert response.get_data(as_text=True).endswith(" 198.51.100.7")


@pytest.fixture
def bare_env(monkeypatch, tmp_path) -> Flask:
    for name in (*SECRETS, "XEROAPP_ENV", "TRUSTED_PROXIES", "HEALTH_MAX_QUEUE_WAIT"):
        monkeypatch.delenv(name, raising=False)
    return Flask("probe", instance_path=str(tmp_path / "instance"))


@pytest.mark.parametrize("missing", [SECRETS, ("SECRET_KEY",), ("TOKEN_ENCRYPTION_KEY",)])
def test_production_refuses_to_start_without_its_secrets(bare_env, monkeypatch, missing):
    monkeypatch.setenv("XEROAPP_ENV", "production")
    for name in set(SECRETS) - set(missing):
        monkeypatch.setenv(name, "set-in-the-environment")

    with pytest.raises(RuntimeError, match=" and ".join(missing)):
        load_config(bare_env, None)
    assert not Path(bare_env.instance_path, "secret_key").exists()


def test_production_starts_with_its_secrets_from_the_environment(bare_env, monkeypatch):
    monkeypatch.setenv("XEROAPP_ENV", "production")
    for name in SECRETS:
        monkeypatch.setenv(name, f"{name.lower()}-value")

    load_config(bare_env, None)

    assert bare_env.config["SECRET_KEY"] == "secret_key-value"


def test_development_still_generates_missing_secrets(bare_env):
    load_config(bare_env, None)
    assert bare_env.config["XEROAPP_ENV"] == "development"
    generated = Path(bare_env.instance_path, "secret_key").read_text().strip()
    assert generated == bare_env.config["SECRET_KEY"]


def test_an_unknown_environment_name_is_refused(bare_env, monkeypatch):
    monkeypatch.setenv("XEROAPP_ENV", "prod")
    with pytest.raises(RuntimeError, match="XEROAPP_ENV='prod'"):
        load_config(bare_env, None)


def test_numeric_settings_are_read_from_the_environment(bare_env, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    monkeypatch.setenv("HEALTH_MAX_QUEUE_WAIT", "120")
    load_config(bare_env, None)
    config = bare_env.config
    assert (config["TRUSTED_PROXIES"], config["HEALTH_MAX_QUEUE_WAIT"]) == (2, 120)

    monkeypatch.setenv("TRUSTED_PROXIES", "one")
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES='one'"):
        load_config(bare_env, None)


# ---- the policy against our own front end --------------------------------------------------

def test_the_allowed_style_is_the_one_the_vendored_htmx_inserts():
    htmx = (ROOT / "static/vendor/htmx.min.js").read_text()
    as_in_htmx = (HTMX_INDICATOR_STYLE.replace("htmx-indicator", "${t}")
                  .replace("htmx-request", "${n}"))
    first, second = as_in_htmx.split(" .${n}", 1)
    assert f"`{first} `+`.${{n}}{second}`" in htmx
    assert 'indicatorClass:"htmx-indicator",requestClass:"htmx-request"' in htmx


def test_templates_have_no_inline_code_the_policy_does_not_allow():
    handlers, blocks = [], []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        handlers += re.findall(r'\son[a-z]+="([^"]*)"', text)
        inline = re.findall(r"<script(?![^>]*\bsrc=)|<style|\sstyle=", text)
        blocks += [template.name] * len(inline)
    assert handlers == []
    assert blocks == []




@pytest.fixture
def served(app):
    yield from serve(app)


@pytest.mark.e2e
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")
def test_htmx_pages_work_under_the_policy_in_chromium(served):
    sync_api = pytest.importorskip("playwright.sync_api")
    problems: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        # Everything the browser reports as an error, except the 404 status of the error page
        # this test opens on purpose.
        page.on("console", lambda message: problems.append(message.text)
                if message.type == "error" and "status of 404" not in message.text else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
        )

        page.goto(served + "/auth/signup")
        page.fill("input[name=workspace_name]", "Acme Ltd")
        page.fill("input[name=name]", "Ada Lovelace")
        page.fill("input[name=email]", "ada@example.com")
        page.fill("input[name=password]", "correct horse")
        page.fill("input[name=confirm]", "correct horse")
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/auth/signup" not in url)

        page.goto(served + "/invoices/new")
        rows = page.locator("#invoice-lines tbody tr")
        before = rows.count()
        page.get_by_role("button", name="+ Add line").click()  # hx-post with the CSRF header
        # A locator assertion, not wait_for_function: that one compiles its predicate with
        # eval in the page, which this very policy forbids (it failed when it had to poll).
        sync_api.expect(rows).to_have_count(before + 1)
        indicator_style_applied = page.evaluate(
            "[...document.styleSheets].some(s => !s.href && "
            "[...s.cssRules].some(r => r.selectorText === '.htmx-indicator'))"
        )

        page.goto(served + "/no-such-page")
        page.get_by_role("button", name="Go back").click()  # app.js, no inline handler
        page.wait_for_url(served + "/invoices/new", timeout=10_000)
        browser.close()

    assert indicator_style_applied
    assert problems == []
