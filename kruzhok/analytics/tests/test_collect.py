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
        assert hashlib.md5(guess.encode()).hexdigest() != visitor  # noqa: S324 (proves the stored hash is not a plain md5)
    assert "203" not in visitor


def test_each_day_gets_its_own_random_salt():
    today = timezone.localdate()
    collect.visitor_hash(today, CLIENT)
    collect.visitor_hash(today + timedelta(days=1), CLIENT)
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


# --- a refused batch, salts of past days ---------------------------------------------------------


def _refuse(monkeypatch, manager, times=1):
    from django.db import OperationalError

    real = manager.bulk_create
    left = [times]

    def locked(*args, **kwargs):
        if left[0]:
            left[0] -= 1
            raise OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(manager, "bulk_create", locked)


def test_a_batch_the_database_refuses_is_written_at_the_next_due_flush(monkeypatch, caplog):
    clock = [100.0]
    monkeypatch.setattr(collect.time, "monotonic", lambda: clock[0])
    _refuse(monkeypatch, PageView.objects)
    collect.record_page_view(_browser_request(), route="catalog:home")
    collect.record_page_view(_browser_request("203.0.113.9"), route="catalog:home")

    assert collect.flush() == 0
    assert "kept for the next flush" in caplog.text
    assert PageView.objects.count() == 0
    assert all("client" in row for row in collect._buffer.page_views)  # nothing taken from the rows
    assert not collect.due()  # not hammered on every page while the database is busy
    clock[0] += collect.BUFFER_SECONDS
    assert collect.due()
    collect.flush_if_due()
    assert PageView.objects.count() == 2
    assert len({view.visitor for view in page_views()}) == 2


def test_ad_counts_are_written_even_when_the_page_views_are_refused(monkeypatch):
    from kruzhok.promotion.models import AdDailyStat
    from kruzhok.promotion.tests.ad_factories import campaign

    ad = campaign()
    _refuse(monkeypatch, PageView.objects)
    collect.record_page_view(_browser_request(), route="catalog:home")
    collect.record_ad(ad.pk, "impressions")
    collect.record_ad(ad.pk, "clicks")

    assert collect.flush() == 2
    stat = AdDailyStat.objects.get(campaign=ad)
    assert (stat.impressions, stat.clicks) == (1, 1)
    assert len(collect._buffer.page_views) == 1 and not collect._buffer.ads


def test_refused_ad_counts_are_kept_and_added_later(monkeypatch):
    from django.db import OperationalError

    from kruzhok.promotion.models import AdDailyStat
    from kruzhok.promotion.tests.ad_factories import campaign

    ad = campaign()
    real = collect._add_ad_counts

    def locked(counts):
        raise OperationalError("database is locked")

    monkeypatch.setattr(collect, "_add_ad_counts", locked)
    collect.record_ad(ad.pk, "impressions")
    collect.record_page_view(_browser_request(), route="catalog:home")
    assert collect.flush() == 1  # the page view
    collect.record_ad(ad.pk, "impressions")
    assert collect.pending_ad_impressions(timezone.localdate())[ad.pk] == 2
    monkeypatch.setattr(collect, "_add_ad_counts", real)
    collect.flush()
    assert AdDailyStat.objects.get(campaign=ad).impressions == 2


def test_a_refused_backlog_is_bounded_and_drops_its_oldest_events(monkeypatch, caplog):
    monkeypatch.setattr(collect, "BACKLOG_LIMIT", 3)
    _refuse(monkeypatch, PageView.objects, times=2)
    for route in ("a", "b"):
        collect.record_page_view(_browser_request(), route=route)
    collect.flush()
    for route in ("c", "d"):
        collect.record_page_view(_browser_request(), route=route)
    collect.flush()
    assert [row["route"] for row in collect._buffer.page_views] == ["b", "c", "d"]
    assert "dropped the 1 oldest events" in caplog.text
    collect.flush()
    assert sorted(PageView.objects.values_list("route", flat=True)) == ["b", "c", "d"]


def test_a_late_flush_for_a_day_whose_salt_is_gone_creates_no_salt(monkeypatch):
    yesterday = timezone.localdate() - timedelta(days=1)
    evening = timezone.make_aware(datetime.combine(yesterday, time(23, 59)))
    monkeypatch.setattr(collect.timezone, "now", lambda: evening)
    collect.record_page_view(_browser_request(), route="catalog:home")
    collect.record_page_view(_browser_request(), route="catalog:home")
    collect.record_page_view(_browser_request("203.0.113.9"), route="catalog:home")
    monkeypatch.undo()  # past midnight; the roll-up has deleted yesterday's salt

    assert collect.flush() == 3
    assert not Salt.objects.filter(day=yesterday).exists()
    visitors = [view.visitor for view in page_views()]
    assert len(set(visitors)) == 2  # one throwaway salt for the whole batch
    assert yesterday not in collect._salts


def test_a_past_day_whose_salt_is_still_there_uses_it():
    yesterday = timezone.localdate() - timedelta(days=1)
    Salt.objects.create(day=yesterday, value="a" * 64)
    expected = hashlib.sha256(f"{'a' * 64}|{CLIENT[0]}|{CLIENT[1]}".encode()).hexdigest()[:32]
    assert collect.visitor_hash(yesterday, CLIENT) == expected
    assert Salt.objects.count() == 1


def test_cached_salts_of_past_days_are_dropped(monkeypatch):
    today = timezone.localdate()
    collect._salts[today - timedelta(days=1)] = "old"
    collect.visitor_hash(today, CLIENT)
    assert list(collect._salts) == [today]


def test_the_salt_survives_another_thread_clearing_the_cache(monkeypatch):
    """Another thread may empty the cache right after this one stored its salt: the value
    returned is the one read, not a second look-up in the cache."""

    class Racing(dict):
        def __setitem__(self, key, value):
            super().__setitem__(key, value)
            self.clear()  # what a second thread's batch did meanwhile

    monkeypatch.setattr(collect, "_salts", Racing())
    today = timezone.localdate()
    assert collect.visitor_hash(today, CLIENT) == collect.visitor_hash(today, CLIENT)
