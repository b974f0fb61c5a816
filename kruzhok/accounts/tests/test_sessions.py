"""Sessions: a new key at sign-in (no session fixation), flushed at sign-out, and every other
browser signed out when the password changes or is reset. Two clients play two browsers.

Changing the password keeps the browser it was changed in (Django's update_session_auth_hash,
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False): the person just proved they know the old password.
Every other session stored the old password's hash and is refused on its next request. A reset
by the mailed link signs in nowhere and leaves no session signed in. Changing the e-mail address
keeps the sessions: it is confirmed from the new mailbox and announced to the old one."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client

from kruzhok.accounts.tests.conftest import links_in, path_of
from kruzhok.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Kruzhok-Pass-77"
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def _sign_in(client: Client, user) -> str:
    response = client.post("/account/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _signed_in(client: Client) -> bool:
    """Asks the site (a page that needs a signed-in user), not the test client's session copy."""
    return client.get("/account/").status_code == 200


def _browser_with(key: str) -> Client:
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = key
    return browser


def test_sign_in_gives_a_new_session_key_and_the_planted_one_is_worthless(client, citizen_a):
    # An attacker plants a session key of their own in the victim's browser…
    planted = SessionStore()
    planted["planted"] = True
    planted.save()
    assert planted.session_key is not None
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert not _signed_in(client)

    key = _sign_in(client, citizen_a)
    # …the victim signs in: the browser gets a new key, the planted one is deleted.
    assert key != planted.session_key
    assert not SessionStore().exists(planted.session_key)
    assert _signed_in(client)
    assert not _signed_in(_browser_with(planted.session_key))


def test_sign_out_flushes_the_session(client, citizen_a):
    key = _sign_in(client, citizen_a)
    assert client.post("/account/logout/").status_code == 302
    assert not SessionStore().exists(key)
    assert not _signed_in(client)
    assert not _signed_in(_browser_with(key))


def test_password_change_signs_out_every_other_browser_and_keeps_this_one(citizen_a, citizen_b):
    here, elsewhere, someone_else = Client(), Client(), Client()
    _sign_in(here, citizen_a)
    _sign_in(elsewhere, citizen_a)
    _sign_in(someone_else, citizen_b)
    assert _signed_in(here) and _signed_in(elsewhere)

    changed = here.post(
        "/account/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert "_auth_user_id" not in elsewhere.session  # the stale session was flushed, not kept
    assert _signed_in(someone_else)  # another account's sessions are untouched


def test_password_reset_signs_out_every_browser(client, citizen_a, mailoutbox):
    phone, laptop = Client(), Client()
    _sign_in(phone, citizen_a)
    _sign_in(laptop, citizen_a)

    client.post("/account/password/reset/", {"email": citizen_a.email})
    (link,) = [url for url in links_in(mailoutbox[-1].body) if "/password/reset/key/" in url]
    form_page = client.get(path_of(link), follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == 302

    assert not _signed_in(phone) and not _signed_in(laptop)
    assert not _signed_in(client)  # the reset itself signs in nowhere
    assert (
        client.post("/account/login/", {"login": citizen_a.email, "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_a_session_from_before_the_change_cannot_be_replayed(citizen_a):
    """The old cookie copied away before the change (a stolen one) is refused too."""
    here, stolen = Client(), Client()
    stolen_key = _sign_in(stolen, citizen_a)
    _sign_in(here, citizen_a)
    here.post(
        "/account/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert not _signed_in(_browser_with(stolen_key))
