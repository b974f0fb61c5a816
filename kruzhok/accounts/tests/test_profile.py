"""The profile page: name, language the site then speaks, roles; and account deletion."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from kruzhok.accounts.models import Membership, User
from kruzhok.accounts.tests import factories
from kruzhok.accounts.tests.factories import PASSWORD
from kruzhok.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_profile_needs_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"] == "/account/login/?next=/account/"


def test_header_shows_sign_in_and_sign_up_to_visitors_and_the_name_to_users(client, citizen_a):
    html = client.get("/").content.decode()
    assert ">Войти</a>" in html and ">Регистрация</a>" in html
    client.force_login(citizen_a)
    html = client.get("/").content.decode()
    assert 'href="/account/">Анна</a>' in html
    assert 'action="/account/logout/" method="post"' in html and ">Выйти</button>" in html
    assert ">Войти</a>" not in html


def test_profile_lists_every_role(client, provider_x, org_x, department_member):
    client.force_login(provider_x)
    html = client.get("/account/").content.decode()
    assert "Владелец организации" in html and org_x.name.replace("«", "«") in html
    client.force_login(department_member)
    html = client.get("/account/").content.decode()
    assert "Департамент образования" in html


def test_choosing_english_in_the_profile_switches_the_site_and_survives_sign_out(client, citizen_a):
    client.force_login(citizen_a)
    response = client.post("/account/", {"display_name": "Anna K.", "language": "en"})
    assert response.status_code == 302
    citizen_a.refresh_from_db()
    assert (citizen_a.display_name, citizen_a.language) == ("Anna K.", "en")
    page = client.get("/")
    assert '<html lang="en">' in page.content.decode()
    assert client.cookies["django_language"].value == "en"  # set with the saving response
    client.post("/account/logout/")
    assert '<html lang="en">' in client.get("/").content.decode()
    entry = AuditLog.objects.get(action="accounts.user.profile_changed")
    assert entry.data["changes"]["language"] == ["ru", "en"]


def test_saved_language_wins_over_another_browser_cookie(client, citizen_a):
    citizen_a.language = "en"
    citizen_a.save()
    client.cookies["django_language"] = "ru"
    client.force_login(citizen_a)
    assert '<html lang="en">' in client.get("/search/").content.decode()


def test_header_language_switch_updates_a_signed_in_users_profile(client, citizen_a):
    client.force_login(citizen_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    citizen_a.refresh_from_db()
    assert citizen_a.language == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("x" * 200, "Имя не длиннее 80 символов (сейчас 200)."),
        ('"><img src=x onerror=alert(1)>', "Имя не может содержать символы"),
    ],
)
def test_profile_refuses_hostile_names_in_russian_and_keeps_the_old_one(client, citizen_a, name, error):
    client.force_login(citizen_a)
    response = client.post("/account/", {"display_name": name, "language": "ru"})
    html = response.content.decode()
    assert response.status_code == 400 and error in html
    assert "<img src=x" not in html
    assert 'aria-current="page">Анна</a>' in html  # the header still shows the saved name
    citizen_a.refresh_from_db()
    assert citizen_a.display_name == "Анна"


def test_profile_refuses_an_unknown_language(client, citizen_a):
    client.force_login(citizen_a)
    response = client.post("/account/", {"display_name": "Анна", "language": "de"})
    assert response.status_code == 400 and "Выберите корректный вариант." in response.content.decode()


def test_account_deletion_needs_the_password_then_anonymizes_and_signs_out(client, provider_x, org_x):
    factories.enrol_totp(provider_x)
    client.force_login(provider_x)
    other_session = client.session.session_key
    wrong = client.post("/account/delete/", {"password": "not-it"})
    assert wrong.status_code == 400 and "Пароль неверный." in wrong.content.decode()
    assert User.objects.get(pk=provider_x.pk).is_active

    done = client.post("/account/delete/", {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert "Аккаунт удалён" in client.get("/").content.decode()

    gone = User.objects.get(pk=provider_x.pk)
    assert gone.email == "" and gone.display_name == "" and gone.username == f"deleted-{gone.pk}"
    assert not gone.is_active and not gone.has_usable_password() and gone.deleted_at is not None
    assert not EmailAddress.objects.filter(user=gone).exists()
    assert not Authenticator.objects.filter(user=gone).exists()
    assert not Membership.objects.filter(user=gone).exists()
    entry = AuditLog.objects.get(action="accounts.user.deleted")
    assert entry.actor_id == gone.pk and entry.data["removed_roles"]["memberships"] == 1
    assert "owner@x.example.org" not in str(entry.data)

    # The address is free again, and the old password opens nothing.
    assert (
        client.post("/account/login/", {"login": "owner@x.example.org", "password": PASSWORD}).status_code
        == 200
    )
    assert other_session


def test_deleted_users_other_sessions_end(client, citizen_a):
    from django.test import Client

    other = Client()
    other.force_login(citizen_a)
    assert other.get("/account/").status_code == 200
    client.force_login(citizen_a)
    client.post("/account/delete/", {"password": PASSWORD})
    assert other.get("/account/").status_code == 302


def test_deletion_password_guessing_is_rate_limited(client, citizen_a):
    client.force_login(citizen_a)
    for _ in range(10):
        client.post("/account/delete/", {"password": "guess"})
    response = client.post("/account/delete/", {"password": PASSWORD})
    assert response.status_code == 400 and "Слишком много попыток" in response.content.decode()
    assert User.objects.get(pk=citizen_a.pk).is_active
