"""One way to start Debian's chromium for every browser test.

Each test module's `browser` fixture asks for its data first and then for `chromium`, so the
browser opens after the test data exists and closes before the flush: Playwright runs an event
loop in this thread while it is open, and Django then looks up a different connection object,
one without the serialized migration data that serialized_rollback restores. Keeping database
setup and teardown outside that window keeps the taxonomy rows in place for later tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright import sync_api  # noqa: E402  (after the environment flag above)

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def chromium() -> Iterator[sync_api.Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make browser)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        # The ORM calls a test made while the browser was open used connections that only this
        # window sees; left open, PostgreSQL refuses to drop the test database at the end.
        connections.close_all()
        browser.close()
