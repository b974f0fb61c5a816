"""TOTP: offered to everyone, required before editors and admins reach any staff page."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from django.http import HttpResponse
from django.test import RequestFactory

from kruzhok.accounts import permissions
from kruzhok.accounts.tests import factories
from kruzhok.accounts.tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db


def _sign_in(client, email):
    response = client.post("/account/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def _enrol(client) -> str:
    page = client.get("/account/2fa/totp/activate/")
    # Adding a second factor asks for the password again, however recent the sign-in.
    assert page.status_code == 302 and page["Location"].startswith("/account/reauthenticate/")
    assert "введите пароль ещё раз" in client.get(page["Location"]).content.decode()
    again = client.post(page["Location"], {"password": PASSWORD})
    assert again.status_code == 302 and again["Location"] == "/account/2fa/totp/activate/"
    page = client.get("/account/2fa/totp/activate/")
    assert page.status_code == 200
    secret = re.search(r'id="authenticator_secret" value="([A-Z2-7=]+)"', page.content.decode()).group(1)
    response = client.post("/account/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:3000]
    return secret


def test_editor_is_sent_to_enrol_totp_before_the_admin_and_gets_in_after(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    editor = factories.user("ed@example.org", is_editor=True, is_staff=True)
    editor.user_permissions.set([])
    _sign_in(client, "ed@example.org")

    blocked = client.get("/admin/")
    assert blocked.status_code == 302 and blocked["Location"] == "/account/2fa/totp/activate/"
    page = client.get(blocked["Location"], follow=True).content.decode()
    assert "Для страниц редакторов нужна двухфакторная защита" in page

    with django_capture_on_commit_callbacks(execute=True):  # the notice goes out after commit
        _enrol(client)
    assert Authenticator.objects.filter(user=editor, type="totp").exists()
    assert mailoutbox[-1].subject == "Двухфакторная защита включена"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_does_not_enrol(client):
    editor = factories.user("ed3@example.org", is_editor=True)
    _sign_in(client, editor.email)
    client.post(client.get("/account/2fa/totp/activate/")["Location"], {"password": PASSWORD})
    page = client.get("/account/2fa/totp/activate/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, an image the CSP allows
    wrong = client.post("/account/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200 and "Неверный код." in wrong.content.decode()
    assert not Authenticator.objects.filter(user=editor).exists()
    assert permissions.mfa_missing(editor)


def test_superuser_deep_admin_links_are_blocked_too(client):
    admin = factories.user("root@example.org", is_staff=True, is_superuser=True)
    _sign_in(client, admin.email)
    for path in ("/admin/", "/admin/catalog/activity/", "/admin/accounts/user/add/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/account/2fa/totp/activate/", path


def test_after_enrolment_sign_in_asks_for_the_code(client):
    editor = factories.user("ed2@example.org", is_editor=True)
    secret = factories.enrol_totp(editor)
    response = _sign_in(client, editor.email)
    assert response["Location"] == "/account/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    wrong = client.post("/account/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == 200 and "Неверный код." in wrong.content.decode()
    # A code from the previous 30-second window is still accepted (clock drift on phones).
    done = client.post("/account/2fa/authenticate/", {"code": totp_code(secret, time.time() - 30)})
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(editor.pk)


def test_citizen_may_enrol_totp_but_is_never_forced(client, citizen_a):
    _sign_in(client, citizen_a.email)
    assert client.get("/account/").status_code == 200
    assert client.get("/account/2fa/").status_code == 200
    _enrol(client)
    assert permissions.has_totp(citizen_a)


def test_citizen_signed_in_gets_403_from_the_admin_not_a_redirect_loop(client, citizen_a):
    _sign_in(client, citizen_a.email)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1


def test_visitor_is_sent_to_the_site_sign_in_for_the_admin(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/login/?next=%2Fadmin%2F"
    assert response.status_code == 200


def _editor_view(request):
    return HttpResponse("moderation queue")


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [("anonymous", "login"), ("citizen", 403), ("editor_no_totp", "enrol"), ("editor", 200), ("admin", 200)],
)
def test_editor_required_decorator(persona, outcome, rf: RequestFactory):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.core.exceptions import PermissionDenied

    users = {
        "anonymous": AnonymousUser(),
        "citizen": factories.user(),
        "editor_no_totp": factories.user(is_editor=True),
        "editor": factories.user(is_editor=True),
        "admin": factories.user(is_superuser=True, is_staff=True),
    }
    for name in ("editor", "admin"):
        factories.enrol_totp(users[name])
    request = rf.get("/moderation/?tab=new")
    request.user = users[persona]
    request.session = {}
    request._messages = FallbackStorage(request)
    view = permissions.editor_required(_editor_view)
    if outcome == 403:
        with pytest.raises(PermissionDenied):
            view(request)
        return
    response = view(request)
    if outcome == "login":
        assert response.status_code == 302 and response["Location"].startswith("/account/login/?next=")
    elif outcome == "enrol":
        assert response.status_code == 302 and response["Location"] == "/account/2fa/totp/activate/"
    else:
        assert response.status_code == 200 and response.content == b"moderation queue"
