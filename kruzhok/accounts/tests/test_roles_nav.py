"""The header shows each role's way in, and nothing to people without the role."""

import pytest

from kruzhok.accounts.tests.conftest import client_for

pytestmark = pytest.mark.django_db

LINKS = {"/moderation/": "editor", "/department/": "department", "/manage/": "provider_x"}


@pytest.mark.parametrize("persona", ["anonymous", "citizen_a", "provider_x", "department", "editor"])
def test_header_links_follow_roles(persona, world):
    page = client_for(persona, world).get("/").content.decode()
    header = page.split("</header>", 1)[0]
    for href, owner in LINKS.items():
        shown = f'href="{href}"' in header
        expected = persona == owner or (href == "/manage/" and persona == "editor")
        assert shown == expected, (persona, href)
