"""Personas and builders shared by the contribution and moderation-queue tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kruzhok.accounts.tests import factories
from kruzhok.catalog.tests import factories as catalog

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>'


@pytest.fixture
def citizen(db):
    return factories.user("anna@example.org", display_name="Анна")


@pytest.fixture
def other_citizen(db):
    return factories.user("boris@example.org", display_name="Борис", language="en")


@pytest.fixture
def editor(db):
    account = factories.user("editor@example.org", is_editor=True, display_name="Редактор")
    factories.enrol_totp(account)
    return account


@pytest.fixture
def citizen_client(citizen):
    own = Client()
    own.force_login(citizen)
    return own


@pytest.fixture
def editor_client(editor):
    # A client of its own: a test may act as the citizen and the editor side by side.
    own = Client()
    own.force_login(editor)
    return own


@pytest.fixture
def existing(db):
    org = catalog.organization(name="Дворец творчества «Сибирь»", inn="5501234567")
    venue = catalog.venue(org, address="улица Лукашевича, 14")
    act = catalog.activity(
        organization=org,
        venue=venue,
        title="Шахматная школа «Ладья»",
        categories=["chess"],
        direction_slug="sport",
    )
    return act


def new_form(**over: Any) -> dict[str, Any]:
    data = {
        "title": "Клуб юных астрономов",
        "direction": "science",
        "categories": ["ecology"],
        "age_min": "9",
        "age_max": "14",
        "price_rub": "1200",
        "price_note": "",
        "format": "group",
        "enrollment": "open",
        "description": "Смотрим в телескоп и собираем модели ракет.",
        "schedule": "Вт,Чт 17:00-18:30",
        "phone": "+7 (3812) 11-22-33",
        "email": "astro@example.org",
        "website": "https://astro.example.org/",
        "organization": "Обсерватория «Звезда»",
        "organization_kind": "ngo",
        "organization_inn": "",
        "address": "улица Лукашевича, 14",
        "note": "",
        "website_url": "",
        "check": "1",
    }
    data.update(over)
    return data


def assert_no_active_content(page: str) -> None:
    """The page parsed: no inline script, no on* attribute, no javascript: link."""
    from kruzhok.core.tests.xss import script_problems

    problems = script_problems(page)
    assert not problems, problems
