"""The "Xero needs reconnecting" banner shown on every page (base.html includes the partial).

A lost grant is found by a worker in the background, so the person who can fix it learns
about it wherever they are in the app, not only on the Integrations page.
"""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from xeroapp.extensions import db
from xeroapp.integrations import bp
from xeroapp.models.xero import XeroConnection


@bp.app_context_processor
def xero_banner_context() -> dict[str, Any]:
    return {"xero_needs_reconnect": _connection_needing_reconnect}


def _connection_needing_reconnect() -> XeroConnection | None:
    """Called from the template (lazily: pages that never render the banner pay nothing)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    if request.endpoint and request.endpoint.startswith("integrations.callback"):
        return None
    return db.session.scalar(
        db.select(XeroConnection).filter_by(workspace_id=current_user.workspace_id,
                                            needs_reconnect=True)
    )
