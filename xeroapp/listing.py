"""Workspace-scoped list queries with paging, shared by the list pages."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from xeroapp.extensions import db
from xeroapp.ids import page_arg

PER_PAGE = 50


def workspace_select(model: type[Any]) -> sa.Select:
    """SELECT the current workspace's rows of ``model``: the only way list pages query."""
    return sa.select(model).where(model.workspace_id == current_user.workspace_id)


def where_contains(query: sa.Select, columns: Iterable[Any], text: str) -> sa.Select:
    """Narrow ``query`` to rows where any of ``columns`` contains ``text``, ignoring case.

    A list's search box: ``%`` and ``_`` are escaped, so "100%" finds "100%" and not every
    "100"; blank text leaves the list whole.
    """
    text = text.strip()
    if not text:
        return query
    return query.where(sa.or_(*(column.icontains(text, autoescape=True) for column in columns)))


def paginate(query: sa.Select) -> Pagination:
    return db.paginate(query, page=page_arg(), per_page=PER_PAGE, error_out=False)


def count_for_workspace(model: type[Any]) -> int:
    query = sa.select(sa.func.count()).select_from(model).where(
        model.workspace_id == current_user.workspace_id
    )
    return db.session.scalar(query) or 0
