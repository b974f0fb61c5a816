"""Roles changed in the admin's user page reach the audit log like `grant_role` does."""

from __future__ import annotations

import pytest

from kruzhok.accounts.models import Membership
from kruzhok.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _form(user, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "display_name": user.display_name,
        "language": user.language,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "department_memberships-TOTAL_FORMS": "0",
        "department_memberships-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_making_an_editor_and_a_member_in_the_admin_is_audited(admin_client, admin_user, citizen_a, org_x):
    response = admin_client.post(
        f"/admin/accounts/user/{citizen_a.pk}/change/",
        _form(
            citizen_a,
            is_editor="on",
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-organization": str(org_x.pk),
                "memberships-0-role": "owner",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rows = AuditLog.objects.filter(object_id=str(citizen_a.pk), action="accounts.role.granted")
    roles = sorted(row.data["role"] for row in rows)
    assert roles == ["editor", "provider"]
    assert all(row.actor_id == admin_user.pk and row.data["via"] == "admin" for row in rows)


def test_removing_a_membership_and_the_editor_flag_in_the_admin_is_audited(admin_client, provider_x, org_x):
    provider_x.is_editor = True
    provider_x.save()
    membership = Membership.objects.get(user=provider_x)
    response = admin_client.post(
        f"/admin/accounts/user/{provider_x.pk}/change/",
        _form(
            provider_x,
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "1",
                "memberships-0-id": str(membership.pk),
                "memberships-0-user": str(provider_x.pk),
                "memberships-0-organization": str(org_x.pk),
                "memberships-0-role": "owner",
                "memberships-0-DELETE": "on",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Membership.objects.filter(user=provider_x).exists()
    revoked = AuditLog.objects.filter(object_id=str(provider_x.pk), action="accounts.role.revoked")
    assert sorted(row.data["role"] for row in revoked) == ["editor", "provider"]
