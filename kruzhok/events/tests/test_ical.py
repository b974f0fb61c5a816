"""Every feed parsed back with `icalendar` and expanded with `recurring-ical-events`: the
occurrences must be exactly our own expansion, in Omsk wall-clock time, across the year."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from kruzhok.catalog.tests import factories as catalog_factories
from kruzhok.events import selectors
from kruzhok.events.ical import next_slot_start
from kruzhok.events.tests.factories import OMSK, event, omsk

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
YEAR_START = omsk("2026-01-01T00:00")
YEAR_END = omsk("2027-01-01T00:00")
LATER = {"starts": "2027-03-14T11:00", "ends": "2027-03-14T13:00"}


def _parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _their_starts(
    calendar: icalendar.Calendar, start: datetime, end: datetime
) -> list[tuple[str, datetime | date]]:
    found = recurring_ical_events.of(calendar).between(start, end)
    return sorted(
        ((str(c["UID"]), c.DTSTART) for c in found),
        key=lambda pair: (
            pair[1]
            if isinstance(pair[1], datetime)
            else datetime.combine(pair[1], datetime.min.time(), tzinfo=OMSK),
            pair[0],
        ),
    )


def _our_starts(events, start: datetime, end: datetime, host: str = "testserver"):
    result = []
    for o in selectors.occurrences(start.astimezone(UTC), end.astimezone(UTC), events=events):
        local = o.local_start
        result.append((f"event-{o.event.pk}@{host}", local.date() if o.event.all_day else local))
    return result


def test_weekly_rule_with_exdates_matches_recurring_ical_events_across_the_year(client):
    org = catalog_factories.organization(name="ДДТ «Радуга»")
    weekly = event(
        org,
        starts="2026-01-10T18:30",
        ends="2026-01-10T20:00",
        rrule="FREQ=WEEKLY;BYDAY=SA",
        exdates=["2026-03-07", "2026-11-07"],
    )
    monthly = event(
        org, starts="2026-01-31T10:00", ends="2026-01-31T12:00", rrule="FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=12"
    )
    until = event(
        org, starts="2026-06-01T09:00", ends="2026-06-01T09:45", rrule="FREQ=DAILY;INTERVAL=3;UNTIL=20260701"
    )
    one_off = event(org, starts="2026-12-31T23:30", ends="2027-01-01T00:30")
    calendar = _parse(client.get(f"/organizations/{org.pk}/events.ics"))
    theirs = _their_starts(calendar, YEAR_START, YEAR_END)
    ours = _our_starts(org.events.all(), YEAR_START, YEAR_END)
    assert theirs == ours
    assert len([1 for uid, _ in ours if uid == f"event-{weekly.pk}@testserver"]) == 51 - 2
    assert len([1 for uid, _ in ours if uid == f"event-{monthly.pk}@testserver"]) == 12
    assert (
        len([1 for uid, _ in ours if uid == f"event-{until.pk}@testserver"]) == 11
    )  # 1 Jun … 1 Jul, every 3rd day
    assert (f"event-{one_off.pk}@testserver", omsk("2026-12-31T23:30")) in ours
    # Wall-clock time stays 18:30 in Omsk all year (the zone has had no DST since 2014).
    assert {
        start.astimezone(OMSK).strftime("%H:%M")
        for uid, start in theirs
        if uid == f"event-{weekly.pk}@testserver"
    } == {"18:30"}


def test_all_day_multi_day_event_has_date_values_and_exclusive_dtend(client):
    festival = event(
        starts="2026-05-09T00:00", ends="2026-05-11T00:00", all_day=True, rrule="FREQ=YEARLY;COUNT=3"
    )
    calendar = _parse(client.get(f"/events/{festival.pk}/event.ics"))
    (component,) = calendar.walk("VEVENT")
    assert component.DTSTART == date(2026, 5, 9)
    assert component.DTEND == date(2026, 5, 11)  # two days: 9 and 10 May; DTEND the day after
    assert str(component["UID"]) == f"event-{festival.pk}@testserver"
    assert component["DTSTAMP"].dt.tzinfo is not None
    theirs, ours = [], []
    for year in (2026, 2027, 2028, 2029):  # our windows are capped at 400 days: one year at a time
        start, end = omsk(f"{year}-01-01T00:00"), omsk(f"{year + 1}-01-01T00:00")
        theirs += _their_starts(calendar, start, end)
        ours += _our_starts(festival.organization.events.all(), start, end)
    assert theirs == ours
    assert [start for _, start in theirs] == [date(2026, 5, 9), date(2027, 5, 9), date(2028, 5, 9)]


def test_timed_event_has_omsk_tzid_and_vtimezone(client):
    concert = event(starts="2026-12-20T17:00", ends="2026-12-20T19:00", kind="concert")
    calendar = _parse(client.get(f"/events/{concert.pk}/event.ics"))
    (component,) = calendar.walk("VEVENT")
    assert component["DTSTART"].params["TZID"] == "Asia/Omsk"
    assert component.DTSTART.astimezone(UTC) == datetime(2026, 12, 20, 11, 0, tzinfo=UTC)  # UTC+6
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Omsk"]
    assert b"BEGIN:VCALENDAR" in client.get(f"/events/{concert.pk}/event.ics").content


def test_until_in_utc_and_exdate_keep_their_meaning_in_the_feed(client):
    org = catalog_factories.organization()
    # UNTIL 2026-02-10T12:00Z is 18:00 in Omsk: the 18:00 session on 10 Feb is the last one.
    event(
        org,
        starts="2026-02-01T18:00",
        ends="2026-02-01T19:00",
        rrule="FREQ=DAILY;UNTIL=20260210T120000Z",
        exdates=["2026-02-05"],
    )
    calendar = _parse(client.get(f"/organizations/{org.pk}/events.ics"))
    theirs = _their_starts(calendar, YEAR_START, YEAR_END)
    assert theirs == _our_starts(org.events.all(), YEAR_START, YEAR_END)
    days = [start.date().day for _, start in theirs]
    assert days == [1, 2, 3, 4, 6, 7, 8, 9, 10]


def test_cancelled_event_is_in_the_feed_with_status_cancelled(client):
    gone = event(status="cancelled")
    calendar = _parse(client.get(f"/events/{gone.pk}/event.ics"))
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_feed_filters_and_round_trip(client, settings):
    org = catalog_factories.organization()
    chess = catalog_factories.activity(organization=org, title="Шахматы", direction_slug="science")
    free = event(
        org,
        title="Турнир по шахматам",
        activity=chess,
        rrule="FREQ=WEEKLY;COUNT=5",
        kind="competition",
        **LATER,
    )
    event(org, title="Концерт хора", price_rub=300, **LATER)
    event(org, title="Шахматный блиц прошлой весной")  # ended long ago: not in a subscription
    start, end = omsk("2027-03-01T00:00"), omsk("2027-05-01T00:00")
    calendar = _parse(client.get("/events/feed.ics?q=шахмат&free=1"))
    assert [str(c["UID"]) for c in calendar.walk("VEVENT")] == [f"event-{free.pk}@testserver"]
    assert _their_starts(calendar, start, end) == _our_starts(org.events.filter(pk=free.pk), start, end)
    assert len(_parse(client.get("/events/feed.ics?free=1")).walk("VEVENT")) == 1
    assert len(_parse(client.get("/events/feed.ics")).walk("VEVENT")) == 2
    # Broken filters still give a valid calendar (the shared parser drops what it cannot read).
    assert _parse(client.get("/events/feed.ics?age=abc&district=%3Cscript%3E")).walk("VEVENT")


def test_activity_schedule_is_weekly_events_from_the_next_session(client):
    activity = catalog_factories.activity(slots=[(0, "15:00", "16:30"), (5, "10:00", "11:30")])
    calendar = _parse(client.get(f"/activities/{activity.pk}/schedule.ics"))
    components = calendar.walk("VEVENT")
    assert len(components) == 2
    slots = {s.pk: s for g in activity.groups.all() for s in g.slots.all()}
    now = datetime.now(tz=UTC)
    for component in components:
        slot = slots[int(str(component["UID"]).split("-")[1].split("@")[0])]
        assert component["RRULE"]["FREQ"] == ["WEEKLY"]
        assert component.DTSTART.weekday() == slot.weekday
        assert component.DTSTART.time() == slot.starts_at and component.DTEND.time() == slot.ends_at
        assert component["DTSTART"].params["TZID"] == "Asia/Omsk"
        assert component.DTSTART > now - timedelta(minutes=1)
    # Expanded over four weeks: two sessions a week, every one at the slot's Omsk time.
    window_start = datetime.now(tz=OMSK)
    found = recurring_ical_events.of(calendar).between(window_start, window_start + timedelta(days=28))
    assert len(found) == 8
    assert {(c.DTSTART.weekday(), c.DTSTART.strftime("%H:%M")) for c in found} == {(0, "15:00"), (5, "10:00")}


def test_next_slot_start_moves_past_a_session_already_begun():
    activity = catalog_factories.activity(slots=[(2, "15:00", "16:30")])
    slot = activity.groups.get().slots.get()
    wednesday_noon = omsk("2026-04-15T12:00")  # a Wednesday
    assert next_slot_start(slot, now=wednesday_noon) == omsk("2026-04-15T15:00")
    assert next_slot_start(slot, now=omsk("2026-04-15T15:00")) == omsk("2026-04-22T15:00")


def test_unknown_or_hidden_objects_have_no_feed(client):
    archived = catalog_factories.organization(status="archived")
    assert client.get(f"/organizations/{archived.pk}/events.ics").status_code == 404
    assert client.get("/activities/999999/schedule.ics").status_code == 404
    assert client.get("/events/999999/event.ics").status_code == 404


def test_the_text_filter_is_applied_before_the_feed_limit(client, monkeypatch):
    from kruzhok.events import views

    monkeypatch.setattr(views, "FEED_MAX_EVENTS", 2)
    org = catalog_factories.organization()
    for n in range(3):  # earlier events that do not match take the first places in time order
        event(org, title=f"Концерт хора №{n}", **LATER)
    wanted = event(org, title="Турнир по шахматам", starts="2027-04-10T11:00", ends="2027-04-10T13:00")
    calendar = _parse(client.get("/events/feed.ics?q=шахмат"))
    assert [str(c["UID"]) for c in calendar.walk("VEVENT")] == [f"event-{wanted.pk}@testserver"]
