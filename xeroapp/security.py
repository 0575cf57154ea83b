"""HTTP hardening: security headers on every response, and HTTPS behind a proxy in production.

The headers are sent in development too, so a page that would break under the policy breaks on
a developer's machine first. What only makes sense over HTTPS (secure cookies, HSTS, trusting
X-Forwarded-Proto) is switched on by XEROAPP_ENV=production (xeroapp/config.py).
"""
from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from xeroapp.config import is_production

# The one inline code the policy allows, by its hash rather than by 'unsafe-inline': htmx 2
# adds this <style> to <head> on every page (its request-indicator rule). Templates carry no
# inline scripts or handlers (behaviour lives in static/app.js).
HTMX_INDICATOR_STYLE = (
    ".htmx-indicator{opacity:0;visibility: hidden} "
    ".htmx-request .htmx-indicator, .htmx-request.htmx-indicator"
    "{opacity:1;visibility: visible;transition: opacity 200ms ease-in}"
)

HSTS = "max-age=31536000"  # one year; no includeSubDomains: other hosts of the domain may be http


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy(xero_login_url: str) -> str:
    """Only our own origin, except the one form submission that redirects to Xero's login.

    Chromium applies form-action to the redirect after a POST too, and "Connect to Xero" posts
    to us and is redirected to XERO_LOGIN_URL, so that origin is listed.
    """
    login = urlsplit(xero_login_url)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": f"'self' {csp_hash(HTMX_INDICATOR_STYLE)}",
        "img-src": "'self' data:",  # base.html's empty favicon is a data: URL
        "connect-src": "'self'",
        "form-action": f"'self' {login.scheme}://{login.netloc}",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def init_app(app: Flask) -> None:
    if is_production(app):
        _cookies_over_https_only(app)
    proxies = trusted_proxies(app)
    if proxies:
        # Without this, url_for(_external=True) would build http:// OAuth redirect URIs behind
        # a TLS-terminating proxy, and request.remote_addr would be the proxy's. Only the last
        # `proxies` hops are believed: a client cannot spoof its way past them.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies,
            x_prefix=proxies,
        )
    headers = security_headers(app)
    app.after_request(lambda response: _add_headers(response, headers))
    app.after_request(_keep_private_pages_out_of_caches)


def security_headers(app: Flask) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(app.config["XERO_LOGIN_URL"]),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
        # Not "no-referrer": Flask-WTF checks the Referer of HTTPS form posts against our host.
        "Referrer-Policy": "same-origin",
    }
    if is_production(app):
        headers["Strict-Transport-Security"] = HSTS
    return headers


def trusted_proxies(app: Flask) -> int:
    """TRUSTED_PROXIES, else 1 in production (one load balancer or nginx) and 0 in development."""
    configured = app.config["TRUSTED_PROXIES"]
    if configured is None:
        return 1 if is_production(app) else 0
    return int(configured)


def _cookies_over_https_only(app: Flask) -> None:
    app.config.update(
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SECURE=True,
        PREFERRED_URL_SCHEME="https",
    )


def _add_headers(response: Response, headers: dict[str, str]) -> Response:
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response


def _keep_private_pages_out_of_caches(response: Response) -> Response:
    """Nothing a logged-in user is answered (pages, htmx fragments, redirects) is kept by the
    browser or a proxy: on a shared computer, Back after logging out must not show business
    data from the disk cache. Static files stay cacheable: they hold nothing private."""
    if request.endpoint != "static" and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response
