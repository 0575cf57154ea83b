"""The OAuth error a callback link carries is never shown: anyone can send a person a link
to our callback with any text in ``error`` and ``error_description``. Each known code gets
its own fixed sentence, an unknown one a general sentence."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from xeroapp.integrations import oauth_errors

HOSTILE_CODE = '<img src=x onerror=alert(1)>CODEWORD'
HOSTILE_DESCRIPTION = ("<script>alert('x')</script> Your account is locked. Call 0800 SCAMMER "
                       "now to unlock it. " + "padding " * 500)
MARKERS = ("CODEWORD", "SCAMMER", "alert(", "onerror", "padding padding")


@pytest.fixture
def logged_in(client, auth):
    auth.signup()
    client.get("/")  # shows (and so clears) the welcome message


def callback(client, **params: str):
    """Open the callback link; the flashed messages and the page they end on."""
    response = client.get(f"/settings/integrations/callback?{urlencode(params)}")
    with client.session_transaction() as session:
        flashed = list(session.get("_flashes", []))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return response, flashed, page


def assert_nothing_echoed(flashed, page) -> None:
    shown = " ".join(text for _, text in flashed) + page
    for marker in MARKERS:
        assert marker not in shown


@pytest.mark.parametrize("error", [HOSTILE_CODE, "server_error", "access_denied"])
def test_the_link_text_is_never_shown(client, logged_in, error):
    response, flashed, page = callback(client, error=error,
                                       error_description=HOSTILE_DESCRIPTION, state="whatever")
    assert response.status_code == 302
    assert len(flashed) == 1
    assert_nothing_echoed(flashed, page)


def test_an_unknown_code_gets_the_general_message(client, logged_in):
    _, flashed, page = callback(client, error=HOSTILE_CODE, error_description=HOSTILE_DESCRIPTION)
    assert flashed == [("error", "Xero did not complete the connection, so nothing was stored. "
                                 "Please try again.")]
    assert "Xero did not complete the connection, so nothing was stored." in page


@pytest.mark.parametrize("code, words", [
    ("access_denied", "You cancelled at Xero, so nothing was connected or changed."),
    ("temporarily_unavailable", "Please try again in a few minutes."),
    ("invalid_scope", "Xero did not grant the access this app asks for"),
    ("unauthorized_client", "Xero did not accept this app's sign-in request"),
])
def test_known_codes_get_their_own_plain_message(client, logged_in, code, words):
    _, flashed, page = callback(client, error=code, error_description=HOSTILE_DESCRIPTION)
    [(_, text)] = flashed
    assert words in text
    assert text == oauth_errors.MESSAGES[code].text


def test_only_known_codes_reach_the_log(client, logged_in, caplog):
    caplog.set_level("INFO", logger="xeroapp.integrations.views")
    callback(client, error=HOSTILE_CODE, error_description=HOSTILE_DESCRIPTION)
    assert "CODEWORD" not in caplog.text and "SCAMMER" not in caplog.text
