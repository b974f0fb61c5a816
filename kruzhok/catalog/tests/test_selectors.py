"""Selectors: filters narrow correctly, schedules are walked in the city's time, counts add up."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from kruzhok.catalog import selectors
from kruzhok.catalog.models import Activity, Status
from kruzhok.catalog.tests import factories

pytestmark = pytest.mark.django_db
OMSK = ZoneInfo("Asia/Omsk")


@pytest.fixture(autouse=True)
def _fresh_counts_cache():
    cache.clear()
    yield
    cache.clear()


def test_next_sessions_walk_the_week_in_omsk_time():
    act = factories.activity(slots=[(0, "15:00", "16:30"), (2, "10:00", "11:00")])
    act = selectors.activity_cards().get(pk=act.pk)
    monday_noon = datetime(2026, 3, 16, 12, 0, tzinfo=OMSK)  # a Monday
    assert selectors.next_sessions(act, now=monday_noon) == [
        datetime(2026, 3, 16, 15, 0, tzinfo=OMSK),
        datetime(2026, 3, 18, 10, 0, tzinfo=OMSK),
    ]
    # 09:30 UTC on Monday is 15:30 in Omsk: today's session has started, next Monday's counts.
    from datetime import UTC

    after_start = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
    assert selectors.next_sessions(act, now=after_start, limit=3) == [
        datetime(2026, 3, 18, 10, 0, tzinfo=OMSK),
        datetime(2026, 3, 23, 15, 0, tzinfo=OMSK),
    ]


def test_next_sessions_give_one_start_per_day():
    act = factories.activity(slots=[(6, "11:45", "12:30"), (6, "10:30", "11:15"), (0, "15:00", "16:00")])
    act = selectors.activity_cards().get(pk=act.pk)
    saturday = datetime(2026, 11, 28, 20, 0, tzinfo=OMSK)
    assert selectors.next_sessions(act, now=saturday) == [
        datetime(2026, 11, 29, 10, 30, tzinfo=OMSK),
        datetime(2026, 11, 30, 15, 0, tzinfo=OMSK),
    ]


def test_next_sessions_make_no_queries_on_selector_rows(django_assert_num_queries):
    factories.activity()
    rows = list(selectors.activity_cards())
    with django_assert_num_queries(0):
        assert len(selectors.next_sessions(rows[0])) == 2


def test_schedule_table_has_days_as_rows_and_groups_as_columns():
    act = factories.activity(slots=[(3, "17:00", "18:00"), (0, "15:00", "16:00")])
    from datetime import time

    from kruzhok.catalog.models import Group, ScheduleSlot

    second = Group.objects.create(activity=act, name="Старшая")
    ScheduleSlot.objects.create(group=second, weekday=0, starts_at=time(18), ends_at=time(19))
    groups, rows = selectors.schedule_table(selectors.activity_for_page(act.pk))
    assert [g.name for g in groups] == ["Основная группа", "Старшая"]
    assert [r.label for r in rows] == ["Пн", "Чт"]
    assert [[str(s) for s in cell] for cell in rows[0].cells] == [["Пн 15:00–16:00"], ["Пн 18:00–19:00"]]
    assert rows[1].cells[1] == []


def test_home_counts_count_live_activities_per_direction_category_and_okrug():
    kirovsky = factories.okrug_row("Кировский")
    factories.okrug_row("Советский")
    factories.activity(categories=["football"], venue=factories.venue(district=kirovsky))
    factories.activity(categories=["football", "athletics"], venue=factories.venue(district=kirovsky))
    factories.activity(direction_slug="arts", categories=["drawing"], status=Status.ARCHIVED)
    counts = selectors.home_counts()
    assert counts.total == 2
    assert {d.slug: n for d, n in counts.directions} == {
        "technical": 0, "science": 0, "sport": 2, "arts": 0, "tourism": 0, "social": 0,
    }  # fmt: skip
    assert [(c.slug, n) for c, n in counts.popular_categories] == [("football", 2), ("athletics", 1)]
    by_okrug = {o.name: n for o, n in counts.okrugs}
    assert by_okrug["Кировский"] == 2 and by_okrug["Советский"] == 0


def test_home_counts_are_cached_between_requests(django_assert_num_queries):
    factories.activity()
    selectors.home_counts()
    Activity.objects.update(status=Status.ARCHIVED)
    with django_assert_num_queries(0):
        assert selectors.home_counts().total == 1
