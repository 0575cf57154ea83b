"""A browser in Auckland signs up: its workspace reads times in Auckland's zone."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def page(browser, stack) -> Iterator[Any]:
    """The suite's page, in a browser whose clock is set to New Zealand."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=stack.web_url,
                                  timezone_id="Pacific/Auckland")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_sign_up_takes_the_browsers_time_zone(page, person):
    person.sign_up()

    person.open("Settings")
    person.expect(page.get_by_label("Time zone")).to_have_value("Pacific/Auckland")
