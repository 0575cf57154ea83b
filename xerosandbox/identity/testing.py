"""Drive the consent page without a browser, for tests here and in the app.

Works with a Flask test client of the sandbox (``sandbox_app.test_client()``): GET the
authorize URL, read the form's hidden fields, POST the decision, read the redirect.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from ..orgs import DEMO_TENANT_ID

CALLBACK = "http://localhost:5000/xero/callback"
SCOPES = "openid profile email offline_access accounting.contacts accounting.settings accounting.invoices"


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_path(**overrides: str | None) -> str:
    params: dict[str, Any] = {"response_type": "code", "client_id": "sandbox-app",
                              "redirect_uri": CALLBACK, "scope": SCOPES, "state": "st4te",
                              "nonce": "n0nce"}
    params.update(overrides)
    return "/identity/connect/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def submit(client, page_html: str, *, action: str = "allow", tenants: list[str] | None = None,
           email: str = "demo@xero.example", password: str = "demo"):
    """POST the consent form shown in ``page_html``; returns the response (not followed)."""
    form: dict[str, Any] = {**hidden_fields(page_html), "action": action, "email": email,
                            "password": password,
                            "tenant": tenants if tenants is not None else [DEMO_TENANT_ID]}
    return client.post("/identity/connect/authorize", data=form)


def consent(client, **overrides: str | None):
    """Open the authorize page and allow it as shown (Demo Company): the redirect response."""
    page = client.get(authorize_path(**overrides))
    assert page.status_code == 200, page.data
    return submit(client, page.get_data(as_text=True))


def redirect_params(response) -> dict[str, str]:
    """The query parameters of a redirect's Location, single-valued."""
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return {k: v[0] for k, v in query.items()}
