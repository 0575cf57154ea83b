"""Business data is not left behind in a shared browser: nothing answered to a logged-in user
is stored by the browser's cache, and htmx keeps no copies of pages in sessionStorage."""
from __future__ import annotations

import json
import re

import pytest


def htmx_config(page: str) -> dict:
    content = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page).group(1)
    return json.loads(content)


@pytest.mark.parametrize("url, headers", [
    ("/", {}),
    ("/clients/", {}),
    ("/clients/", {"HX-Request": "true"}),  # an htmx fragment
    ("/settings/", {}),
    ("/no-such-page", {}),
])
def test_nothing_answered_to_a_logged_in_user_is_stored(client, auth, url, headers):
    auth.signup()
    response = client.get(url, headers=headers)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_redirect_after_saving_is_not_stored_either(client, auth):
    auth.signup()
    response = client.post("/clients/new", data={"name": "Bayside Café"})
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_stay_cacheable_for_a_logged_in_user(client, auth):
    auth.signup()
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_htmx_keeps_no_history_cache_and_back_reloads_from_the_server(client, auth):
    login_page = client.get("/auth/login").get_data(as_text=True)
    auth.signup()
    dashboard = client.get("/").get_data(as_text=True)
    for page in (login_page, dashboard):
        config = htmx_config(page)
        assert config["historyCacheSize"] == 0
        assert config["refreshOnHistoryMiss"] is True
        assert config["responseHandling"]  # the existing settings are still there
