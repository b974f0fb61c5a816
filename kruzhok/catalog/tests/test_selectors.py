"""Selectors: filters narrow correctly, schedules are walked in the city's time, counts add up."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from kruzhok.catalog import selectors
from kruzhok.catalog.models import Activity, Status
from kruzhok.catalog.selectors import ActivityFilters
from kruzhok.catalog.tests import factories

pytestmark = pytest.mark.django_db
OMSK = ZoneInfo("Asia/Omsk")


@pytest.fixture(autouse=True)
def _fresh_counts_cache():
    cache.clear()
    yield
    cache.clear()


def _titles(filters: ActivityFilters) -> list[str]:
    return [a.title for a in selectors.activity_search(filters=filters)]


def test_word_pattern_ignores_case_and_treats_yo_as_ye():
    pattern = selectors._word_pattern("Ёлка")
    for text in ["ёлка", "Ёлка", "елка", "ЕЛКА", "новогодняя ёЛКа"]:
        assert re.search(pattern, text), text
    assert not re.search(pattern, "палка")


def test_query_words_drop_one_letter_words_and_punctuation():
    assert selectors._query_words("Футбол, в  Омске!") == ["футбол", "омске"]


def test_every_query_word_must_match_somewhere():
    factories.activity(title="Футбол для малышей")
    factories.activity(title="Футбол", description="Секция для подростков")
    assert _titles(ActivityFilters(q="футбол подростков")) == ["Футбол"]
    assert sorted(_titles(ActivityFilters(q="ФУТБОЛ"))) == ["Футбол", "Футбол для малышей"]


def test_query_matches_category_synonyms_without_duplicates():
    factories.activity(title="Клуб «Ферзь»", categories=["chess", "mathematics"], description="")
    # «шашки» is a synonym of the chess category; two categories must not duplicate the row.
    assert _titles(ActivityFilters(q="шашки")) == ["Клуб «Ферзь»"]


def test_age_filter_keeps_ranges_containing_the_age():
    factories.activity(title="Малыши", age_min=3, age_max=6)
    factories.activity(title="Школьники", age_min=7, age_max=12)
    assert _titles(ActivityFilters(age=6)) == ["Малыши"]
    assert _titles(ActivityFilters(age=7)) == ["Школьники"]
    assert _titles(ActivityFilters(age=15)) == []


def test_weekday_filter_uses_schedule_slots_once_per_activity():
    factories.activity(
        title="Будни", slots=[(0, "10:00", "11:00"), (0, "12:00", "13:00"), (2, "10:00", "11:00")]
    )
    factories.activity(title="Выходные", slots=[(6, "10:00", "11:00")])
    factories.activity(title="Без расписания", slots=[])
    assert _titles(ActivityFilters(weekdays=(0,))) == ["Будни"]
    assert _titles(ActivityFilters(weekdays=(0, 6))) == ["Будни", "Выходные"]


def test_district_and_place_filters_both_narrow():
    kirovsky = factories.okrug_row("Кировский")
    sovetsky = factories.okrug_row("Советский")
    amur = factories.microdistrict_row("Левобережье", okrug=kirovsky)
    factories.activity(title="В Амуре", venue=factories.venue(district=kirovsky, microdistrict=amur))
    factories.activity(title="В Кировском", venue=factories.venue(district=kirovsky))
    factories.activity(title="В Советском", venue=factories.venue(district=sovetsky))
    assert _titles(ActivityFilters(districts=(kirovsky,))) == ["В Амуре", "В Кировском"]
    assert _titles(ActivityFilters(places=(amur,))) == ["В Амуре"]
    assert _titles(ActivityFilters(districts=(sovetsky,), places=(amur,))) == []


def test_only_published_activities_are_found():
    for status in Status:
        factories.activity(title=f"Занятие {status.value}", status=status)
    assert _titles(ActivityFilters()) == ["Занятие published"]


def test_districts_matching_prefers_exact_names_and_slugs():
    kirovsky = factories.okrug_row("Кировский")
    factories.okrug_row("Советский")
    assert selectors.districts_matching("кировский") == [kirovsky]
    assert selectors.districts_matching("kirovskiy") == [kirovsky]
    assert selectors.districts_matching("Кировский округ") == [kirovsky]
    assert selectors.districts_matching("Марс") == []


def test_next_sessions_walk_the_week_in_omsk_time():
    act = factories.activity(slots=[(0, "15:00", "16:30"), (2, "10:00", "11:00")])
    act = selectors.activity_search(filters=ActivityFilters()).get(pk=act.pk)
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
    act = selectors.activity_search(filters=ActivityFilters()).get(pk=act.pk)
    saturday = datetime(2026, 11, 28, 20, 0, tzinfo=OMSK)
    assert selectors.next_sessions(act, now=saturday) == [
        datetime(2026, 11, 29, 10, 30, tzinfo=OMSK),
        datetime(2026, 11, 30, 15, 0, tzinfo=OMSK),
    ]


def test_next_sessions_make_no_queries_on_selector_rows(django_assert_num_queries):
    factories.activity()
    rows = list(selectors.activity_search(filters=ActivityFilters()))
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


def test_query_words_match_at_word_starts_only():
    factories.activity(title="Мини-футбол", description="")
    factories.activity(title="Учитель рисования", description="", categories=["drawing"])
    assert _titles(ActivityFilters(q="футбол")) == ["Мини-футбол"]
    assert _titles(ActivityFilters(q="ель")) == []


def test_title_and_category_matches_rank_before_description_mentions():
    factories.activity(
        title="Бальные танцы", description="С собой: футболка и чешки.", categories=["ballroom-dance"]
    )
    factories.activity(title="Секция «Старт»", description="", categories=["football"])
    factories.activity(title="Футбол во дворе", description="", categories=["general-fitness"])
    assert _titles(ActivityFilters(q="футбол")) == ["Секция «Старт»", "Футбол во дворе", "Бальные танцы"]
