"""Sign up (which creates a workspace), log in, log out."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from xeroapp import login_sessions
from xeroapp.access import is_safe_next, public
from xeroapp.auth import bp
from xeroapp.auth.forms import LoginForm, SignupForm
from xeroapp.extensions import db
from xeroapp.models.workspace import find_user_by_email
from xeroapp.timezones import known_zone_or_default
from xeroapp.workspaces import create_workspace

LOGIN_FAILED = "Email or password is incorrect."


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup():
    """Create a workspace and its first user, then log them in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignupForm()
    if form.validate_on_submit():
        user = create_workspace(
            workspace_name=form.workspace_name.data.strip(),
            user_name=form.name.data.strip(),
            email=form.email.data,
            password=form.password.data,
            currency=current_app.config["DEFAULT_CURRENCY"],
            time_zone=known_zone_or_default(form.time_zone.data),
        )
        db.session.commit()
        login_sessions.log_in(user)
        flash(f"Welcome, {user.name}! Your workspace is ready.", "success")
        return redirect(url_for("dashboard.index"))
    return render_template("auth/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    next_path = request.args.get("next")
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is not None and user.check_password(form.password.data):
            login_sessions.log_in(user)
            return redirect(next_path if is_safe_next(next_path) else url_for("dashboard.index"))
        # One message for an unknown email and a wrong password: no account enumeration.
        flash(LOGIN_FAILED, "error")
    return render_template("auth/login.html", form=form, next_path=next_path)


@bp.route("/logout", methods=["POST"])
def logout():
    """POST only (with CSRF): a link or an image tag elsewhere cannot log the user out."""
    login_sessions.log_out()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
