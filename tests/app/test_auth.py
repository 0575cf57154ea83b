"""Sign-up, log-in and log-out through the real forms."""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Product, User, Workspace


def test_signup_creates_workspace_user_and_logs_in(app, client, auth):
    response = auth.signup()

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.email == "ada@example.com"
        assert user.workspace.name == "Acme Ltd"
        assert user.workspace.default_currency == "NZD"
        assert user.password_hash != "correct horse" and user.check_password("correct horse")
    home = client.get("/")
    assert home.status_code == 200
    assert b"Acme Ltd" in home.data and b"Welcome, Ada Lovelace!" in home.data


def test_signup_adds_unpublished_shipping_product(app, auth):
    auth.signup()
    with app.app_context():
        product = db.session.scalar(sa.select(Product))
        assert (product.name, product.published) == ("Shipping and Handling", False)


def test_signup_email_is_unique_case_insensitively(app, client, auth):
    auth.signup()
    auth.logout()

    response = auth.signup(email="ADA@Example.COM", workspace_name="Second Ltd")

    assert response.status_code == 422
    assert b"We could not create a workspace with this email address." in response.data
    assert b"already exists" not in response.data  # never confirms that the account exists
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Workspace.id))) == 1


def test_signup_racing_another_for_the_same_email_gets_the_same_answer(app, auth, monkeypatch):
    auth.signup()
    auth.logout()
    # As if the other sign-up committed between this one's check and its insert.
    monkeypatch.setattr("xeroapp.auth.views.find_user_by_email", lambda email: None)

    response = auth.signup(workspace_name="Second Ltd")

    assert response.status_code == 422
    assert b"We could not create a workspace with this email address." in response.data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Workspace.id))) == 1


def test_signup_validation_messages(app, auth):
    response = auth.signup(workspace_name="", email="not-an-email", password="short", confirm="other")

    assert response.status_code == 422
    for message in (b"Enter the name of your business.", b"Enter a valid email address",
                    b"Use at least 8 characters.", b"The two passwords do not match."):
        assert message in response.data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_login_with_correct_password(client, auth):
    auth.signup()
    auth.logout()

    response = auth.login(email="Ada@Example.com")

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_wrong_password_and_unknown_email_get_the_same_message(client, auth):
    auth.signup()
    auth.logout()

    wrong_password = auth.login(password="wrong password")
    unknown_email = auth.login(email="nobody@example.com")

    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert b"Email or password is incorrect." in response.data
    assert client.get("/").status_code == 302


def test_login_returns_to_a_local_next_path(client, auth):
    auth.signup()
    auth.logout()
    response = client.post("/auth/login?next=/invoices/?page=2",
                           data={"email": "ada@example.com", "password": "correct horse"})
    assert response.headers["Location"] == "/invoices/?page=2"


def test_login_ignores_an_external_next(client, auth):
    auth.signup()
    auth.logout()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post("/auth/login", query_string={"next": target},
                               data={"email": "ada@example.com", "password": "correct horse"})
        assert response.headers["Location"] == "/", target
        auth.logout()


def test_logout_is_post_only(client, auth):
    auth.signup()

    assert client.get("/auth/logout").status_code == 405
    assert client.get("/").status_code == 200  # still logged in

    response = auth.logout()
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert client.get("/").status_code == 302


def test_logged_in_user_is_sent_from_login_and_signup_to_home(client, auth):
    auth.signup()
    assert client.get("/auth/login").headers["Location"] == "/"
    assert client.get("/auth/signup").headers["Location"] == "/"
