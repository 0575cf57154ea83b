"""Settings > Integrations: connect, pick an organisation, confirm a switch, disconnect.

Every failure a user can meet ends on the Integrations page with a message in plain words:
cancelled at Xero, a tampered or replayed callback or one for another person (refused, nothing
stored), Xero unreachable. Nothing here prints a token or puts one in the browser session.
"""
from __future__ import annotations

import logging

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from joserfc.errors import JoseError
from wtforms import SelectChoice

from xeroapp.extensions import db
from xeroapp.integrations import attempts, bp, connect_reads, connecting, oauth_errors, pending
from xeroapp.integrations.forms import ChooseOrganisationForm
from xeroapp.xero.errors import TransportError, Unavailable, XeroError
from xeroapp.xero.oauth import xero_oauth
from xeroapp.xero.tokens import token_health

log = logging.getLogger(__name__)

UNREACHABLE = ("We could not reach Xero just now, so nothing was changed. "
               "Please try again in a few minutes.")
STARTED_BY_ANOTHER = ("That reply from Xero is for a connection started by someone else, or "
                      "before you last logged in, so it was refused and nothing was connected. "
                      "Start again with Connect to Xero.")


def _page(template: str, **context):
    # These pages live under Settings: highlight it in the main navigation.
    return render_template(template, active_area="settings", **context)


def _to_index():
    return redirect(url_for("integrations.index"))


@bp.get("/")
def index():
    connection = connecting.connection_of(current_user.workspace_id)
    health = token_health(connection) if connection else None
    return _page("integrations/index.html", connection=connection, health=health)


@bp.post("/connect")
def connect():
    pending.discard()
    try:
        return attempts.redirect_to_xero(url_for("integrations.callback", _external=True))
    except requests.RequestException:
        log.warning("Xero discovery unreachable", exc_info=True)
        flash(UNREACHABLE, "error")
        return _to_index()


@bp.get("/callback")
def callback():
    if attempts.started_by_another(request.args.get("state")):
        flash(STARTED_BY_ANOTHER, "error")
        return _to_index()
    if request.args.get("error") == "access_denied":
        flash(*oauth_errors.CANCELLED)
        return _to_index()
    try:
        token = xero_oauth().authorize_access_token()
    except MismatchingStateError:
        flash("That reply from Xero does not match a connection started here, or it was already "
              "used. Nothing was stored. Start again with Connect to Xero.", "error")
        return _to_index()
    except OAuthError as exc:  # its error and description are whatever the link carried
        log.info("Xero sign-in ended in OAuth error %s", oauth_errors.loggable_code(exc.error))
        flash(*oauth_errors.message_for(exc.error))
        return _to_index()
    except JoseError:
        flash("Xero's sign-in reply could not be verified, so it was refused. Nothing was stored.",
              "error")
        return _to_index()
    except (requests.RequestException, TransportError, Unavailable):
        log.warning("Xero unreachable during the callback", exc_info=True)
        flash(UNREACHABLE, "error")
        return _to_index()
    return _list_granted(pending.PendingAuthorisation(
        token={k: v for k, v in token.items() if k != "userinfo"}, connections=[],
        user_id=current_user.id, workspace_id=current_user.workspace_id))


def _list_granted(authorisation: pending.PendingAuthorisation):
    """Ask Xero which organisations the authorisation granted, then save or offer a choice.
    Xero turning the listing away for now (429, 5xx, timeout) loses nothing: the token set
    waits, encrypted, for the person to press Finish connecting (``resume``)."""
    reads = connect_reads.ConnectReads()
    try:
        granted = reads.run("connections", lambda: connecting.granted_connections(
            authorisation.token, authorisation.workspace_id))
    except (connecting.ConnectFailed, XeroError) as exc:
        pending.discard()
        flash(str(exc), "error")
        return _to_index()
    if granted is None:
        pending.save(authorisation)
        flash(connect_reads.listing_turned_away(reads.stopped), "warning")
        return redirect(url_for("integrations.resume"))
    authorisation.connections = granted.connections
    authorisation.extra = {"certain": granted.certain}
    if len(granted.connections) > 1:
        pending.save(authorisation)
        return redirect(url_for("integrations.choose"))
    return _finish(authorisation, granted.connections[0]["tenantId"])


