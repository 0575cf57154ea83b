"""Query strings over 2,048 characters get the web server's 404 page, as at Xero, before
authentication or rate limits (reported in github.com/XeroAPI/xero-node/issues/404,
github.com/XeroAPI/Xero-Java/issues/328 and github.com/XeroAPI/Xero-NetStandard/issues/471)."""
from __future__ import annotations

import uuid

import httpx
import pytest

from tests.sandbox.sandbox_helpers import auth_headers, minted_token
from xerosandbox.request_filtering import MAX_QUERY_LENGTH

CONTACTS = "/api.xro/2.0/Contacts"


def padded(length: int) -> str:
    """GET /Contacts with a where clause padded so that its query string, as sent, is
    ``length`` characters long."""
    query = "where=Name%3D%3D%22"
    return f"{CONTACTS}?{query}{'x' * (length - len(query) - 3)}%22"


@pytest.mark.parametrize("length, status", [(MAX_QUERY_LENGTH, 200), (MAX_QUERY_LENGTH + 1, 404)])
def test_a_query_string_over_2048_characters_is_refused_with_a_404(client, headers, length, status):
    url = padded(length)
    assert len(url.split("?", 1)[1]) == length
    response = client.raw.get(url, headers=headers)  # the refusal is IIS's page, not Xero's API
    assert response.status_code == status
    if status == 404:
        assert response.mimetype == "text/html"
        assert b"query string is too long" in response.data
        assert "X-MinLimit-Remaining" not in response.headers  # the API never saw it
    else:
        assert response.get_json()["Contacts"] == []


def test_the_refusal_comes_before_authentication(client):
    response = client.raw.get(padded(MAX_QUERY_LENGTH + 1))
    assert response.status_code == 404
    assert client.raw.get(padded(MAX_QUERY_LENGTH)).status_code == 401


def test_53_contact_ids_fail_and_52_work_as_at_xero(sandbox_app):
    """Through an HTTP client that encodes the query itself (commas become %2C)."""
    token = minted_token(sandbox_app.test_client())
    with httpx.Client(transport=httpx.WSGITransport(app=sandbox_app),
                      base_url="https://api.xero.com", headers=auth_headers(token)) as http:
        ids = [str(uuid.uuid4()) for _ in range(53)]
        assert http.get(CONTACTS, params={"IDs": ",".join(ids[:52])}).status_code == 200
        assert http.get(CONTACTS, params={"IDs": ",".join(ids)}).status_code == 404
