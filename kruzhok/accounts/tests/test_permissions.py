"""The role checks every later edit page relies on, for each persona."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from kruzhok.accounts import permissions
from kruzhok.accounts.tests import factories
from kruzhok.catalog.models import Department
from kruzhok.catalog.tests import factories as catalog_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity_x(org_x):
    return catalog_factories.activity(organization=org_x, title="Керамика в «Иксе»")


@pytest.fixture
def personas(citizen_a, provider_x, provider_y, department_member, editor_user):
    admin = factories.user("admin@example.org", is_superuser=True, is_staff=True)
    return {
        "anonymous": AnonymousUser(),
        "citizen": citizen_a,
        "provider_x": provider_x,
        "provider_y": provider_y,
        "department": department_member,
        "editor": editor_user,
        "admin": admin,
    }


EDITS_X = {"provider_x", "editor", "admin"}


@pytest.mark.parametrize(
    "persona", ["anonymous", "citizen", "provider_x", "provider_y", "department", "editor", "admin"]
)
def test_who_may_edit_org_x_and_its_activity(personas, persona, org_x, activity_x):
    user = personas[persona]
    expected = persona in EDITS_X
    assert permissions.can_edit_activity(user, activity_x) is expected
    assert permissions.can_edit_organization(user, org_x) is expected
    assert permissions.can_edit_organization(user, org_x.pk) is expected


@pytest.mark.parametrize(
    "persona", ["anonymous", "citizen", "provider_x", "provider_y", "department", "editor", "admin"]
)
def test_others_get_404_from_the_editing_helpers_as_if_nothing_were_there(
    personas, persona, org_x, activity_x
):
    user = personas[persona]
    if persona in EDITS_X:
        assert permissions.get_activity_for_editing(user, activity_x.pk) == activity_x
        assert permissions.get_organization_for_editing(user, org_x.pk) == org_x
    else:
        with pytest.raises(Http404):
            permissions.get_activity_for_editing(user, activity_x.pk)
        with pytest.raises(Http404):
            permissions.get_organization_for_editing(user, org_x.pk)
    with pytest.raises(Http404):  # a missing row looks exactly the same
        permissions.get_activity_for_editing(user, 10**9)
    with pytest.raises(Http404):
        permissions.get_activity_for_editing(user, "not-a-number-at-all")


def test_provider_cannot_edit_other_orgs_activity(provider_y, activity_x):
    assert not permissions.can_edit_activity(provider_y, activity_x)


def test_staff_member_edits_but_only_owner_manages_members(org_x, provider_x):
    staff = factories.provider(org_x, role="staff")
    assert permissions.can_edit_organization(staff, org_x)
    assert not permissions.can_manage_organization(staff, org_x)
    assert permissions.can_manage_organization(provider_x, org_x)
    assert permissions.membership_role(staff, org_x) == "staff"


def test_organizations_and_departments_of(provider_x, org_x, org_y, department_member, citizen_a):
    factories.provider(org_y, email="two-orgs@example.org")
    both = factories.user("both@example.org")
    for org in (org_x, org_y):
        from kruzhok.accounts.models import Membership

        Membership.objects.create(user=both, organization=org)
    assert list(permissions.organizations_of(provider_x)) == [org_x]
    assert set(permissions.organizations_of(both)) == {org_x, org_y}
    assert not permissions.organizations_of(citizen_a).exists()
    assert not permissions.organizations_of(AnonymousUser()).exists()
    assert [d.slug for d in permissions.departments_of(department_member)] == ["education"]


def test_department_sees_only_its_own_network(department_member, editor_user, citizen_a):
    education = Department.objects.get(slug="education")
    other = Department.objects.exclude(slug="education").first()
    assert permissions.can_see_department(department_member, education)
    assert not permissions.can_see_department(department_member, other)
    assert permissions.can_see_department(editor_user, other)
    assert not permissions.can_see_department(citizen_a, education)


def test_roles_of_an_inactive_user_count_for_nothing(provider_x, org_x, editor_user):
    for user in (provider_x, editor_user):
        user.is_active = False
        user.save()
    assert not permissions.can_edit_organization(provider_x, org_x)
    assert not permissions.is_editor(editor_user)
    assert not permissions.organizations_of(provider_x).exists()


@pytest.mark.parametrize(
    ("flags", "editor", "admin", "needs_mfa"),
    [
        ({}, False, False, False),
        ({"is_editor": True}, True, False, True),
        ({"is_staff": True}, False, False, True),
        ({"is_superuser": True}, True, True, True),
    ],
)
def test_editor_admin_and_who_needs_a_second_factor(flags, editor, admin, needs_mfa):
    user = factories.user(**flags)
    assert permissions.is_editor(user) is editor
    assert permissions.is_admin(user) is admin
    assert permissions.needs_mfa(user) is needs_mfa
    assert permissions.mfa_missing(user) is needs_mfa
    factories.enrol_totp(user)
    assert permissions.mfa_missing(user) is False
    assert permissions.needs_mfa(AnonymousUser()) is False
