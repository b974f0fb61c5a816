"""The public calendar: views, filters, date windows, and occurrences on the right local day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kruzhok.catalog.tests import factories as catalog_factories
from kruzhok.events import selectors
from kruzhok.events.recurrence import MAX_OCCURRENCES, RuleError, normalize_rule, parse_exdates
from kruzhok.events.tests.factories import event, omsk
from kruzhok.search.params import parse_params

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return [o.event.title for o in response.context["occurrences"]]


def test_month_view_places_each_occurrence_on_its_omsk_day(client):
    # 00:30 in Omsk on 1 Dec is still 30 Nov in UTC: it belongs to December's first cell.
    event(title="Ночной концерт", starts="2026-12-01T00:30", ends="2026-12-01T01:30")
    event(
        title="Турнир по субботам",
        starts="2026-12-05T10:00",
        ends="2026-12-05T12:00",
        rrule="FREQ=WEEKLY;COUNT=10",
    )
    response = client.get("/events/?view=month&from=2026-12-17")
    assert response.status_code == 200
    cells = {day: [o.event.title for o in items] for week in response.context["weeks"] for day, items in week}
    assert cells[date(2026, 12, 1)] == ["Ночной концерт"]
    assert cells[date(2026, 11, 30)] == []
    assert [d.day for d, titles in cells.items() if "Турнир по субботам" in titles] == [5, 12, 19, 26]
    page = response.content.decode()
    assert "from=2026-11-01" in page and "from=2027-01-01" in page  # previous and next months


def test_week_view_starts_on_monday_and_list_view_takes_a_range(client):
    event(title="Мастер-класс", starts="2026-12-09T16:00", ends="2026-12-09T17:00")
    week = client.get("/events/?view=week&from=2026-12-10")
    assert week.context["first"] == date(2026, 12, 7) and week.context["last"] == date(2026, 12, 13)
    assert _titles(week) == ["Мастер-класс"]
    assert "from=2026-11-30" in week.content.decode() and "from=2026-12-14" in week.content.decode()
    listed = client.get("/events/?from=2026-12-01&to=2026-12-09")  # "to" is inclusive
    assert _titles(listed) == ["Мастер-класс"]
    assert _titles(client.get("/events/?from=2026-12-10&to=2026-12-31")) == []


def test_multi_day_all_day_event_fills_each_of_its_days(client):
    event(title="Фестиваль", starts="2026-12-10T00:00", ends="2026-12-13T00:00", all_day=True)
    response = client.get("/events/?view=month&from=2026-12-01")
    days = [d.day for week in response.context["weeks"] for d, items in week if items]
    assert days == [10, 11, 12]


def test_filters_narrow_the_calendar(client):
    org = catalog_factories.organization()
    chess = catalog_factories.activity(organization=org, title="Шахматный клуб", direction_slug="science")
    leninsky = catalog_factories.venue(org, district=catalog_factories.okrug("Ленинский"))
    event(
        org,
        title="Блиц-турнир",
        activity=chess,
        starts="2026-12-05T10:00",
        ends="2026-12-05T12:00",
        age_min=8,
        age_max=12,
    )
    event(
        org,
        title="Отчётный концерт",
        starts="2026-12-06T10:00",
        ends="2026-12-06T12:00",
        price_rub=200,
        venue=leninsky,
    )
    base = "/events/?from=2026-12-01&to=2026-12-31"
    assert _titles(client.get(base)) == ["Блиц-турнир", "Отчётный концерт"]
    assert _titles(client.get(base + "&q=шахматн")) == ["Блиц-турнир"]  # via the activity's title
    assert _titles(client.get(base + "&q=БЛИЦ")) == ["Блиц-турнир"]
    assert _titles(client.get(base + "&direction=science")) == ["Блиц-турнир"]
    assert _titles(client.get(base + "&age=14")) == ["Отчётный концерт"]  # no age range: for everyone
    assert _titles(client.get(base + "&free=1")) == ["Блиц-турнир"]
    if catalog_factories.okrug("Ленинский") is not None:
        assert _titles(client.get(base + "&district=Ленинский")) == ["Отчётный концерт"]


@pytest.mark.parametrize(
    "query",
    [
        "view=year",
        "from=not-a-date",
        "from=1900-01-01",
        "to=2026-01-01&from=2026-12-01",
        "age=%3Cscript%3E",
        "q=" + "я" * 5000,
        "from=2026-01-01&to=2099-12-31",
        "direction=../../etc",
    ],
)
def test_odd_parameters_still_give_a_calendar(client, query):
    response = client.get("/events/?" + query)
    assert response.status_code == 200
    assert response.context["last"] - response.context["first"] <= timedelta(days=selectors.MAX_WINDOW_DAYS)
    assert "<script>" not in response.content.decode().split("</header>", 1)[-1]


def test_runaway_rule_is_capped():
    daily = event(starts="2026-01-01T09:00", ends="2026-01-01T10:00", rrule="FREQ=DAILY")
    found = selectors.occurrences(
        omsk("2026-01-01T00:00"), omsk("2099-01-01T00:00"), events=daily.organization.events.all()
    )
    assert len(found) <= MAX_OCCURRENCES
    assert found[-1].starts_at < omsk("2026-01-01T00:00") + timedelta(days=selectors.MAX_WINDOW_DAYS)


def test_ongoing_occurrence_that_began_before_the_window_is_included():
    e = event(starts="2026-12-31T22:00", ends="2027-01-01T02:00")
    found = selectors.occurrences(
        omsk("2027-01-01T00:00"), omsk("2027-01-02T00:00"), events=e.organization.events.all()
    )
    assert [o.starts_at for o in found] == [omsk("2026-12-31T22:00")]


def test_finished_rules_are_skipped_in_sql():
    e = event(starts="2026-01-01T09:00", ends="2026-01-01T10:00", rrule="FREQ=DAILY;COUNT=3")
    assert e.repeats_until == omsk("2026-01-03T10:00")
    assert (
        selectors.occurrences(
            omsk("2026-02-01T00:00"), omsk("2026-03-01T00:00"), events=e.organization.events.all()
        )
        == []
    )


def test_event_page_shows_upcoming_dates_and_the_calendar_link(client):
    e = event(
        title="Открытая тренировка",
        starts="2027-01-09T10:00",
        ends="2027-01-09T11:00",
        rrule="FREQ=WEEKLY;COUNT=3",
        exdates=["2027-01-16"],
    )
    response = client.get(f"/events/{e.pk}/")
    assert response.status_code == 200
    assert [o.local_start for o in response.context["upcoming"]] == [
        omsk("2027-01-09T10:00"),
        omsk("2027-01-23T10:00"),
    ]
    assert f"/events/{e.pk}/event.ics" in response.content.decode()


def test_events_page_offers_a_webcal_subscription_with_the_filters(client):
    page = client.get("/events/?free=1&q=концерт").content.decode()
    assert "webcal://testserver/events/feed.ics?q=" in page and "free=1" in page


def test_events_of_hidden_organizations_are_not_shown(client):
    hidden = catalog_factories.organization(status="archived")
    e = event(hidden)
    assert client.get(f"/events/{e.pk}/").status_code == 404
    assert client.get("/events/999999/").status_code == 404


def test_rule_normalisation_and_exdate_parsing():
    assert normalize_rule(" rrule:freq=weekly; byday=mo,we ") == "FREQ=WEEKLY;BYDAY=MO,WE"
    assert normalize_rule("") == ""
    for bad in ("FREQ=HOURLY", "FREQ=DAILY;BYHOUR=5", "FREQ=DAILY;COUNT=x", "nonsense"):
        with pytest.raises(RuleError):
            normalize_rule(bad)
    assert parse_exdates("2026-12-12, 19.12.2026") == [date(2026, 12, 12), date(2026, 12, 19)]
    # Parts that contradict each other: no date ever fits, and dateutil would walk to the year 9999.
    for never in ("FREQ=WEEKLY;BYYEARDAY=100;BYMONTH=1,6", "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2,4"):
        with pytest.raises(RuleError, match="ни одной даты"):
            normalize_rule(never)
    # Rare but real: 29 February on a Sunday, the last day of a year on a Friday.
    for rare in (
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=SU",
        "FREQ=YEARLY;BYYEARDAY=-1;BYMONTH=12;BYDAY=FR",
    ):
        assert normalize_rule(rare) == rare
    with pytest.raises(RuleError):
        parse_exdates(" ".join(f"2026-01-{d:02d}" for d in range(1, 32)) * 8)


def test_search_params_filter_events_without_a_text_query():
    params, errors = parse_params({"free": "1", "age": "9"})
    assert not errors
    e = event(starts="2026-12-05T10:00", ends="2026-12-05T11:00", age_min=6, age_max=10)
    assert list(selectors.events_matching(params)) == [e]


def test_activity_page_links_its_schedule_calendar(client):
    activity = catalog_factories.activity()
    page = client.get(activity.get_absolute_url()).content.decode()
    assert f"/activities/{activity.pk}/schedule.ics" in page


def test_a_drafts_title_and_categories_cannot_be_probed_through_its_events():
    draft = catalog_factories.activity(title="Секретный кружок скалолазания", categories=["climbing"])
    draft.status = "draft"
    draft.save()
    hidden = event(draft.organization, activity=draft, title="День открытых дверей")
    shown = event(draft.organization, title="Скалолазание: открытый урок")
    assert not selectors.event_mentions(hidden, "секретный")
    by_category, _problems = parse_params({"category": ["climbing"]})
    assert hidden not in selectors.events_matching(by_category)
    assert shown not in selectors.events_matching(by_category)  # no activity, no category
