"""Account pages in English carry no Russian interface text (the same check as the catalog's)."""

from __future__ import annotations

import pytest

from kruzhok.accounts.tests import factories
from kruzhok.core.tests.test_i18n import _untranslated_words

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/account/login/",
    "/account/signup/",
    "/account/password/reset/",
    "/account/password/reset/done/",
    "/account/confirm-email/",
    "/account/confirm-email/not-a-real-key/",
    "/account/password/reset/key/1-not-a-key/",
]
SIGNED_IN = ["/account/", "/account/delete/", "/account/password/change/", "/account/email/", "/account/2fa/"]


@pytest.fixture
def english_user(client):
    user = factories.user("jane@example.org", display_name="Jane", language="en")
    client.force_login(user)
    return user


def test_public_account_pages_in_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for path in PUBLIC:
        response = client.get(path, follow=True)
        html = response.content.decode()
        assert '<html lang="en">' in html, path
        assert _untranslated_words(html) == set(), path


def test_signed_in_account_pages_in_english(client, english_user):
    for path in SIGNED_IN:
        response = client.get(path)
        assert response.status_code == 200, path
        assert _untranslated_words(response.content.decode()) == set(), path


def test_english_form_errors(client, english_user):
    response = client.post("/account/", {"display_name": "<b>Jane</b>", "language": "en"})
    assert "A name cannot contain the characters" in response.content.decode()
