"""The counting buffer: visitor hashes, what is stored, when it is written."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from kruzhok.analytics import collect, models
from kruzhok.analytics.models import PageView, Salt
from kruzhok.analytics.tests.helpers import FIREFOX, all_values, page_views
from kruzhok.search.params import SearchParams

pytestmark = pytest.mark.django_db

CLIENT = ("203.0.113.7", FIREFOX)


def _browser_request(address: str = "203.0.113.7"):
    return RequestFactory().get("/", HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR=address)


def test_the_same_visitor_hashes_alike_within_a_day_and_differently_the_next():
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    first = collect.visitor_hash(today, CLIENT)
    assert collect.visitor_hash(today, CLIENT) == first
    assert collect.visitor_hash(tomorrow, CLIENT) != first
    assert collect.visitor_hash(today, ("203.0.113.8", FIREFOX)) != first


def test_the_hash_is_not_a_hash_of_the_address_alone():
    """Without the day's secret nobody can test addresses against it."""
    visitor = collect.visitor_hash(timezone.localdate(), CLIENT)
    for guess in ("203.0.113.7", f"203.0.113.7|{FIREFOX}", f"|203.0.113.7|{FIREFOX}"):
        assert hashlib.sha256(guess.encode()).hexdigest()[:32] != visitor
        assert hashlib.md5(guess.encode()).hexdigest() != visitor  # noqa: S324
    assert "203" not in visitor


def test_each_day_gets_its_own_random_salt():
    collect.visitor_hash(date(2026, 11, 28), CLIENT)
    collect.visitor_hash(date(2026, 11, 29), CLIENT)
    salts = list(Salt.objects.order_by("day").values_list("value", flat=True))
    assert len(salts) == 2
    assert salts[0] != salts[1]
    assert all(len(value) == 64 for value in salts)


def test_a_flush_stores_no_address_and_no_browser_string():
    collect.record_page_view(_browser_request(), route="catalog:home")
    stored = all_values(page_views())
    assert "203.0.113.7" not in stored
    assert "Firefox" not in stored
    assert "Mozilla" not in stored
    assert {field.name for field in PageView._meta.fields} == {
        "id", "at", "day", "route", "object_type", "object_id", "visitor", "referrer_host",
    }  # fmt: skip


def test_nothing_is_written_until_a_flush():
    collect.record_page_view(_browser_request(), route="catalog:home")
    assert PageView.objects.count() == 0
    assert collect.flush() == 1
    assert PageView.objects.count() == 1
    assert collect.flush() == 0


def test_the_buffer_is_due_when_full(monkeypatch):
    monkeypatch.setattr(collect, "BUFFER_SIZE", 2)
    collect.record_page_view(_browser_request(), route="catalog:home")
    assert not collect.due()
    collect.record_page_view(_browser_request(), route="catalog:home")
    assert collect.due()
    collect.flush_if_due()
    assert PageView.objects.count() == 2
    assert not collect.due()


def test_the_buffer_is_due_when_its_oldest_event_is_old(monkeypatch):
    clock = [50.0]
    monkeypatch.setattr(collect.time, "monotonic", lambda: clock[0])
    assert not collect.due()  # empty is never due
    collect.record_page_view(_browser_request(), route="catalog:home")
    clock[0] += collect.BUFFER_SECONDS - 0.5
    collect.record_page_view(_browser_request(), route="catalog:home")
    assert not collect.due()
    clock[0] += 0.5
    assert collect.due()


def test_a_view_counted_before_midnight_is_written_to_that_day(monkeypatch):
    evening = timezone.make_aware(datetime.combine(date(2026, 11, 28), time(23, 59)))
    monkeypatch.setattr(collect.timezone, "now", lambda: evening)
    collect.record_page_view(_browser_request(), route="catalog:home")
    monkeypatch.undo()
    (view,) = page_views()
    assert view.day == date(2026, 11, 28)


def test_search_filters_keep_no_place():
    params = SearchParams(
        q="футбол",
        where="улица Лукашевича, 10",
        lat=54.99,
        lon=73.27,
        radius_km=3,
        age=8,
        categories=("football", "futsal"),
        days=(0, 5),
        after=time(15),
        before=time(19, 30),
        ovz=True,
        sort="near",
    )
    assert collect.search_filters(params) == {
        "age": 8,
        "categories": ["football", "futsal"],
        "ovz": True,
        "days": ["mon", "sat"],
        "after": "15:00",
        "before": "19:30",
        "sort": "near",
    }
    assert collect.search_filters(SearchParams(q="шахматы")) == {}
    assert collect.search_filters(SearchParams(age=0)) == {"age": 0}  # a baby's age is a filter too


def test_the_query_limit_is_the_models():
    assert collect.QUERY_MAX == models.QUERY_MAX


@pytest.mark.parametrize(
    ("agent", "bot"),
    [
        (FIREFOX, False),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1", False),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 YaBrowser/24.10 Safari/537.36", False),
        ("Mozilla/5.0 (compatible; YandexMetrika/2.0; +http://yandex.com/bots)", True),
        ("Wget/1.21.4", True),
        ("short", True),
    ],
)  # fmt: skip
def test_is_bot(agent, bot):
    assert collect.is_bot(RequestFactory().get("/", HTTP_USER_AGENT=agent)) is bot
