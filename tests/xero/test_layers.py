"""xeroapp/xero talks to Xero and knows nothing of pushes: it flags a lost connection and
announces it; the push engine (xeroapp/sync) listens and parks the pushes."""
from __future__ import annotations

import ast
from pathlib import Path

import xeroapp
from xeroapp.xero.tokens import connection_lost

XERO_PACKAGE = Path(xeroapp.__file__).parent / "xero"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_module_of_xero_imports_the_push_engine():
    offenders = {path.name: sorted(name for name in imported_modules(path)
                                   if name.startswith("xeroapp.sync"))
                 for path in XERO_PACKAGE.glob("*.py")}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_push_engine_listens_for_a_lost_connection(app):
    from xeroapp.sync import reconnect

    assert reconnect._park_the_workspace in connection_lost.receivers_for(object())
