"""Fixtures of the API tests: the published schema, a GET that checks every answer against it,
and a small public catalog with entries the public must never see beside it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from kruzhok.accounts.tests import factories as account_factories
from kruzhok.api.tests import openapi
from kruzhok.catalog.models import Group, Status
from kruzhok.catalog.tests import factories
from kruzhok.events.tests.factories import event

HIDDEN_EMAIL = "member-secret@example.org"


@pytest.fixture
def spec(client: Client, db: None) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json()


@pytest.fixture
def api(client: Client, spec: dict[str, Any]):
    """GET a path of the API and check the answer against the published schema: JSON, never a
    5xx, every key documented. Returns (status, body)."""

    def get(
        query: str | dict[str, Any] | list[tuple[str, str]] = "",
        *,
        path: str = "/api/v1/search",
        **extra: Any,
    ) -> tuple[int, Any]:
        text = query if isinstance(query, str) else urlencode(query, doseq=True)
        response = client.get(f"{path}?{text}" if text else path, **extra)
        assert response.status_code < 500, response.content[:500]
        assert response["Content-Type"].startswith("application/json")
        body = json.loads(response.content)
        schema = openapi.response_schema(spec, path, response.status_code)
        assert openapi.problems(body, schema, spec) == []
        return response.status_code, body

    return get


@pytest.fixture
def public_catalog(db: None) -> dict[str, Any]:
    """Two published organizations with activities, groups and events, and beside them what the
    API must never show: draft, pending and archived activities, an organization under review
    with its venue and event, and a member's email."""
    kirovsky = factories.okrug_row("Кировский")
    central = factories.okrug_row("Центральный")
    palace = factories.organization(
        name="Дворец творчества «Сибирь»",
        phone="+7 3812 11-22-33",
        email="info@palace.example.org",
        inn="5501000001",
    )
    account_factories.provider(palace, email=HIDDEN_EMAIL)
    hall = factories.venue(palace, name="Большой зал", address="проспект Карла Маркса, 12", district=kirovsky)
    chess = factories.activity(
        organization=palace,
        venue=hall,
        title="Шахматный клуб «Ладья»",
        categories=["chess"],
        age_min=7,
        age_max=12,
        price_rub=0,
        external_id="ext-chess",
        source="test",
        slots=[(0, "15:00", "16:30"), (2, "15:00", "16:30")],
    )
    Group.objects.create(
        activity=chess, name="Старшая группа", age_min=10, age_max=12, teacher="И. И. Петров"
    )
    school = factories.organization(name="Спортшкола «Старт»", kind="private")
    stadium = factories.venue(school, address="улица Ленина, 10", lat=54.9724, lon=73.3791, district=central)
    football = factories.activity(
        organization=school,
        venue=stadium,
        title="Футбол для начинающих",
        categories=["football"],
        age_min=6,
        age_max=9,
        price_rub=1500,
        enrollment="closed",
        slots=[(5, "10:00", "11:30")],
    )
    robotics = factories.activity(
        organization=palace,
        venue=hall,
        title="Робототехника",
        categories=["robotics"],
        direction_slug="technical",
        age_min=10,
        age_max=16,
        price_rub=3000,
        ovz=True,
        slots=[(1, "18:00", "19:30")],
    )
    hidden = {
        status: factories.activity(
            organization=palace, venue=hall, title=f"Скрытое занятие {status}", status=status
        )
        for status in (Status.DRAFT, Status.PENDING, Status.ARCHIVED)
    }
    pending_org = factories.organization(name="Организация на проверке", status=Status.PENDING)
    pending_venue = factories.venue(pending_org, address="улица Тайная, 1", district=kirovsky)
    pending_event = event(pending_org, title="Событие скрытой организации", venue=pending_venue)
    open_day = event(
        palace,
        title="День открытых дверей",
        venue=hall,
        activity=chess,
        starts="2027-02-06T11:00",
        ends="2027-02-06T13:00",
    )
    weekly = event(
        palace,
        title="Мастер-класс по шахматам",
        kind="master_class",
        venue=hall,
        activity=chess,
        starts="2027-02-06T15:00",
        ends="2027-02-06T16:30",
        rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=4",
        exdates=["2027-02-13"],
        age_min=7,
        age_max=12,
    )
    cancelled = event(
        school,
        title="Турнир по футболу",
        kind="competition",
        venue=stadium,
        starts="2027-02-20T10:00",
        ends="2027-02-20T14:00",
        price_rub=300,
        status="cancelled",
    )
    draft_link = event(
        school,
        title="Открытая тренировка",
        venue=stadium,
        activity=hidden[Status.DRAFT],
        starts="2027-02-21T10:00",
        ends="2027-02-21T11:00",
    )
    return {
        "palace": palace,
        "school": school,
        "hall": hall,
        "stadium": stadium,
        "chess": chess,
        "football": football,
        "robotics": robotics,
        "hidden": hidden,
        "pending_org": pending_org,
        "pending_venue": pending_venue,
        "pending_event": pending_event,
        "open_day": open_day,
        "weekly": weekly,
        "cancelled": cancelled,
        "draft_link": draft_link,
    }