@bp.route("/resume", methods=["GET", "POST"])
def resume():
    """Finish a connect whose list of organisations Xero did not give at the callback."""
    authorisation = _pending_or_expired()
    if authorisation is None:
        return _to_index()
    if request.method == "POST":
        return _list_granted(authorisation)
    return _page("integrations/resume.html")


def _finish(authorisation: pending.PendingAuthorisation, tenant_id: str):
    """Save the choice, unless it replaces another organisation: that needs a confirmation."""
    if connecting.is_switch(authorisation.workspace_id, tenant_id):
        authorisation.chosen_tenant_id = tenant_id
        pending.save(authorisation)
        return redirect(url_for("integrations.confirm"))
    return _save(authorisation, tenant_id)


def _save(authorisation: pending.PendingAuthorisation, tenant_id: str):
    """Store the connection; the organisation's details Xero would not give just now (a 429,
    a 5xx, a timeout) are read on the queue, and the person is told so (connect_reads)."""
    reads = connect_reads.ConnectReads()
    try:
        connection = connecting.save_connection(authorisation, tenant_id, current_user, reads)
    except (TransportError, Unavailable):
        flash(UNREACHABLE, "error")
        return _to_index()
    except connecting.ConnectFailed as exc:
        flash(str(exc), "error")
        return _to_index()
    finally:
        pending.discard()
    numbering = connect_reads.read_numbers(connection, reads)
    slowed = connect_reads.finish_later(connection, reads)
    flash(slowed or f"Connected to {connection.tenant_name}.", "success")
    if numbering is not None:
        flash(numbering[1], numbering[0])
    return _to_index()


def _pending_or_expired():
    authorisation = pending.load()
    if authorisation is None:
        flash("That connection attempt has expired. Start again with Connect to Xero.", "warning")
    return authorisation


@bp.route("/choose", methods=["GET", "POST"])
def choose():
    authorisation = _pending_or_expired()
    if authorisation is None:
        return _to_index()
    form = ChooseOrganisationForm()
    form.tenant.choices = [SelectChoice(c["tenantId"], c["tenantName"])
                          for c in authorisation.connections]
    if form.validate_on_submit():
        return _finish(authorisation, form.tenant.data)
    current = connecting.connection_of(current_user.workspace_id)
    return (_page("integrations/choose.html", form=form, current=current,
                  certain=authorisation.extra.get("certain", True)),
            422 if form.errors else 200)


@bp.route("/confirm", methods=["GET", "POST"])
def confirm():
    authorisation = _pending_or_expired()
    if authorisation is None:
        return _to_index()
    chosen = authorisation.connection_for(authorisation.chosen_tenant_id)
    if chosen is None:
        abort(404)
    if request.method == "POST":
        if request.form.get("decision") != "switch":
            pending.discard()
            flash("Kept the current organisation. Nothing was changed.", "info")
            return _to_index()
        return _save(authorisation, chosen["tenantId"])
    current = connecting.connection_of(current_user.workspace_id)
    return _page("integrations/confirm.html", chosen=chosen, current=current)


@bp.route("/disconnect", methods=["GET", "POST"])
def disconnect():
    connection = connecting.connection_of(current_user.workspace_id)
    if connection is None:
        flash("Xero is not connected.", "info")
        return _to_index()
    if request.method == "GET":
        return _page("integrations/disconnect.html", connection=connection)
    try:
        name = connecting.disconnect(connection)
    except (TransportError, Unavailable):
        db.session.rollback()
        flash("We could not reach Xero, so the app is still connected. Please try again in a "
              "few minutes.", "error")
        return _to_index()
    flash(f"Disconnected from {name}. Records already sent stay linked; reconnect the same "
          "organisation to keep updating them.", "success")
    return _to_index()

