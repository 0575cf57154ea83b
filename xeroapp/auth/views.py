"""Sign up (which creates a workspace), log in, log out."""
from __future__ import annotations

from flask import (Response, current_app, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from xeroapp import login_sessions
from xeroapp.access import is_safe_next, public
from xeroapp.auth import bp, throttle
from xeroapp.auth.forms import LoginForm, SignupForm
from xeroapp.auth.passwords import authenticate
from xeroapp.extensions import db
from xeroapp.models import User
from xeroapp.models.workspace import find_user_by_email
from xeroapp.timezones import known_zone_or_default
from xeroapp.workspaces import create_workspace

LOGIN_FAILED = "Email or password is incorrect."
# Without sending mail, a sign-up that logs the new user straight in cannot hide that an
# address is taken: whoever tries sees an account created or not. So the answer does not say
# that an account exists, a refused sign-up counts against the per-address sign-up limit like
# a created one (probing addresses costs what signing up costs), and the message suits a
# typo as well as a second sign-up. Once the app sends mail, the proper answer to every
# sign-up is "check your inbox", with a "you already have an account" mail to a taken address.
EMAIL_UNAVAILABLE = ("We could not create a workspace with this email address. If you already "
                     "have an account, log in instead; otherwise check the address or use another.")


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup():
    """Create a workspace and its first user, then log them in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignupForm()
    if form.validate_on_submit():
        wait = throttle.signup_attempt(request.remote_addr)
        if wait:
            return too_many_attempts("auth/signup.html", wait, form=form)
        user = create_account(form)
        if user is not None:
            login_sessions.log_in(user)
            flash(f"Welcome, {user.name}! Your workspace is ready.", "success")
            return redirect(url_for("dashboard.index"))
        form.email.errors.append(EMAIL_UNAVAILABLE)
    return render_template("auth/signup.html", form=form), 422 if form.errors else 200


def create_account(form: SignupForm) -> User | None:
    """The new workspace's first user (committed), or None when the email is taken, also
    by a sign-up that committed a moment before this one."""
    if find_user_by_email(form.email.data) is not None:
        return None
    try:
        user = create_workspace(
            workspace_name=form.workspace_name.data.strip(),
            user_name=form.name.data.strip(),
            email=form.email.data,
            password=form.password.data,
            currency=current_app.config["DEFAULT_CURRENCY"],
            time_zone=known_zone_or_default(form.time_zone.data),
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    next_path = request.args.get("next")
    if form.validate_on_submit():
        # Counted before the password is checked; while locked out even the right one is refused.
        wait = throttle.login_attempt(form.email.data, request.remote_addr)
        if wait:
            return too_many_attempts("auth/login.html", wait, form=form, next_path=next_path)
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            throttle.login_succeeded(form.email.data, request.remote_addr)
            login_sessions.log_in(user)
            return redirect(next_path if is_safe_next(next_path) else url_for("dashboard.index"))
        # One message for an unknown email and a wrong password: no account enumeration.
        flash(LOGIN_FAILED, "error")
    return render_template("auth/login.html", form=form, next_path=next_path)


def too_many_attempts(template: str, wait: int, **context) -> Response:
    """The form again, as typed except its passwords (never sent back), with a 429."""
    flash(throttle.wait_message(wait), "error")
    response = make_response(render_template(template, **context), 429)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    """POST only (with CSRF): a link or an image tag elsewhere cannot log the user out."""
    login_sessions.log_out()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
