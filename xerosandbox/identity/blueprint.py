"""The identity blueprint: login/identity hosts' paths plus ``/connections`` (api host)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("identity", __name__)
