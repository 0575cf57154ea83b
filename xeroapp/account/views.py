"""Account: change the password, log out everywhere."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from xeroapp import login_sessions
from xeroapp.account import bp
from xeroapp.account.forms import PasswordChangeForm
from xeroapp.auth import throttle
from xeroapp.auth.views import too_many_attempts
from xeroapp.extensions import db


@bp.route("/", methods=["GET", "POST"])
def index():
    form = PasswordChangeForm()
    if not form.is_submitted():
        return render_template("account/index.html", form=form)
    # The current password is guessed here as at login (a session left open on a shared
    # computer): the same per-account and per-address limits count these attempts.
    wait = throttle.login_attempt(current_user.email, request.remote_addr)
    if wait:
        return too_many_attempts("account/index.html", wait, form=form)
    valid = form.validate()
    if form.current_password.data and not form.current_password.errors:
        throttle.login_succeeded(current_user.email, request.remote_addr)
    if valid:
        user = current_user._get_current_object()
        user.set_password(form.password.data)
        db.session.commit()
        # Whoever else knew the old password, or holds a copy of a session, is logged out.
        login_sessions.renew(user)
        flash("Password changed. You were logged out everywhere else.", "success")
        return redirect(url_for("account.index"))
    return render_template("account/index.html", form=form), 422 if form.errors else 200


@bp.post("/logout-everywhere")
def logout_everywhere():
    """End every login of this user: other browsers and devices, and this one."""
    login_sessions.log_out_everywhere(current_user._get_current_object())
    flash("You have been logged out everywhere.", "info")
    return redirect(url_for("auth.login"))
