"""The missing-products dialog by keyboard alone: focus starts inside it, Tab and
Shift+Tab cycle through its controls and never reach the page behind it, Escape closes it."""
from __future__ import annotations

import pytest
expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.e2e

SLOW = 20_000  # ms
IN_DIALOG = "document.activeElement !== null && document.activeElement.closest('dialog[open]') !== null"
# Chromium's native modal <dialog> would let Tab pass from its last control to the browser's
# own UI (seen from the page as <body> holding focus); static/app.js wraps it instead.
ON_PAGE_BEHIND = f"!({IN_DIALOG}) && document.activeElement !== document.body"
FOCUSED = "(document.activeElement.getAttribute('aria-label') || document.activeElement.textContent).trim()"


def press_and_record(page, keys: list[str]) -> list[str]:
    """Press each key; the focused control's name after each (``<body>`` when none)."""
    seen = []
    for key in keys:
        page.keyboard.press(key)
        assert not page.evaluate(ON_PAGE_BEHIND), f"{key} reached the page behind after {seen}"
        seen.append(page.evaluate(FOCUSED) if page.evaluate(IN_DIALOG) else "<body>")
    return seen


def test_dialog_by_keyboard_keeps_focus_and_closes_on_escape(page, dialog, sandbox):
    assert page.evaluate(IN_DIALOG), "focus should start inside the dialog"

    forward = press_and_record(page, ["Tab"] * 5)
    backward = press_and_record(page, ["Shift+Tab"] * 5)
    controls = {"Close", "Cancel", "Create in Xero and save"}
    assert controls <= set(forward) and controls <= set(backward)

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert not page.evaluate(IN_DIALOG)
    assert sandbox.held("items") == []
    expect(page.locator(".xero-panel")).to_contain_text("products missing")


def test_tab_wraps_from_the_last_control_to_the_first(page, dialog):
    assert "<body>" not in press_and_record(page, ["Tab"] * 4 + ["Shift+Tab"] * 4)
