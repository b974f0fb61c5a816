"""GET /api/v1/events and /api/v1/events/<id>: occurrences in a window of Omsk days, in UTC and
Omsk time, the calendar page's filters, paging and the window's limits."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kruzhok.events.recurrence import local_zone

EVENTS = "/api/v1/events"
FEBRUARY = {"from": "2027-02-01", "to": "2027-02-28"}


def titles(data: dict) -> list[str]:
    return [item["title"] for item in data["results"]]


def test_a_window_lists_each_occurrence_in_utc_and_omsk_time(api, public_catalog):
    status, data = api(FEBRUARY, path=EVENTS)
    assert status == 200
    assert titles(data) == [
        "День открытых дверей",
        "Мастер-класс по шахматам",  # 6 Feb; 13 Feb is an exception date
        "Турнир по футболу",
        "Мастер-класс по шахматам",
        "Открытая тренировка",
        "Мастер-класс по шахматам",
    ]
    assert (data["count"], data["first_day"], data["last_day"], data["truncated"]) == (
        6,
        "2027-02-01",
        "2027-02-28",
        False,
    )
    open_day, first_class = data["results"][0], data["results"][1]
    assert (open_day["starts_at"], open_day["ends_at"]) == ("2027-02-06T05:00:00Z", "2027-02-06T07:00:00Z")
    assert open_day["starts_at_local"] == "2027-02-06T11:00:00+06:00"
    assert open_day["ends_at_local"] == "2027-02-06T13:00:00+06:00"
    chess = public_catalog["chess"]
    assert open_day["activity"] == {
        "id": chess.pk,
        "title": "Шахматный клуб «Ладья»",
        "url": f"http://testserver{chess.get_absolute_url()}",
        "api_url": f"http://testserver/api/v1/activities/{chess.pk}",
    }
    assert open_day["venue"]["address"] == "проспект Карла Маркса, 12"
    assert open_day["organization"] == {
        "id": public_catalog["palace"].pk,
        "name": "Дворец творчества «Сибирь»",
    }
    weekly = public_catalog["weekly"]
    assert first_class["event_id"] == weekly.pk and first_class["recurring"] is True
    assert first_class["url"] == f"http://testserver/events/{weekly.pk}/"
    assert first_class["api_url"] == f"http://testserver/api/v1/events/{weekly.pk}"
    assert (first_class["age_min"], first_class["age_max"], first_class["kind"]) == (7, 12, "master_class")
    assert [o["starts_at_local"][:10] for o in data["results"] if o["event_id"] == weekly.pk] == [
        "2027-02-06",
        "2027-02-20",
        "2027-02-27",
    ]
    tournament = data["results"][2]
    assert tournament["cancelled"] is True and (tournament["price_rub"], tournament["free"]) == (300, False)
    # Its activity is a draft: not named.
    assert data["results"][4]["activity"] is None


def test_the_calendars_filters_and_the_organization(api, public_catalog):
    school = public_catalog["school"]
    cases = {
        "free=1": ["День открытых дверей", "Мастер-класс по шахматам", "Открытая тренировка"],
        "age=14": ["День открытых дверей", "Турнир по футболу", "Открытая тренировка"],
        "category=chess": ["День открытых дверей", "Мастер-класс по шахматам"],
        "direction=technical": [],
        "district=Центральный": ["Турнир по футболу", "Открытая тренировка"],
        "q=шахмат": ["День открытых дверей", "Мастер-класс по шахматам"],  # its activity's title too
        f"organization={school.pk}": ["Турнир по футболу", "Открытая тренировка"],
    }
    for query, expected in cases.items():
        status, data = api(f"from=2027-02-01&to=2027-02-28&{query}", path=EVENTS)
        assert status == 200 and sorted(set(titles(data))) == sorted(expected), query


def test_the_default_window_is_today_and_the_next_30_days(api, public_catalog):
    today = timezone.now().astimezone(local_zone()).date()
    status, data = api(path=EVENTS)
    assert status == 200
    assert (data["first_day"], data["last_day"]) == (
        today.isoformat(),
        (today + timedelta(days=30)).isoformat(),
    )
    _, only_from = api("from=2027-02-20", path=EVENTS)
    assert (only_from["first_day"], only_from["last_day"]) == ("2027-02-20", "2027-03-22")
    assert only_from["count"] == 4


def test_occurrences_page_like_every_list(api, public_catalog):
    _, first = api({**FEBRUARY, "page_size": "4"}, path=EVENTS)
    assert (first["count"], first["page_count"], len(first["results"])) == (6, 2, 4)
    assert first["next"] == "http://testserver/api/v1/events?from=2027-02-01&to=2027-02-28&page_size=4&page=2"
    _, second = api(first["next"].partition("?")[2], path=EVENTS)
    assert titles(second) == ["Открытая тренировка", "Мастер-класс по шахматам"] and second["next"] is None
    assert second["previous"].endswith("page_size=4&page=1")


def test_bad_windows_and_parameters_are_a_422_naming_each(api, db):
    cases = {
        "from=2027-02-10&to=2027-02-01": ["to"],
        "from=2027-01-01&to=2028-02-05": ["to"],
        "from=01.02.2027&to=2027-02-31": ["from", "to"],
        "from=2200-01-01": ["from"],
        "from=2027-02-01T10:00": ["from"],
        "organization=x&page_size=500&q=" + "ф" * 300: ["page_size", "q", "organization"],
        "category=nope&age=-1&free=maybe": ["age", "category", "free"],
    }
    for query, names in cases.items():
        status, body = api(query, path=EVENTS)
        assert status == 422 and body["error"] == "invalid_parameter", query
        assert sorted(p["name"] for p in body["parameters"]) == sorted(names), query


def test_event_detail_with_its_rule_and_next_dates(api, public_catalog):
    weekly = public_catalog["weekly"]
    status, data = api(path=f"{EVENTS}/{weekly.pk}")
    assert status == 200
    assert (data["id"], data["title"], data["rrule"], data["exdates"]) == (
        weekly.pk,
        "Мастер-класс по шахматам",
        "FREQ=WEEKLY;BYDAY=SA;COUNT=4",
        ["2027-02-13"],
    )
    assert (data["starts_at_local"], data["ends_at_local"]) == (
        "2027-02-06T15:00:00+06:00",
        "2027-02-06T16:30:00+06:00",
    )
    assert [o["starts_at_local"] for o in data["upcoming"]] == [
        "2027-02-06T15:00:00+06:00",
        "2027-02-20T15:00:00+06:00",
        "2027-02-27T15:00:00+06:00",
    ]
    assert data["ical_url"] == f"http://testserver/events/{weekly.pk}/event.ics"
    status, cancelled = api(path=f"{EVENTS}/{public_catalog['cancelled'].pk}")
    assert status == 200 and cancelled["cancelled"] is True and cancelled["upcoming"]
    status, body = api(path=f"{EVENTS}/{public_catalog['pending_event'].pk}")
    assert status == 404 and body["error"] == "not_found"
