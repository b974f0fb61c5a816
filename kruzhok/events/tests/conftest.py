"""The provider-area personas (kruzhok/catalog/tests/personas.py) for the event pages."""

import pytest  # noqa: E402

from kruzhok.catalog.tests.personas import *  # noqa: F403


@pytest.fixture(autouse=True)
def _site_url(settings):
    # Calendars take their UIDs and links from SITE_URL; the tests read them as the test client's.
    settings.SITE_URL = "http://testserver"
