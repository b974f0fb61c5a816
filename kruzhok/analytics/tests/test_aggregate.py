"""The daily roll-up: hand-counted fixture, as-you-type searches, idempotence, retention, salts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kruzhok.analytics import collect, tasks
from kruzhok.analytics.models import (
    DailyPageStat,
    DailyQuery,
    DailyTraffic,
    PageView,
    Salt,
    SearchEvent,
)
from kruzhok.analytics.services import (
    _Search,
    _settled,
    analytics_aggregate,
    normalise_query,
    redact_query,
)
from kruzhok.analytics.tests.helpers import BROWSER, CHROME_PHONE

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 29)
DAY = date(2026, 11, 27)
NEXT_DAY = date(2026, 11, 28)
OLDEST_KEPT = TODAY - timedelta(days=29)
TOO_OLD = TODAY - timedelta(days=30)


def at(day: date, clock: str) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.fromisoformat(clock)))


def view(
    day: date, visitor: str, route: str = "catalog:home", obj: tuple[str, int] | None = None
) -> PageView:
    object_type, object_id = obj or ("", None)
    return PageView(
        at=at(day, "12:00:00"),
        day=day,
        route=route,
        object_type=object_type,
        object_id=object_id,
        visitor=visitor,
    )


def search(
    day: date, visitor: str, clock: str, query: str, results: int, source: str = "page", **filters: Any
) -> SearchEvent:
    return SearchEvent(
        at=at(day, clock),
        day=day,
        source=source,
        query=query,
        filters=filters,
        results=results,
        visitor=visitor,
    )


@pytest.fixture
def raw():
    """Two days of a few visitors, counted by hand in the tests below."""
    PageView.objects.bulk_create(
        [
            view(DAY, "a"),
            view(DAY, "a", "catalog:activity", ("activity", 1)),
            view(DAY, "a", "catalog:activity", ("activity", 1)),
            view(DAY, "b", "catalog:activity", ("activity", 1)),
            view(DAY, "b", "catalog:organization", ("organization", 5)),
            view(DAY, "c", "events:event", ("event", 9)),
            view(NEXT_DAY, "a"),
            view(NEXT_DAY, "d", "catalog:activity", ("activity", 1)),
        ]
    )
    SearchEvent.objects.bulk_create(
        [
            # a types «футбол» (three pauses), then looks for something else
            search(DAY, "a", "10:00:00", "фут", 5),
            search(DAY, "a", "10:00:01", "футб", 3),
            search(DAY, "a", "10:00:02", "Футбол", 3),
            search(DAY, "a", "10:05:00", "квиддич", 0),
            # b mistypes and corrects within seconds; then the same words, then narrowed
            search(DAY, "b", "11:00:00", "футбл", 0),
            search(DAY, "b", "11:00:05", "футбол", 3),
            search(DAY, "b", "12:00:00", "шахматы", 2),
            search(DAY, "b", "12:00:30", "шахматы", 0, free=True),
            # c: two searches hours apart, and one through the API right after
            search(DAY, "c", "13:00:00", "Ёлка   рисование", 0),
            search(DAY, "c", "18:00:00", "плавание", 4),
            search(DAY, "c", "18:00:05", "футбол", 3, source="api"),
            # d: the words go on hours later: the same search, finished
            search(DAY, "d", "09:00:00", "рисование", 6),
            search(DAY, "d", "15:00:00", "рисование акварелью", 2),
            search(NEXT_DAY, "a", "10:00:00", "танцы", 7),
            search(NEXT_DAY, "b", "10:00:00", "", 0, direction="tourism"),
        ]
    )


def traffic(day: date) -> tuple[int, int, int, int]:
    row = DailyTraffic.objects.get(day=day)
    return row.page_views, row.visitors, row.searches, row.zero_result_searches


def page_stats(day: date) -> set[tuple[str, int, int, int]]:
    return set(
        DailyPageStat.objects.filter(day=day).values_list("object_type", "object_id", "views", "visitors")
    )


def queries(day: date) -> set[tuple[str, int, int]]:
    return set(DailyQuery.objects.filter(day=day).values_list("query", "searches", "zero_results"))


def everything() -> list[Any]:
    return [
        list(DailyTraffic.objects.order_by("day").values()),
        sorted(DailyPageStat.objects.values_list("day", "object_type", "object_id", "views", "visitors")),
        sorted(DailyQuery.objects.values_list("day", "query", "searches", "zero_results")),
    ]


def test_the_roll_up_equals_the_hand_counts(raw):
    analytics_aggregate(today=TODAY)

    assert traffic(DAY) == (6, 3, 9, 3)
    assert page_stats(DAY) == {("activity", 1, 3, 2), ("organization", 5, 1, 1), ("event", 9, 1, 1)}
    assert queries(DAY) == {
        ("футбол", 3, 0),
        ("квиддич", 1, 1),
        ("шахматы", 2, 0),  # the free filter emptied it, not the words: no gap
        ("елка рисование", 1, 1),
        ("плавание", 1, 0),
        ("рисование акварелью", 1, 0),
    }
    assert traffic(NEXT_DAY) == (2, 2, 2, 1)
    assert page_stats(NEXT_DAY) == {("activity", 1, 1, 1)}
    assert queries(NEXT_DAY) == {("танцы", 1, 0)}  # a search by filters alone has no words


def test_running_twice_gives_the_same_numbers(raw):
    analytics_aggregate(today=TODAY)
    first = everything()
    analytics_aggregate(today=TODAY)
    assert everything() == first


def test_a_later_run_replaces_a_days_numbers_with_the_complete_ones(raw):
    analytics_aggregate(today=TODAY)
    PageView.objects.bulk_create([view(NEXT_DAY, "e", "events:event", ("event", 9))])
    PageView.objects.filter(day=NEXT_DAY, object_type="activity").delete()
    analytics_aggregate(today=TODAY)
    assert traffic(NEXT_DAY)[:2] == (2, 2)
    assert page_stats(NEXT_DAY) == {("event", 9, 1, 1)}


def test_raw_rows_are_kept_30_days_and_rolled_up_before_they_go():
    PageView.objects.bulk_create([view(TOO_OLD, "a"), view(OLDEST_KEPT, "b"), view(TODAY, "c")])
    SearchEvent.objects.bulk_create(
        [search(TOO_OLD, "a", "10:00:00", "шахматы", 0), search(OLDEST_KEPT, "b", "10:00:00", "танцы", 1)]
    )
    summary = analytics_aggregate(today=TODAY)

    assert set(PageView.objects.values_list("day", flat=True)) == {OLDEST_KEPT, TODAY}
    assert list(SearchEvent.objects.values_list("day", flat=True)) == [OLDEST_KEPT]
    assert (summary.page_views_deleted, summary.searches_deleted) == (1, 1)
    assert traffic(TOO_OLD) == (1, 1, 1, 1)
    assert queries(TOO_OLD) == {("шахматы", 1, 1)}


def test_a_day_whose_raw_rows_are_gone_keeps_its_numbers():
    PageView.objects.bulk_create([view(TOO_OLD, "a"), view(TOO_OLD, "b")])
    analytics_aggregate(today=TODAY)
    assert not PageView.objects.filter(day=TOO_OLD).exists()
    analytics_aggregate(today=TODAY + timedelta(days=1))
    assert traffic(TOO_OLD) == (2, 2, 0, 0)


def test_the_salts_of_past_days_are_deleted_so_their_hashes_cannot_be_recomputed():
    Salt.objects.bulk_create([Salt(day=day, value=day.isoformat() * 6) for day in (TOO_OLD, NEXT_DAY, TODAY)])
    summary = analytics_aggregate(today=TODAY)
    assert list(Salt.objects.values_list("day", flat=True)) == [TODAY]
    assert summary.salts_deleted == 2


def test_days_limits_the_run_to_recent_days_but_never_skips_a_day_about_to_go(raw):
    PageView.objects.bulk_create([view(TOO_OLD, "a")])
    analytics_aggregate(today=TODAY)
    DailyTraffic.objects.filter(day=DAY).update(page_views=999)
    PageView.objects.bulk_create([view(NEXT_DAY, "z"), view(TOO_OLD - timedelta(days=1), "y")])

    summary = analytics_aggregate(today=TODAY, days=2)

    assert [d.day for d in summary.days] == [TOO_OLD - timedelta(days=1), NEXT_DAY]
    assert traffic(DAY)[0] == 999  # outside the last two days: left as it was
    assert traffic(NEXT_DAY)[:2] == (3, 3)


def test_the_command_reports_each_day_and_a_summary(raw):
    out = StringIO()
    call_command("aggregate_analytics", stdout=out)
    text = out.getvalue()
    assert "2026-11-27: просмотров 6, посетителей 3, поисков 9 (из 13 запросов по мере ввода)" in text
    assert "Готово: дней сведено 2" in text
    assert DailyTraffic.objects.count() == 2

    quiet = StringIO()
    call_command("aggregate_analytics", "--days", "1", verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""


def test_the_command_refuses_a_bad_number_of_days():
    with pytest.raises(CommandError, match="--days"):
        call_command("aggregate_analytics", "--days", "0")


def test_the_task_runs_the_roll_up(raw):
    result = tasks.aggregate_analytics.enqueue()
    assert result.return_value["days"] == 2
    assert DailyTraffic.objects.count() == 2


def test_counted_requests_end_up_in_the_daily_numbers(client, activity):
    client.get("/", **BROWSER)
    client.get(activity.get_absolute_url(), **BROWSER)
    client.get(activity.get_absolute_url(), HTTP_USER_AGENT=CHROME_PHONE, REMOTE_ADDR="198.51.100.23")
    client.get(activity.get_absolute_url(), HTTP_USER_AGENT="curl/8.5.0")
    for typed in ("фут", "футбо", "футбол"):
        client.get(f"/search/?q={typed}", HTTP_HX_REQUEST="true", **BROWSER)
    client.get("/search/?q=квиддич", HTTP_USER_AGENT=CHROME_PHONE, REMOTE_ADDR="198.51.100.23")
    collect.flush()

    analytics_aggregate()

    today = timezone.localdate()
    assert traffic(today) == (4, 2, 2, 1)
    assert page_stats(today) == {("activity", activity.pk, 2, 2)}
    assert queries(today) == {("футбол", 1, 0), ("квиддич", 1, 1)}


# The as-you-type rule on its own.


def _s(clock: str, query: str, visitor: str = "a", source: str = "page", **filters: Any) -> _Search:
    return _Search(visitor, at(DAY, clock), source, normalise_query(query), filters, False, 1)


def settled(*searches: _Search) -> list[str]:
    return [s.query for s in _settled(searches)]


def test_typing_keeps_only_the_last_words():
    assert settled(_s("10:00:00", "ф"), _s("10:00:01", "фу"), _s("10:00:02", "фут")) == ["фут"]


def test_deleting_and_retyping_within_seconds_is_one_search():
    assert settled(_s("10:00:00", "футбол"), _s("10:00:04", "футзал")) == ["футзал"]


def test_different_words_later_are_two_searches():
    assert settled(_s("10:00:00", "футбол"), _s("10:00:21", "футзал")) == ["футбол", "футзал"]


def test_shortening_later_is_a_new_search():
    assert settled(_s("10:00:00", "футбол"), _s("10:05:00", "фут")) == ["футбол", "фут"]


def test_the_same_words_with_another_filter_are_two_searches():
    assert settled(_s("10:00:00", "футбол"), _s("10:00:02", "футбол", free=True)) == ["футбол", "футбол"]


def test_other_visitors_and_sources_never_merge():
    assert settled(_s("10:00:00", "фут"), _s("10:00:01", "футбол", visitor="b")) == ["фут", "футбол"]
    assert settled(_s("10:00:00", "фут"), _s("10:00:01", "футбол", source="api")) == ["фут", "футбол"]


def test_case_and_yo_do_not_make_a_new_search():
    assert settled(_s("10:00:00", "Ёлка"), _s("10:03:00", "елка рисование")) == ["елка рисование"]


def test_normalised_query():
    assert normalise_query("  Ёлка \t РИСОВАНИЕ ") == "елка рисование"


def test_a_search_by_filters_alone_is_kept_when_words_follow():
    assert settled(_s("10:00:00", "", age=3), _s("10:00:02", "футбол", age=3)) == ["", "футбол"]
    assert settled(_s("10:00:00", "", age=3), _s("10:05:00", "", age=3)) == [""]  # a reload


def test_api_searches_are_never_merged_as_typing():
    assert settled(
        _s("10:00:00", "фут", source="api"),
        _s("10:00:01", "футбол", source="api"),
        _s("10:00:02", "футбол", source="api"),
    ) == ["фут", "футбол", "футбол"]


# Gaps: only what the words asked for.


def test_a_search_emptied_by_a_place_or_filters_is_no_catalog_gap():
    SearchEvent.objects.bulk_create(
        [
            search(DAY, "a", "10:00:00", "футбол", 0, age=3),
            search(DAY, "b", "10:00:00", "футбол", 0),
            search(DAY, "c", "10:00:00", "футбол", 0, sort="near"),
            SearchEvent(
                at=at(DAY, "10:00:00"), day=DAY, source="page", query="футбол", filters={},
                has_location=True, results=0, visitor="d",
            ),
        ]
    )  # fmt: skip
    analytics_aggregate(today=TODAY)
    assert queries(DAY) == {("футбол", 4, 2)}  # b's and c's: the words alone found nothing
    assert traffic(DAY)[2:] == (4, 4)  # the day's zero-result searches count them all


# Free text that points at a person never reaches the daily table.


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Иванова Маша 8-913-123-45-67", "иванова маша …"),
        ("+7 (913) 123 45 67 футбол", "… футбол"),
        ("masha.ivanova@mail.ru танцы", "… танцы"),
        ("masha@mail.ru", ""),
        ("89131234567", ""),
        ("школа 123 футбол 8-12 лет", "школа 123 футбол 8-12 лет"),  # short numbers stay
    ],
)
def test_phone_numbers_and_e_mails_are_taken_out_of_queries(typed, kept):
    assert redact_query(normalise_query(typed)) == kept


def test_the_roll_up_stores_no_phone_number_or_e_mail():
    SearchEvent.objects.bulk_create(
        [
            search(DAY, "a", "10:00:00", "Иванова Маша 8-913-123-45-67", 0),
            search(DAY, "b", "10:00:00", "masha.ivanova@mail.ru", 0),
        ]
    )
    analytics_aggregate(today=TODAY)
    assert queries(DAY) == {("иванова маша …", 1, 1)}
    assert traffic(DAY)[2:] == (2, 2)
