"""What every read back shares: the links an answer concerns, applying an answer to them,
and leaving the last calls of a minute to pushes."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from xeroapp.backsync import apply
from xeroapp.extensions import db
from xeroapp.models.xero import XeroLink
from xeroapp.workspaces import time_zone_of
from xeroapp.xero.client import XeroClient

# Calls of an organisation's minute (Xero allows 60) that a background read never takes: a
# person's Send still finds them. The budget has no priorities of its own.
RESERVED_FOR_PUSHES = 10
# How long a read put off for the reserve waits before it tries again (seconds).
RESERVE_WAIT_SECONDS = 15
# Ids per IN (...) of a links query.
_IN_CHUNK = 500


class PutOff(Exception):
    """A background read stopped to leave Xero's remaining calls to pushes, or because Xero
    (or our budget) said to wait; ``seconds``: when to try again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"read back put off for {seconds:.0f} s")
        self.seconds = seconds


def leave_room_for_pushes(client: XeroClient) -> None:
    """PutOff when a call now would take one of the calls kept for pushes this minute."""
    left = client.minute_left()
    if left is not None and left <= RESERVED_FOR_PUSHES:
        raise PutOff(RESERVE_WAIT_SECONDS)


def links_to(tenant_id: str, resource: str, xero_ids: Iterable[str],
             workspace_id: int | None = None) -> dict[str, list[XeroLink]]:
    """Links of ``tenant_id`` to these objects of ``resource``, by Xero id (one object may be
    linked in several workspaces connected to the same organisation, or to a client and a
    supplier both); ``workspace_id`` narrows to one workspace."""
    kinds = apply.RESOURCES[resource][1]
    ids = list(dict.fromkeys(xero_ids))
    found: dict[str, list[XeroLink]] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        query = sa.select(XeroLink).where(XeroLink.tenant_id == tenant_id,
                                          XeroLink.record_kind.in_(kinds),
                                          XeroLink.xero_id.in_(ids[start:start + _IN_CHUNK]))
        if workspace_id is not None:
            query = query.where(XeroLink.workspace_id == workspace_id)
        for link in db.session.scalars(query):
            found.setdefault(link.xero_id, []).append(link)
    return found


def apply_answer(resource: str, objects: list[dict[str, Any]],
                 links: dict[str, list[XeroLink]]) -> int:
    """Apply each object of Xero's answer to its links; the number of links moved on. Objects
    linked nowhere here are someone else's and are left alone. The caller commits."""
    zones: dict[int, str] = {}
    moved = 0
    for obj in objects:
        found = apply.seen(resource, obj)
        if found is None:
            continue
        for link in links.get(found.xero_id, []):
            zone = zones.get(link.workspace_id) or zones.setdefault(
                link.workspace_id, time_zone_of(link.workspace_id))
            moved += apply.apply(link, found, zone) is not None
    return moved
