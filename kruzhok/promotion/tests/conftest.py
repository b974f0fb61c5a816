"""Personas of the provider area (two organizations, a citizen, an editor with TOTP) plus a
department member, and a throw-away MEDIA_ROOT for every test."""

import pytest

from kruzhok.accounts.tests import factories as accounts
from kruzhok.catalog.models import Department
from kruzhok.catalog.tests.personas import *  # noqa: F403


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def department_member(org_x):
    department, _ = Department.objects.get_or_create(
        slug="education", defaults={"name": "Департамент образования"}
    )
    org_x.department = department
    org_x.save(update_fields=["department"])
    return accounts.department_member(department, email="dept@example.org")
