"""Departments invite institutions: the mail, the one-use expiring link, the account it creates."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from kruzhok.accounts import invitations
from kruzhok.accounts.models import Invitation, Membership, User
from kruzhok.accounts.tests import factories
from kruzhok.accounts.tests.conftest import links_in, path_of
from kruzhok.catalog.models import Department, Organization
from kruzhok.catalog.tests import factories as catalog_factories
from kruzhok.core.models import AuditLog
from kruzhok.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Ochen-Nadyozhny-Parol-77"


@pytest.fixture
def education():
    return Department.objects.get(slug="education")


@pytest.fixture
def school(education):
    return catalog_factories.organization(name="Школа искусств №3", department=education)


def _invite(client, slug="education", **data):
    payload = {"email": "", "organization": "", "new_organization": "", **data}
    return client.post(f"/department/{slug}/invitations/", payload)


def _link(mailoutbox, email) -> str:
    message = [m for m in mailoutbox if m.to == [email]][-1]
    found = [url for url in links_in(message.body) if "/invite/" in url]
    assert found, message.body
    return path_of(found[0])


def _sent(client, capture, mailoutbox, **data) -> str:
    with capture(execute=True):
        response = _invite(client, **data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return _link(mailoutbox, data["email"])


def test_invitation_mail_carries_a_link_that_creates_the_account_and_the_owner_membership(
    client, department_member, school, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(department_member)
    link = _sent(
        client,
        django_capture_on_commit_callbacks,
        mailoutbox,
        email="director@school3.example.ru",
        organization=school.pk,
    )
    message = mailoutbox[-1]
    assert "Школа искусств №3" in message.subject
    assert "Департамент образования" in message.body or "департамент" in message.body.lower()
    assert message.alternatives and link in message.alternatives[0][0]
    # The stored row knows only the token's hash.
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "director@school3.example.ru" in page.content.decode()
    response = client.post(
        link, {"display_name": "Ирина Петровна", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/account/"
    user = User.objects.get(email="director@school3.example.ru")
    assert user.display_name == "Ирина Петровна"
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user, organization=school).role == "owner"
    assert client.get("/account/").context["user"] == user  # signed in
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.status == "accepted"
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"accounts.invitation.created", "accounts.invitation.accepted"} <= actions

    # One use: the same link again is refused with a clear page and no second account.
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "уже принято" in again.content.decode()


def test_a_second_person_invited_to_an_organization_with_an_owner_becomes_staff(
    client, department_member, school, mailoutbox, django_capture_on_commit_callbacks
):
    factories.provider(school, role="owner")
    client.force_login(department_member)
    link = _sent(
        client,
        django_capture_on_commit_callbacks,
        mailoutbox,
        email="teacher@example.ru",
        organization=school.pk,
    )
    client.logout()
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert Membership.objects.get(user__email="teacher@example.ru").role == "staff"


def test_inviting_a_new_organization_creates_it_in_the_department(
    client, department_member, education, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(department_member)
    _sent(
        client,
        django_capture_on_commit_callbacks,
        mailoutbox,
        email="new@example.ru",
        new_organization="  Детский   центр «Радуга» ",
    )
    org = Organization.objects.get(name="Детский центр «Радуга»")
    assert org.department == education
    assert Invitation.objects.get().organization == org


def test_an_existing_account_signs_in_and_accepts(
    client, department_member, school, mailoutbox, django_capture_on_commit_callbacks
):
    existing = factories.user("known@example.ru")
    client.force_login(department_member)
    link = _sent(
        client,
        django_capture_on_commit_callbacks,
        mailoutbox,
        email="KNOWN@example.ru",
        organization=school.pk,
    )
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    body = page.content.decode()
    assert "уже есть аккаунт" in body and f"/account/login/?next={link}" in body
    # Posting a sign-up form for an address that has an account does not make another one.
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert User.objects.filter(email__iexact="known@example.ru").count() == 1

    client.force_login(existing)
    assert "Принять приглашение" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302
    assert Membership.objects.get(user=existing, organization=school).role == "owner"


def test_a_link_opened_by_a_different_signed_in_user_is_refused(
    client, department_member, school, citizen_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(department_member)
    link = _sent(
        client,
        django_capture_on_commit_callbacks,
        mailoutbox,
        email="director@example.ru",
        organization=school.pk,
    )
    client.force_login(citizen_a)
    page = client.get(link)
    assert page.status_code == 403
    assert "отправлено на другой адрес" in page.content.decode()
    assert client.post(link).status_code == 403
    assert not Membership.objects.filter(user=citizen_a).exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize(
    "token", ["forged-token-" + "x" * 30, "A" * 43, "x" * 500, "%3Cscript%3E", "%27%20OR%201=1--"]
)
def test_forged_links_give_a_clear_russian_page(client, token):
    page = client.get(f"/invite/{token}/")
    assert page.status_code == 404
    assert "Ссылка приглашения не работает" in page.content.decode()


def test_a_tampered_token_does_not_work(
    client, department_member, school, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(department_member)
    link = _sent(
        client, django_capture_on_commit_callbacks, mailoutbox, email="d@example.ru", organization=school.pk
    )
    client.logout()
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/invite/{tampered}/").status_code == 404
    client.post(f"/invite/{tampered}/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not User.objects.filter(email="d@example.ru").exists()


def test_an_expired_link_is_refused_and_a_resend_makes_a_new_one(
    client, settings, department_member, school, mailoutbox, django_capture_on_commit_callbacks
):
    settings.INVITATION_EXPIRY_DAYS = 14
    client.force_login(department_member)
    link = _sent(
        client,
        django_capture_on_commit_callbacks,
        mailoutbox,
        email="late@example.ru",
        organization=school.pk,
    )
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.sent_at == timedelta(days=14)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    client.logout()
    page = client.get(link)
    assert page.status_code == 410 and "Срок действия приглашения истёк" in page.content.decode()
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not User.objects.filter(email="late@example.ru").exists()

    client.force_login(department_member)
    listing = client.get("/department/education/invitations/").content.decode()
    assert "истекло" in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/department/education/invitations/{invitation.pk}/resend/")
    assert response.status_code == 302
    new_link = _link(mailoutbox, "late@example.ru")
    assert new_link != link
    client.logout()
    assert client.get(link).status_code == 404  # the old token is gone
    assert client.get(new_link).status_code == 200
    assert AuditLog.objects.filter(action="accounts.invitation.resent").exists()


def test_a_revoked_invitation_no_longer_opens(
    client, department_member, school, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(department_member)
    link = _sent(
        client, django_capture_on_commit_callbacks, mailoutbox, email="r@example.ru", organization=school.pk
    )
    invitation = Invitation.objects.get()
    assert client.post(f"/department/education/invitations/{invitation.pk}/revoke/").status_code == 302
    assert "отозвано" in client.get("/department/education/invitations/").content.decode()
    client.logout()
    page = client.get(link)
    assert page.status_code == 410 and "отозвал" in page.content.decode()
    assert AuditLog.objects.filter(action="accounts.invitation.revoked").exists()


def test_accepting_twice_in_a_race_makes_one_membership(department_member, school):
    invitation = invitations.invitation_create(
        department=school.department, inviter=department_member, email="race@example.ru", organization=school
    )
    first = factories.user("race@example.ru")
    invitations.invitation_accept(invitation=invitation, user=first)
    stale_copy = Invitation.objects.get(pk=invitation.pk)
    stale_copy.accepted_at = None  # what a second request loaded before the first committed
    with pytest.raises(invitations.InvitationError):
        invitations.invitation_accept(invitation=stale_copy, user=first)
    assert Membership.objects.filter(organization=school).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email"}, "Проверьте адрес"),
        ({"email": "<script>alert(1)</script>@x.ru"}, "Проверьте адрес"),
        ({"email": "a@example.ru"}, "Выберите организацию из списка или напишите название новой."),
        (
            {"email": "a@example.ru", "new_organization": "<script>alert(1)</script>"},
            "не может содержать символы",
        ),
        ({"email": "a@example.ru", "new_organization": "Ш" * 10_000}, "не длиннее 300"),
        ({"email": "a" * 10_000 + "@example.ru", "new_organization": "Центр"}, "Проверьте адрес"),
        ({"email": "a@example.ru", "organization": "999999"}, "нет в вашей сети"),
        ({"email": "a@example.ru", "organization": "abc"}, "нет в вашей сети"),
    ],
)
def test_hostile_invitation_input_is_refused_and_nothing_is_saved(
    client, department_member, school, data, message
):
    client.force_login(department_member)
    response = _invite(client, **data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "<script>alert(1)</script>" not in body
    assert not Invitation.objects.exists()
    assert not Organization.objects.exclude(pk=school.pk).filter(department=school.department).exists()
    assert not OutboxMail.objects.exists()


def test_an_organization_of_another_department_cannot_be_invited_for(client, department_member):
    culture_org = catalog_factories.organization(
        name="Театр", department=Department.objects.get(slug="culture")
    )
    client.force_login(department_member)
    response = _invite(client, email="a@example.ru", organization=culture_org.pk)
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_a_second_pending_invitation_to_the_same_address_suggests_resending(
    client, department_member, school, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(department_member)
    _sent(
        client, django_capture_on_commit_callbacks, mailoutbox, email="dup@example.ru", organization=school.pk
    )
    response = _invite(client, email="dup@example.ru", organization=school.pk)
    assert response.status_code == 400
    assert "Отправьте его повторно" in response.content.decode()


def test_invitations_are_rate_limited_per_department_member(
    client, settings, department_member, school, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_PER_HOUR = 2
    client.force_login(department_member)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            assert _invite(client, email=f"p{n}@example.ru", organization=school.pk).status_code == 302
    assert _invite(client, email="p9@example.ru", organization=school.pk).status_code == 429
    assert Invitation.objects.count() == 2


def test_new_account_form_keeps_what_was_typed_and_explains_a_weak_password(
    client, department_member, school, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(department_member)
    link = _sent(
        client, django_capture_on_commit_callbacks, mailoutbox, email="w@example.ru", organization=school.pk
    )
    client.logout()
    response = client.post(link, {"display_name": "Вера", "password1": "123", "password2": "123"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Вера"' in body
    assert re.search(r"(слишком короткий|too short)", body)
    response = client.post(
        link, {"display_name": "<b>x</b>", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="w@example.ru").exists()


def test_others_cannot_touch_the_departments_invitations(
    client, department_member, school, citizen_a, provider_x, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(department_member)
    _sent(
        client, django_capture_on_commit_callbacks, mailoutbox, email="x@example.ru", organization=school.pk
    )
    invitation = Invitation.objects.get()
    culture_member = factories.department_member(Department.objects.get(slug="culture"))
    for outsider in (citizen_a, provider_x, culture_member):
        client.force_login(outsider)
        assert client.get("/department/education/invitations/").status_code == 404
        assert client.post(f"/department/education/invitations/{invitation.pk}/revoke/").status_code == 404
    # A member of culture cannot reach education's invitation through culture's URL either.
    assert client.post(f"/department/culture/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
