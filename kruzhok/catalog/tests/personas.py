"""Personas for the provider area and its moderation pages: providers of two organizations,
a citizen and an editor with TOTP, each with a signed-in client. Import the fixtures you use."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from kruzhok.accounts.tests import factories as accounts
from kruzhok.catalog.tests import factories as catalog
from kruzhok.core.tests.xss import DATA_BLOCK_TYPES

__all__ = [
    "org_x",
    "org_y",
    "provider_x",
    "staff_x",
    "provider_y",
    "citizen",
    "editor",
    "activity_x",
    "activity_y",
]

XSS = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "[ссылка](javascript:alert(1))",
    "</textarea><script>alert(2)</script>",
]


class _Unsafe(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if (
            tag == "script"
            and not (dict(attrs).get("src") or "").startswith("/static/")
            and dict(attrs).get("type") not in DATA_BLOCK_TYPES
        ):
            self.found.append("script")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(name)
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{name}=javascript:")


def unsafe(html: str) -> list[str]:
    """What in the page would run: inline scripts, on* attributes, javascript: links."""
    parser = _Unsafe()
    parser.feed(html)
    return parser.found


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def org_x(db):
    return catalog.organization(name="Студия «Икс»", phone="+7 3812 11-11-11")


@pytest.fixture
def org_y(db):
    return catalog.organization(name="Клуб «Игрек»")


@pytest.fixture
def provider_x(org_x):
    return accounts.provider(org_x, role="owner", email="owner@x.example.org", display_name="Ольга")


@pytest.fixture
def staff_x(org_x):
    return accounts.provider(org_x, role="staff", email="staff@x.example.org", display_name="Семён")


@pytest.fixture
def provider_y(org_y):
    return accounts.provider(org_y, role="owner", email="owner@y.example.org")


@pytest.fixture
def citizen(db):
    return accounts.user("anna@example.org", display_name="Анна")


@pytest.fixture
def editor(db):
    account = accounts.user("editor@example.org", is_editor=True, display_name="Редактор Ева")
    accounts.enrol_totp(account)
    return account


@pytest.fixture
def activity_x(org_x):
    return catalog.activity(organization=org_x, title="Шахматы для начинающих", price_rub=1500)


@pytest.fixture
def activity_y(org_y):
    return catalog.activity(organization=org_y, title="Футбол во дворе")
