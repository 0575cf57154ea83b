"""Account: change the password, log out everywhere."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from xeroapp import login_sessions
from xeroapp.account import bp
from xeroapp.account.forms import PasswordChangeForm
from xeroapp.extensions import db


@bp.route("/", methods=["GET", "POST"])
def index():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.set_password(form.password.data)
        db.session.commit()
        # Whoever else knew the old password, or holds a copy of a session, is logged out.
        login_sessions.renew(user)
        flash("Password changed. You were logged out everywhere else.", "success")
        return redirect(url_for("account.index"))
    return render_template("account/index.html", form=form)


@bp.post("/logout-everywhere")
def logout_everywhere():
    """End every login of this user: other browsers and devices, and this one."""
    login_sessions.log_out_everywhere(current_user._get_current_object())
    flash("You have been logged out everywhere.", "info")
    return redirect(url_for("auth.login"))
