"""Personas for account tests: two citizens, providers of two organizations, a department
member and an editor. Rate-limit counters live in the cache, so each test starts empty."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from kruzhok.accounts.tests import factories
from kruzhok.catalog.models import Department
from kruzhok.catalog.tests import factories as catalog_factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing every persona's password the production way takes most of these tests' time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def citizen_a(db):
    return factories.user("anna@example.org", display_name="Анна")


@pytest.fixture
def citizen_b(db):
    return factories.user("boris@example.org", display_name="Борис")


@pytest.fixture
def org_x(db):
    return catalog_factories.organization(name="Студия «Икс»")


@pytest.fixture
def org_y(db):
    return catalog_factories.organization(name="Клуб «Игрек»")


@pytest.fixture
def provider_x(org_x):
    return factories.provider(org_x, role="owner", email="owner@x.example.org")


@pytest.fixture
def provider_y(org_y):
    return factories.provider(org_y, email="staff@y.example.org")


@pytest.fixture
def department_member(db):
    return factories.department_member(Department.objects.get(slug="education"), email="dep@example.org")


@pytest.fixture
def editor_user(db):
    return factories.user("editor@example.org", is_editor=True)


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
