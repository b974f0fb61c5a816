"""From real requests to the dashboard: what a person does on the site is what the KPIs show."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from kruzhok.accounts.tests import factories as people
from kruzhok.analytics import collect
from kruzhok.analytics.services import analytics_aggregate
from kruzhok.analytics.tests.helpers import BROWSER, CHROME_PHONE
from kruzhok.catalog.tests import factories

pytestmark = pytest.mark.django_db


def _csv(client, slug: str) -> list[list[str]]:
    response = client.get(f"/dashboard/{slug}.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))


def test_visits_and_searches_reach_the_dashboard_after_the_roll_up(client, editor):
    activity = factories.activity(title="Футбол для начинающих")
    phone = {"HTTP_USER_AGENT": CHROME_PHONE, "REMOTE_ADDR": "198.51.100.4"}
    robot = {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; YandexBot/3.0)", "REMOTE_ADDR": "192.0.2.1"}
    for headers in (BROWSER, BROWSER, phone, robot):
        assert client.get(activity.get_absolute_url(), **headers).status_code == 200
    client.get("/search/", {"q": "керлинг"}, **BROWSER)  # finds nothing: a gap to fill
    client.get("/search/", {"q": "футбол"}, **phone)
    client.get("/search/", {"q": "керлинг"}, **robot)
    collect.flush()
    analytics_aggregate()

    people.enrol_totp(editor)
    client.force_login(editor)
    today = timezone.localdate().isoformat()
    traffic = {row[0]: row[1:] for row in _csv(client, "traffic")[1:]}
    # 3 activity pages + 2 search pages from 2 people; the robot is not counted, nor the dashboard.
    assert traffic[today][:2] == ["5", "2"]
    gaps = _csv(client, "gaps")
    assert [row[0] for row in gaps[1:]] == ["керлинг"]
    queries = [row[0] for row in _csv(client, "queries")[1:]]
    assert sorted(queries) == ["керлинг", "футбол"]
