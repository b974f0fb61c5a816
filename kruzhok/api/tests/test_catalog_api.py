"""GET /api/v1/activities, /organizations, /venues, /directions, /categories, /okrugs: the
contract field by field, the filters, what the public never sees, paging, bounded queries and
hostile input. Every answer is checked against our own openapi.json by the `api` fixture."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kruzhok.api.tests.conftest import HIDDEN_EMAIL
from kruzhok.catalog.models import Activity
from kruzhok.catalog.tests import factories

ACTIVITIES = "/api/v1/activities"
ORGANIZATIONS = "/api/v1/organizations"
VENUES = "/api/v1/venues"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
ITEM_KEYS = {
    "id", "external_id", "title", "url", "api_url", "organization", "direction", "categories", "age_min",
    "age_max", "price_rub", "free", "format", "ovz", "enrollment", "district", "address", "lat", "lon",
    "rating", "updated_at",
}  # fmt: skip


def same_utc_moment(text: str, moment: datetime) -> bool:
    """A UTC time as the API writes it (ISO 8601, «Z», milliseconds) is this moment."""
    read = datetime.fromisoformat(text)
    return text.endswith("Z") and abs(read - moment) < timedelta(milliseconds=1)


def test_activities_lists_the_published_ones_in_id_order_with_totals(api, public_catalog):
    status, data = api(path=ACTIVITIES)
    assert status == 200
    wanted = sorted(public_catalog[name].pk for name in ("chess", "football", "robotics"))
    assert [item["id"] for item in data["results"]] == wanted
    assert (data["count"], data["page"], data["page_count"], data["page_size"]) == (3, 1, 1, 20)
    assert (data["next"], data["previous"]) == (None, None)
    chess = public_catalog["chess"]
    item = next(i for i in data["results"] if i["id"] == chess.pk)
    assert set(item) == ITEM_KEYS
    assert item["url"] == f"http://testserver{chess.get_absolute_url()}"
    assert item["api_url"] == f"http://testserver/api/v1/activities/{chess.pk}"
    assert item["organization"] == {"id": chess.organization_id, "name": "Дворец творчества «Сибирь»"}
    assert (item["direction"], item["categories"], item["external_id"]) == ("sport", ["chess"], "ext-chess")
    assert (item["age_min"], item["age_max"], item["price_rub"], item["free"]) == (7, 12, 0, True)
    assert (item["format"], item["ovz"], item["enrollment"], item["rating"]) == ("group", False, "open", None)
    assert (item["district"], item["address"]) == ("Кировский", "проспект Карла Маркса, 12")
    assert item["lat"] == pytest.approx(54.9947) and item["lon"] == pytest.approx(73.2739)
    assert same_utc_moment(item["updated_at"], chess.updated_at)


def test_activity_filters_mean_what_they_mean_in_the_search(api, public_catalog):
    c = public_catalog
    cases = {
        "direction=technical": {"robotics"},
        "category=chess&category=football": {"chess", "football"},
        "district=Центральный": {"football"},
        "district=kirovskiy": {"chess", "robotics"},
        "age=6": {"football"},
        "age=12": {"chess", "robotics"},
        "free=1": {"chess"},
        "ovz=1": {"robotics"},
        "open=1": {"chess", "robotics"},
        "day=sat": {"football"},
        "day=mon&day=tue": {"chess", "robotics"},
        "after=17:00": {"robotics"},
        "before=16:45": {"chess", "football"},
        "day=mon&after=16:00": set(),  # one and the same session must meet both
        f"organization={c['school'].pk}": {"football"},
        f"venue={c['hall'].pk}": {"chess", "robotics"},
        "updated_since=2000-01-01": {"chess", "football", "robotics"},
        "updated_since=" + quote((datetime.now(tz=UTC) + timedelta(hours=1)).isoformat()): set(),
        "organization=999999": set(),
        "direction=sport&free=0&page_size=1&page=2": {"football"},  # free=0 is no filter
    }
    for query, expected in cases.items():
        status, data = api(query, path=ACTIVITIES)
        assert status == 200, (query, data)
        ids = {item["id"] for item in data["results"]}
        assert {name for name in ("chess", "football", "robotics") if c[name].pk in ids} == expected, query


def test_activity_detail_has_everything_the_page_shows(api, public_catalog):
    chess = public_catalog["chess"]
    status, data = api(path=f"{ACTIVITIES}/{chess.pk}")
    assert status == 200
    assert data["title"] == "Шахматный клуб «Ладья»" and data["description"].startswith("Тренировки")
    assert data["organization"] == {
        "id": chess.organization_id,
        "name": "Дворец творчества «Сибирь»",
        "url": f"http://testserver{chess.organization.get_absolute_url()}",
        "api_url": f"http://testserver/api/v1/organizations/{chess.organization_id}",
    }
    assert data["venue"] == {
        "id": chess.venue_id,
        "name": "Большой зал",
        "address": "проспект Карла Маркса, 12",
        "city": "Омск",
        "district": "Кировский",
        "lat": pytest.approx(54.9947),
        "lon": pytest.approx(73.2739),
        "api_url": f"http://testserver/api/v1/venues/{chess.venue_id}",
    }
    assert data["direction"] == {
        "slug": "sport",
        "name_ru": "Физкультурно-спортивная",
        "name_en": "Physical culture and sport",
    }
    assert [c["slug"] for c in data["categories"]] == ["chess"] and data["categories"][0]["name_en"]
    assert data["groups"] == [
        {
            "id": data["groups"][0]["id"],
            "name": "Основная группа",
            "age_min": None,
            "age_max": None,
            "teacher": "",
            "slots": [
                {"weekday": "mon", "starts_at": "15:00", "ends_at": "16:30"},
                {"weekday": "wed", "starts_at": "15:00", "ends_at": "16:30"},
            ],
        },
        {
            "id": data["groups"][1]["id"],
            "name": "Старшая группа",
            "age_min": 10,
            "age_max": 12,
            "teacher": "И. И. Петров",
            "slots": [],
        },
    ]
    # No contacts of its own: the organization's, as the page shows them.
    assert (data["phone"], data["email"]) == ("+7 3812 11-22-33", "info@palace.example.org")
    assert data["schedule_ical_url"] == f"http://testserver/activities/{chess.pk}/schedule.ics"
    assert (data["verified_at"], data["rating"], data["rating_count"], data["tags"]) == (None, None, 0, [])
    assert (data["price_rub"], data["price_note"], data["free"], data["enrollment"]) == (0, "", True, "open")
    assert same_utc_moment(data["updated_at"], chess.updated_at)


def test_nothing_unpublished_and_no_member_email_is_ever_shown(client, api, public_catalog):
    c = public_catalog
    for activity in c["hidden"].values():
        status, body = api(path=f"{ACTIVITIES}/{activity.pk}")
        assert status == 404 and body["error"] == "not_found" and CYRILLIC.search(body["detail"])
    for path in (f"{ORGANIZATIONS}/{c['pending_org'].pk}", f"{VENUES}/{c['pending_venue'].pk}"):
        status, body = api(path=path)
        assert status == 404 and body["error"] == "not_found"
    pages = [
        ACTIVITIES, f"{ACTIVITIES}/{c['chess'].pk}", ORGANIZATIONS, f"{ORGANIZATIONS}/{c['palace'].pk}", VENUES,
        f"{VENUES}/{c['hall'].pk}", "/api/v1/events?from=2026-01-01&to=2027-01-30",
        "/api/v1/events?from=2027-01-01&to=2027-12-31", f"/api/v1/events/{c['draft_link'].pk}",
    ]  # fmt: skip
    for path in pages:
        content = client.get(path).content.decode()
        assert client.get(path).status_code == 200, path
        for secret in (HIDDEN_EMAIL, "Скрытое занятие", "Организация на проверке", "улица Тайная", "скрытой"):
            assert secret not in content, (path, secret)


def test_organizations_list_detail_and_filters(api, public_catalog):
    palace, school = public_catalog["palace"], public_catalog["school"]
    _, data = api(path=ORGANIZATIONS)
    assert [o["id"] for o in data["results"]] == [palace.pk, school.pk]
    first = data["results"][0]
    assert first == {
        "id": palace.pk,
        "name": "Дворец творчества «Сибирь»",
        "url": f"http://testserver{palace.get_absolute_url()}",
        "api_url": f"http://testserver/api/v1/organizations/{palace.pk}",
        "kind": "public",
        "verified": False,
        "activity_count": 2,  # chess and robotics; the draft, pending and archived ones do not count
        "updated_at": first["updated_at"],
    }
    for query, expected in {"kind=private": [school.pk], "district=Центральный": [school.pk]}.items():
        _, found = api(query, path=ORGANIZATIONS)
        assert [o["id"] for o in found["results"]] == expected, query
    _, detail = api(path=f"{ORGANIZATIONS}/{palace.pk}")
    assert (detail["inn"], detail["phone"], detail["email"]) == (
        "5501000001",
        "+7 3812 11-22-33",
        "info@palace.example.org",
    )
    addresses = [v["address"] for v in detail["venues"]]  # by address, as on its page
    assert addresses == sorted(addresses) and addresses[0] == "проспект Карла Маркса, 12"
    assert len(addresses) == palace.venues.count()
    assert detail["activities_url"] == f"http://testserver/api/v1/activities?organization={palace.pk}"
    assert detail["events_url"] == f"http://testserver/api/v1/events?organization={palace.pk}"
    assert detail["events_ical_url"] == f"http://testserver/organizations/{palace.pk}/events.ics"
    assert detail["department"] is None and detail["activity_count"] == 2
    # The activities link gives exactly its published activities.
    _, linked = api(f"organization={palace.pk}", path=ACTIVITIES)
    assert linked["count"] == 2


def test_venues_list_detail_and_filters(api, public_catalog):
    hall, stadium, school = public_catalog["hall"], public_catalog["stadium"], public_catalog["school"]
    _, data = api(path=VENUES)
    ids = [v["id"] for v in data["results"]]
    assert hall.pk in ids and stadium.pk in ids and public_catalog["pending_venue"].pk not in ids
    assert ids == sorted(ids)
    _, mine = api(f"organization={school.pk}", path=VENUES)
    assert [v["id"] for v in mine["results"]] == list(
        school.venues.order_by("pk").values_list("pk", flat=True)
    )
    assert stadium.pk in [v["id"] for v in mine["results"]]
    assert {v["organization"]["name"] for v in mine["results"]} == {"Спортшкола «Старт»"}
    _, central = api("district=Центральный", path=VENUES)
    assert [v["id"] for v in central["results"]] == [stadium.pk]
    _, detail = api(path=f"{VENUES}/{hall.pk}")
    assert (detail["address"], detail["district"], detail["activity_count"]) == (
        "проспект Карла Маркса, 12",
        "Кировский",
        2,
    )
    assert detail["activities_url"] == f"http://testserver/api/v1/activities?venue={hall.pk}"


def test_directions_categories_and_okrugs_with_counts(api, public_catalog):
    _, directions = api(path="/api/v1/directions")
    slugs = [d["slug"] for d in directions["results"]]
    assert slugs == ["technical", "science", "sport", "arts", "tourism", "social"]
    counts = {d["slug"]: d["activity_count"] for d in directions["results"]}
    assert counts == {"technical": 1, "science": 0, "sport": 2, "arts": 0, "tourism": 0, "social": 0}
    assert directions["results"][2]["url"] == "http://testserver/directions/sport/"
    _, categories = api(path="/api/v1/categories")
    by_slug = {c["slug"]: c for c in categories["results"]}
    assert categories["count"] == len(by_slug) > 20
    assert by_slug["chess"]["activity_count"] == 1 and by_slug["chess"]["direction"] == "sport"
    assert by_slug["swimming"]["activity_count"] == 0 and by_slug["swimming"]["name_en"]
    _, okrugs = api(path="/api/v1/okrugs")
    by_name = {o["name"]: o for o in okrugs["results"]}
    assert by_name["Кировский"]["activity_count"] == 2 and by_name["Центральный"]["activity_count"] == 1
    assert by_name["Кировский"]["url"] == "http://testserver/districts/kirovskiy/"


def test_paging_follows_next_to_the_end_and_past_it(api, public_catalog):
    seen, query = [], "page_size=1"
    while query:
        _, data = api(query, path=ACTIVITIES)
        assert data["page_count"] == 3 and len(data["results"]) == 1
        seen += [item["id"] for item in data["results"]]
        query = data["next"].partition("?")[2] if data["next"] else ""
    assert seen == sorted(public_catalog[n].pk for n in ("chess", "football", "robotics"))
    status, past = api("page_size=1&page=9", path=ACTIVITIES)
    assert status == 200 and (past["count"], past["results"], past["next"]) == (3, [], None)
    assert past["previous"] == "http://testserver/api/v1/activities?page_size=1&page=3"


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_a_page_costs_the_same_queries_however_many_items_it_holds(client, public_catalog):
    paths = [
        f"{ACTIVITIES}?page_size=100", ORGANIZATIONS, VENUES, "/api/v1/events?from=2027-02-01&to=2027-02-28",
        f"{ACTIVITIES}/{public_catalog['chess'].pk}", f"{ORGANIZATIONS}/{public_catalog['palace'].pk}",
    ]  # fmt: skip
    before = {path: _queries(client, path) for path in paths}
    palace, hall = public_catalog["palace"], public_catalog["hall"]
    for n in range(4):
        factories.activity(organization=palace, venue=hall, categories=["chess", "drawing"])
        other = factories.organization()
        factories.venue(other)
        public_catalog["weekly"].pk = None  # a copy of the weekly master class, one more event
        public_catalog["weekly"].title = f"Ещё мастер-класс {n}"
        public_catalog["weekly"].save()
    assert Activity.objects.filter(status="published").count() == 7
    after = {path: _queries(client, path) for path in paths}
    assert after == before
    assert before[f"{ACTIVITIES}?page_size=100"] <= 8  # rate limit, version, count, page, categories


@pytest.mark.parametrize(
    ("path", "query", "names"),
    [
        (ACTIVITIES, "organization=abc&venue=0&updated_since=вчера", ["organization", "venue", "updated_since"]),
        (ACTIVITIES, "organization=1%20OR%201=1&venue=99999999999999999999999", ["organization", "venue"]),
        (ACTIVITIES, "updated_since=2026-13-01&page_size=101&page=0", ["page", "page_size", "updated_since"]),
        (ACTIVITIES, "direction=magic&category=nope&day=funday&age=99&free=maybe", ["age", "direction", "category", "free", "day"]),
        (ACTIVITIES, "after=25:00&before=%3Cscript%3E", ["after", "before"]),
        (ORGANIZATIONS, "kind=bogus&district=atlantis&updated_since=1999-12-31", ["district", "kind", "updated_since"]),
        (VENUES, "organization=-1&district=%27%3B%20DROP%20TABLE", ["district", "organization"]),
        (ACTIVITIES, f"organization={'7' * 5000}&page_size={'1' * 5000}", ["organization", "page_size"]),
    ],
)  # fmt: skip
def test_bad_parameters_give_one_422_naming_each(api, path, query, names):
    status, body = api(query, path=path)
    assert status == 422 and body["error"] == "invalid_parameter" and CYRILLIC.search(body["detail"])
    assert sorted(p["name"] for p in body["parameters"]) == sorted(names)


def test_ids_that_name_nothing_are_a_json_404(api):
    for tail in ("0", "99999999999999999999999", "9223372036854775808", "abc", "-1", "1.5", "1/", "7"):
        for path in (ACTIVITIES, ORGANIZATIONS, VENUES, "/api/v1/events"):
            status, body = api(path=f"{path}/{tail}")
            assert status == 404 and body["error"] == "not_found", (path, tail)


def test_error_details_follow_the_chosen_language(api, client):
    client.cookies["django_language"] = "en"
    status, body = api("organization=abc&updated_since=soon", path=ACTIVITIES)
    assert status == 422 and not CYRILLIC.search(body["detail"])
    for path in (ACTIVITIES, ORGANIZATIONS, VENUES, "/api/v1/events"):
        status, body = api(path=f"{path}/7")
        assert status == 404 and not CYRILLIC.search(body["detail"]), path


def test_an_unencoded_plus_in_updated_since_is_read_as_the_offset(api):
    # «+» in a query string is a space: «…T10:00:00+06:00» typed into a browser.
    status, body = api("updated_since=2000-01-01T10:00:00+06:00", path=ACTIVITIES)
    assert status == 200, body
