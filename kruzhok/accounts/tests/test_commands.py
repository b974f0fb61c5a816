"""`grant_role` and `createsuperuser`: the documented ways to make editors and admins."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from kruzhok.accounts.models import DepartmentMembership, Membership, User
from kruzhok.accounts.tests.factories import PASSWORD
from kruzhok.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("grant_role", *args, stdout=out)
    return out.getvalue()


def test_grant_editor_and_revoke_with_audit(citizen_a):
    assert "теперь редактор" in _run("ANNA@example.org", "editor")
    citizen_a.refresh_from_db()
    assert citizen_a.is_editor
    assert "уже редактор" in _run("anna@example.org", "editor")
    assert "больше не редактор" in _run("anna@example.org", "editor", "--revoke")
    actions = list(AuditLog.objects.order_by("id").values_list("action", "data"))
    assert actions == [
        ("accounts.role.granted", {"role": "editor"}),
        ("accounts.role.revoked", {"role": "editor"}),
    ]


def test_grant_department_and_provider_roles(citizen_a, org_x):
    assert "теперь в департаменте «Департамент образования" in _run(citizen_a.email, "department:education")
    assert DepartmentMembership.objects.filter(user=citizen_a, department__slug="education").exists()
    assert "теперь сотрудник в «Студия «Икс»»" in _run(citizen_a.email, f"provider:{org_x.pk}")
    assert "теперь владелец" in _run(citizen_a.email, f"provider:{org_x.pk}:owner")
    assert Membership.objects.get(user=citizen_a, organization=org_x).role == "owner"
    assert AuditLog.objects.filter(action="accounts.role.granted").count() == 3
    assert "больше не представляет" in _run(citizen_a.email, f"provider:{org_x.pk}", "--revoke")


def test_english_messages_on_request(citizen_a):
    assert "is now an editor" in _run(citizen_a.email, "editor", "--lang", "en")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("nobody@example.org", "editor"), "Нет активного пользователя с адресом nobody@example.org"),
        (("anna@example.org", "god"), "Непонятная роль «god»"),
        (("anna@example.org", "department:nope"), "Нет департамента «nope». Есть: "),
        (("anna@example.org", "provider:abc"), "Номер организации — целое число"),
        (("anna@example.org", "provider:999999"), "Нет организации с номером 999999."),
        (("anna@example.org", "provider:1:boss"), "Роль в организации — owner или staff"),
    ],
)
def test_grant_role_errors_say_what_is_wrong(citizen_a, args, error):
    with pytest.raises(CommandError, match=error):
        _run(*args)
    assert not AuditLog.objects.exists()


def test_createsuperuser_gives_an_admin_who_signs_in_by_email_and_must_enrol_totp(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    out = StringIO()
    call_command(
        "createsuperuser", "--noinput", "--username", "root", "--email", "root@example.org", stdout=out
    )
    assert "root@example.org" in out.getvalue()
    admin = User.objects.get(username="root")
    assert EmailAddress.objects.get(user=admin).verified
    signed_in = client.post("/account/login/", {"login": "root@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/admin/")["Location"] == "/account/2fa/totp/activate/"
