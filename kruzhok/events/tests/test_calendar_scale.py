"""The calendar at a city's scale: only what a page shows is expanded and loaded, and the
shortcuts that make that cheap never change an occurrence."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kruzhok.catalog.tests import factories as catalog_factories
from kruzhok.events import recurrence, selectors, views
from kruzhok.events.recurrence import build_rule, local_zone, occurrence_starts
from kruzhok.events.tests.factories import event, omsk

UTC = ZoneInfo("UTC")
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _reference(
    start: datetime, duration: timedelta, rule: str, low: datetime, high: datetime
) -> list[datetime]:
    """dateutil walked from the real start, with nothing skipped: what occurrence_starts must equal."""
    zone = local_zone()
    local_start = start.astimezone(zone).replace(tzinfo=None)
    found = []
    for local in build_rule(rule, local_start):
        aware = local.replace(tzinfo=zone)
        if aware >= high:
            break
        if aware + duration > low:
            found.append(aware.astimezone(UTC))
    return found


rules = st.one_of(
    st.builds(
        lambda freq, interval, byday, tail: ";".join(
            p for p in (f"FREQ={freq}", f"INTERVAL={interval}" if interval > 1 else "", byday, tail) if p
        ),
        st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
        st.integers(1, 3),
        st.one_of(
            st.just(""),
            st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True).map(
                lambda days: "BYDAY=" + ",".join(days)
            ),
        ),
        st.sampled_from(["", "COUNT=7", "UNTIL=20270315"]),
    ),
    st.builds(
        lambda n, day: f"FREQ=MONTHLY;BYDAY={n}{day}", st.sampled_from([1, 2, -1]), st.sampled_from(DAYS)
    ),
    st.builds(lambda day: f"FREQ=MONTHLY;BYMONTHDAY={day}", st.integers(1, 31)),
    # Parts that replace the start's own weekday or day of the month.
    st.builds(
        lambda freq, part, tail: f"FREQ={freq};{part}{tail}",
        st.sampled_from(["WEEKLY", "MONTHLY", "YEARLY", "DAILY"]),
        st.sampled_from(["BYMONTHDAY=1", "BYMONTHDAY=15,28", "BYYEARDAY=100", "BYWEEKNO=10", "BYMONTH=3"]),
        st.sampled_from(["", ";WKST=SU", ";COUNT=5"]),
    ),
)


@settings(max_examples=120, deadline=None)
@given(
    rule=rules,
    start_offset=st.integers(0, 300 * 24),
    hours=st.integers(1, 30),
    window_offset=st.integers(0, 400 * 24),
    window_hours=st.integers(1, 24 * 10),
)
def test_skipping_ahead_and_the_day_check_never_change_an_occurrence(
    rule: str, start_offset: int, hours: int, window_offset: int, window_hours: int
) -> None:
    start = omsk("2025-01-01T09:30") + timedelta(hours=start_offset)
    duration = timedelta(hours=hours)
    low = omsk("2025-01-01T00:00") + timedelta(hours=window_offset)
    high = low + timedelta(hours=window_hours)
    got = list(
        occurrence_starts(
            starts_at=start,
            duration=duration,
            rule=rule,
            exdates=[],
            window_start=low,
            window_end=high,
            limit=10_000,
        )
    )
    assert got == _reference(start, duration, rule, low, high)


def test_the_day_check_spares_rules_that_cannot_fall_in_the_window():
    parts = recurrence.rule_parts("FREQ=WEEKLY;BYDAY=SA")
    began, sunday = (omsk(text).replace(tzinfo=None) for text in ("2026-01-03T10:00", "2026-11-29T00:00"))
    assert not recurrence._may_fall_between(parts, began, sunday, sunday + timedelta(hours=20))
    assert recurrence._may_fall_between(parts, began, sunday, sunday + timedelta(days=6))


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 2, 5, 9, 40])
def test_a_limited_calendar_is_the_start_of_the_whole_one(limit):
    org = catalog_factories.organization()
    event(org, starts="2026-12-01T10:00", ends="2026-12-01T11:00")
    event(org, starts="2026-12-01T10:00", ends="2026-12-01T12:00")  # the same start: the id decides
    event(org, starts="2026-11-30T22:00", ends="2026-12-02T09:00")  # began before the window
    event(org, starts="2026-12-03T08:00", ends="2026-12-03T09:00")
    event(org, starts="2026-06-02T09:00", ends="2026-06-02T10:00", rrule="FREQ=WEEKLY;BYDAY=TU,TH")
    event(org, starts="2026-12-01T10:00", ends="2026-12-01T11:30", rrule="FREQ=DAILY;COUNT=4")
    event(org, starts="2026-01-05T18:00", ends="2026-01-05T19:00", rrule="FREQ=MONTHLY;BYDAY=1SA")
    event(
        org, starts="2026-12-05T12:00", ends="2026-12-05T13:00", rrule="FREQ=WEEKLY", exdates=["2026-12-12"]
    )
    window = (omsk("2026-12-01T00:00"), omsk("2026-12-20T00:00"))
    whole = selectors.occurrences(*window)
    assert len(whole) > 9
    limited = selectors.occurrences(*window, limit=limit)
    assert [(o.event.pk, o.starts_at) for o in limited] == [(o.event.pk, o.starts_at) for o in whole[:limit]]


@pytest.mark.django_db
def test_a_crowded_window_is_cut_on_a_day_with_a_link_to_the_rest(client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_OCCURRENCES", 4)
    org = catalog_factories.organization()
    for day, count in ((14, 3), (15, 3), (16, 1)):
        for i in range(count):
            event(
                org,
                title=f"Событие {day}-{i}",
                starts=f"2026-12-{day}T1{i}:00",
                ends=f"2026-12-{day}T1{i}:30",
            )
    response = client.get("/events/?from=2026-12-14")
    assert response.status_code == 200
    # 4 fit; the 4th falls on the 15th, so the page ends with the whole 14th.
    assert [o.event.title for o in response.context["occurrences"]] == [f"Событие 14-{i}" for i in range(3)]
    assert [day for day, _items in response.context["days"]] == [date(2026, 12, 14)]
    page = response.content.decode()
    assert "показаны дни по 14 декабря" in page
    assert 'href="?view=list&amp;from=2026-12-15"' in page
    following = client.get("/events/?view=list&from=2026-12-15")
    assert [o.event.title for o in following.context["occurrences"]] == [
        "Событие 15-0",
        "Событие 15-1",
        "Событие 15-2",
        "Событие 16-0",
    ]
    assert "events-more" not in following.content.decode()


@pytest.mark.django_db
def test_a_day_with_more_than_a_page_says_so_and_points_past_it(client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_OCCURRENCES", 2)
    org = catalog_factories.organization()
    for i in range(3):
        event(org, title=f"Утро {i}", starts=f"2026-12-14T0{i + 7}:00", ends=f"2026-12-14T0{i + 7}:30")
    response = client.get("/events/?from=2026-12-14")
    assert [o.event.title for o in response.context["occurrences"]] == ["Утро 0", "Утро 1"]
    page = response.content.decode()
    assert "14 декабря событий больше, чем помещается на странице: показаны первые 2" in page
    assert 'href="?view=list&amp;from=2026-12-15"' in page


@pytest.mark.django_db
def test_a_new_or_changed_event_shows_at_once_despite_the_cache(client):
    org = catalog_factories.organization()
    first = event(org, title="Ярмарка", starts="2026-12-14T10:00", ends="2026-12-14T12:00")
    url = "/events/?from=2026-12-14"
    assert [o.event.title for o in client.get(url).context["occurrences"]] == ["Ярмарка"]
    event(org, title="Концерт", starts="2026-12-14T15:00", ends="2026-12-14T16:00")
    assert [o.event.title for o in client.get(url).context["occurrences"]] == ["Ярмарка", "Концерт"]
    first.title = "Ёлка"
    first.save()
    assert [o.event.title for o in client.get(url).context["occurrences"]] == ["Ёлка", "Концерт"]
    org.status = "draft"
    org.save()
    assert client.get(url).context["occurrences"] == []
