"""The event page's JSON-LD: dates with the Omsk offset, status, place, organizer, offer, schedule."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from django.utils import timezone

from kruzhok.catalog.tests import factories as catalog_factories
from kruzhok.events import selectors
from kruzhok.events.models import Event
from kruzhok.events.tests.factories import event

pytestmark = pytest.mark.django_db


def json_ld(client, ev: Event) -> dict:
    html = client.get(ev.get_absolute_url()).content.decode()
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return json.loads(block)


@pytest.fixture
def open_day():
    org = catalog_factories.organization(name="ДДТ «Кировский»", website="https://ddt.example/")
    venue = catalog_factories.venue(org, address="улица Лукашевича, 10", name="ДДТ")
    activity = catalog_factories.activity(organization=org, venue=venue, title="Робототехника")
    return event(
        org,
        title="День открытых дверей",
        description="Покажем **все** кружки.\n\n- робототехника\n- шахматы",
        starts="2026-09-05T11:00",
        ends="2026-09-05T14:00",
        venue=venue,
        activity=activity,
        age_min=6,
        age_max=14,
        price_rub=0,
    )


def test_event_page_has_an_event_with_offset_dates_place_organizer_and_offer(client, open_day):
    data = json_ld(client, open_day)
    url = "http://testserver" + open_day.get_absolute_url()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "EducationEvent"
    assert data["@id"] == url + "#event"
    assert data["url"] == url
    assert data["name"] == "День открытых дверей"
    # The page's Markdown subset, as plain text.
    assert data["description"] == "Покажем все кружки. робототехника шахматы"
    assert data["startDate"] == "2026-09-05T11:00:00+06:00"
    assert data["endDate"] == "2026-09-05T14:00:00+06:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    location = data["location"]
    assert location["@type"] == "Place"
    assert location["address"]["streetAddress"] == "улица Лукашевича, 10"
    assert location["geo"]["@type"] == "GeoCoordinates"
    assert data["organizer"]["name"] == "ДДТ «Кировский»"
    assert data["organizer"]["url"] == "http://testserver" + open_day.organization.get_absolute_url()
    assert data["organizer"]["sameAs"] == ["https://ddt.example/"]
    assert data["offers"]["price"] == 0 and data["offers"]["priceCurrency"] == "RUB"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["isAccessibleForFree"] is True
    assert data["typicalAgeRange"] == "6-14"
    assert data["about"]["@id"] == "http://testserver" + open_day.activity.get_absolute_url() + "#course"
    assert "eventSchedule" not in data


def test_cancelled_event_says_so_and_keeps_its_dates(client, open_day):
    Event.objects.filter(pk=open_day.pk).update(status=Event.Status.CANCELLED, price_rub=300)
    data = json_ld(client, open_day)
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["startDate"] == "2026-09-05T11:00:00+06:00"
    assert data["offers"]["price"] == 300 and data["isAccessibleForFree"] is False
    assert data["offers"]["availability"] == "https://schema.org/SoldOut"


def test_all_day_event_without_venue_uses_dates_and_the_city(client):
    ev = event(
        title="Фестиваль",
        kind=Event.Kind.CONCERT,
        starts="2026-12-10T00:00",
        ends="2026-12-13T00:00",
        all_day=True,
        venue=None,
    )
    data = json_ld(client, ev)
    assert data["@type"] == "Event"
    assert (data["startDate"], data["endDate"]) == ("2026-12-10", "2026-12-12")
    assert data["location"]["address"] == {"@type": "PostalAddress", "addressLocality": "Омск"}
    assert data["location"]["name"] == ev.organization.name
    assert data["description"] == "Концерт: Фестиваль. " + ev.organization.name + "."


def test_repeating_event_gives_its_next_date_and_its_rule_as_a_schedule(client):
    ev = event(
        title="Турнир по понедельникам и средам",
        kind=Event.Kind.COMPETITION,
        starts="2024-01-01T15:00",
        ends="2024-01-01T16:30",
        rrule="FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;UNTIL=20991231",
        exdates=["2024-01-03"],
    )
    data = json_ld(client, ev)
    [upcoming, *_rest] = selectors.upcoming_for_event(ev, now=timezone.now())
    assert datetime.fromisoformat(data["startDate"]) == upcoming.starts_at
    assert data["startDate"].endswith("+06:00") and data["startDate"][11:16] == "15:00"
    assert datetime.fromisoformat(data["endDate"]) - datetime.fromisoformat(data["startDate"]) == ev.duration
    assert data["eventSchedule"] == {
        "@type": "Schedule",
        "repeatFrequency": "P1W",
        "startDate": "2024-01-01",
        "scheduleTimezone": "Asia/Omsk",
        "startTime": "15:00",
        "endTime": "16:30",
        "duration": "PT1H30M",
        "byDay": ["https://schema.org/Monday", "https://schema.org/Wednesday"],
        "endDate": "2099-12-31",
        "exceptDate": ["2024-01-03"],
    }


def test_monthly_rule_with_an_nth_weekday_and_a_count(client):
    ev = event(
        starts="2026-01-05T10:00", ends="2026-01-05T11:00", rrule="FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO;COUNT=6"
    )
    schedule = json_ld(client, ev)["eventSchedule"]
    assert schedule["repeatFrequency"] == "P2M"
    assert schedule["byDay"] == ["1MO"]  # iCal's own text: schema.org allows it for «first Monday»
    assert schedule["repeatCount"] == 6


def test_event_page_has_preview_tags_and_a_canonical_url(client, open_day):
    html = client.get(open_day.get_absolute_url() + "?utm_medium=email").content.decode()
    url = "http://testserver" + open_day.get_absolute_url()
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:title" content="День открытых дверей">' in html
    assert '<meta property="og:description" content="Покажем все кружки. робототехника шахматы">' in html


def test_calendar_canonical_keeps_the_window_and_filters_and_drops_the_rest(client):
    html = client.get("/events/?view=month&from=2026-12-01&free=1&utm_source=tg&gclid=1").content.decode()
    assert (
        '<link rel="canonical" href="http://testserver/events/?view=month&amp;from=2026-12-01&amp;free=1">'
        in html
    )
