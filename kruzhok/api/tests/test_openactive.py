"""OpenActive RPDE feeds: order, tombstones, paging, bounded queries, bad parameters, the dataset
page — and a whole walk with the `openactive` Python package, as a consumer would do it."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kruzhok.accounts.tests import factories as account_factories
from kruzhok.api import openactive_selectors as selectors
from kruzhok.api.tests.openactive_fixtures import build_catalog, loopback_site
from kruzhok.catalog import services as catalog_services
from kruzhok.catalog.models import Activity, Status
from kruzhok.catalog.tests import factories
from kruzhok.events import services as event_services
from kruzhok.events.tests.factories import omsk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver"


def _walk(client, feed: str, *, start: str | None = None) -> tuple[list[dict[str, Any]], str]:
    """Every item from `start` to the last page, and the last page's URL."""
    url = start or f"http://testserver/openactive/{feed}"
    items: list[dict[str, Any]] = []
    for _page in range(100):
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["license"] == "https://creativecommons.org/licenses/by/4.0/"
        assert response["Access-Control-Allow-Origin"] == "*", "any site's script may read a feed"
        if not body["items"]:
            assert body["next"] == url, "the last page's next is its own URL"
            assert response["Cache-Control"] == "public, max-age=8"
            return items, url
        assert response["Cache-Control"] == "public, max-age=3600"
        last = body["items"][-1]
        assert f"afterTimestamp={last['modified']}" in body["next"]
        items += body["items"]
        url = body["next"]
    raise AssertionError("the feed never ended")


def _order(items: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(i["modified"], f"{i['id']:012d}" if isinstance(i["id"], int) else i["id"]) for i in items]


def test_session_series_lists_public_activities_and_tombstones_in_order(client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    catalog = build_catalog()
    items, _last = _walk(client, "session-series")
    assert _order(items) == sorted(_order(items)), "ordered by (modified, id)"
    assert len({i["id"] for i in items}) == len(items), "each item once"
    state = {i["id"]: i["state"] for i in items}
    assert (
        state[catalog.football.pk] == state[catalog.ovz_swimming.pk] == state[catalog.online.pk] == "updated"
    )
    assert state[catalog.chess.pk] == "deleted", "not a physical activity: outside OpenActive's scope"
    assert state[catalog.archived.pk] == "deleted"
    assert state[catalog.deleted_id] == "deleted", "a hard delete leaves a tombstone"
    assert all("data" not in i for i in items if i["state"] == "deleted")

    data = {i["id"]: i["data"] for i in items if i["state"] == "updated"}
    football = data[catalog.football.pk]
    assert football["@type"] == "SessionSeries"
    assert football["activity"][0]["prefLabel"] == "Football"
    assert football["offers"][0] == {
        "@type": "Offer",
        "@id": f"http://testserver{catalog.football.get_absolute_url()}#offer",
        "name": "Занятия, в месяц",
        "price": 1500,
        "priceCurrency": "RUB",
    }
    assert football["eventSchedule"][0] == {
        "@type": "PartialSchedule",
        "repeatFrequency": "P1W",
        "byDay": ["https://schema.org/Monday"],
        "startTime": "15:00",
        "endTime": "16:30",
        "duration": "PT1H30M",
        "scheduleTimezone": "Asia/Omsk",
    }
    assert football["ageRange"] == {"@type": "QuantitativeValue", "minValue": 7, "maxValue": 12}
    assert football["location"]["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": 54.9947,
        "longitude": 73.2739,
    }
    assert football["category"][0]["@id"] == "http://testserver/openactive/categories#direction-sport"
    swimming = data[catalog.ovz_swimming.pk]
    assert swimming["isAccessibleForFree"] is True
    assert swimming["eventSchedule"] == [{"@type": "PartialSchedule", "scheduleTimezone": "Asia/Omsk"}]
    online = data[catalog.online.pk]
    assert "location" not in online
    assert online["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert "ОВЗ" in swimming["accessibilityInformation"]
    assert "лист ожидания" in swimming["schedulingNote"].lower()


def test_a_change_moves_the_item_after_everything_read_so_far(client):
    first = factories.activity(title="Скалолазание", categories=["climbing"], direction_slug="tourism")
    second = factories.activity(title="Бокс")
    items, last_page = _walk(client, "session-series")
    assert [i["id"] for i in items] == [first.pk, second.pk]

    editor = account_factories.user(email="oa-order@example.org", is_editor=True)
    first.title = "Скалолазание и боулдеринг"
    first.save()  # a write through the ORM: re-indexed in its own transaction
    catalog_services.activities_delete(activities=[second], actor=editor)
    later, _ = _walk(client, "session-series", start=last_page)
    assert [(i["id"], i["state"]) for i in later] == [(first.pk, "updated"), (second.pk, "deleted")]
    assert min(i["modified"] for i in later) > max(i["modified"] for i in items)
    assert later[0]["data"]["name"] == "Скалолазание и боулдеринг"


def test_scheduled_sessions_publish_each_occurrence_and_bury_removed_ones(client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)  # pages end inside an event's occurrences
    catalog = build_catalog()
    items, last_page = _walk(client, "scheduled-sessions")
    assert _order(items) == sorted(_order(items))
    by_id = {i["id"]: i for i in items}
    weekly = f"{catalog.weekly.pk:010d}"
    assert by_id[f"{weekly}-202612011700"]["state"] == "updated"
    assert by_id[f"{weekly}-202612081700"]["state"] == "updated"
    # COUNT=4 became COUNT=2: the two later occurrences are tombstones.
    assert by_id[f"{weekly}-202612151700"]["state"] == "deleted"
    assert by_id[f"{weekly}-202612221700"]["state"] == "deleted"
    session = by_id[f"{weekly}-202612011700"]["data"]
    assert session["startDate"] == "2026-12-01T17:00:00+06:00"
    assert session["endDate"] == "2026-12-01T18:30:00+06:00"
    assert session["superEvent"]["@type"] == "SessionSeries"
    assert session["superEvent"]["offers"][0]["price"] == 300
    assert by_id[f"{catalog.chess_event.pk:010d}-202612051100"]["state"] == "deleted", (
        "a chess event is out of scope"
    )
    tournament = by_id[f"{catalog.cancelled.pk:010d}-202612120000"]["data"]
    assert tournament["eventStatus"] == "https://schema.org/EventCancelled"
    assert tournament["startDate"] == "2026-12-12T00:00:00+06:00"
    assert tournament["endDate"] == "2026-12-14T00:00:00+06:00"

    # Restoring an occurrence brings it back as updated and drops its tombstone: each id once.
    editor = account_factories.user(email="oa-events@example.org", is_editor=True)
    event_services.event_update(
        event=catalog.weekly,
        actor=editor,
        data={
            **{f: getattr(catalog.weekly, f) for f in event_services.EVENT_FIELDS},
            "rrule": "FREQ=WEEKLY;COUNT=3",
            "starts_at": omsk("2026-12-01T17:00"),
        },
    )
    later, _ = _walk(client, "scheduled-sessions", start=last_page)
    assert {(i["id"], i["state"]) for i in later} == {
        (f"{weekly}-202612011700", "updated"),
        (f"{weekly}-202612081700", "updated"),
        (f"{weekly}-202612151700", "updated"),
    }
    everything, _ = _walk(client, "scheduled-sessions")
    ids = [i["id"] for i in everything]
    assert len(ids) == len(set(ids))
    assert {i["id"]: i["state"] for i in everything}[f"{weekly}-202612221700"] == "deleted"


def test_deleting_an_organization_buries_its_events(client):
    editor = account_factories.user(email="oa-org@example.org", is_editor=True)
    organization = factories.organization(name="Клуб без занятий")
    venue = factories.venue(organization)
    event = event_services.event_create(
        organization=organization,
        actor=editor,
        data={
            "title": "Концерт",
            "description": "",
            "kind": "concert",
            "activity": None,
            "venue": venue,
            "starts_at": omsk("2026-12-20T18:00"),
            "ends_at": omsk("2026-12-20T20:00"),
            "all_day": False,
            "rrule": "",
            "exdates": [],
            "age_min": None,
            "age_max": None,
            "price_rub": 200,
        },
    )
    catalog_services.organizations_delete(organizations=[organization], actor=editor)
    items, _ = _walk(client, "scheduled-sessions")
    assert [(i["id"], i["state"]) for i in items] == [(f"{event.pk:010d}-202612201800", "deleted")]


def test_a_feed_page_costs_a_fixed_number_of_queries(client):
    for n in range(3):
        factories.activity(title=f"Секция {n}", categories=["football", "general-fitness"])
    with CaptureQueriesContext(connection) as few:
        client.get("/openactive/session-series")
    for n in range(3, 15):
        factories.activity(title=f"Секция {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/openactive/session-series")
    assert len(response.json()["items"]) == 15
    assert len(many.captured_queries) == len(few.captured_queries) <= 9


@pytest.mark.parametrize(
    ("feed", "query", "fragment"),
    [
        ("session-series", "afterTimestamp=5", "вместе"),
        ("session-series", "afterId=5", "вместе"),
        ("session-series", "afterTimestamp=abc&afterId=1", "afterTimestamp"),
        ("session-series", "afterTimestamp=-1&afterId=1", "afterTimestamp"),
        ("session-series", f"afterTimestamp={2**63}&afterId=1", "afterTimestamp"),
        ("session-series", "afterTimestamp=1&afterId=1e9", "afterId"),
        ("session-series", "afterTimestamp=1&afterId=%27%20OR%201%3D1--", "afterId"),
        ("scheduled-sessions", "afterTimestamp=1&afterId=12", "afterId"),
        ("scheduled-sessions", "afterTimestamp=1&afterId=0000000012-2026", "afterId"),
        ("scheduled-sessions", "afterTimestamp=%D9%A3&afterId=0000000012-202612011500", "afterTimestamp"),
    ],
)
def test_bad_cursor_parameters_get_a_422_with_a_message(client, feed, query, fragment):
    response = client.get(f"/openactive/{feed}?{query}")
    assert response.status_code == 422
    assert response["Access-Control-Allow-Origin"] == "*", "a script reading the feed sees why"
    body = response.json()
    assert body["error"] == "invalid_parameter"
    assert fragment in body["detail"]


def test_the_largest_cursor_gives_the_last_page(client):
    factories.activity()
    response = client.get(f"/openactive/session-series?afterTimestamp={2**63 - 1}&afterId=999999999999")
    assert response.status_code == 200
    assert response.json()["items"] == []
    response = client.get(
        f"/openactive/scheduled-sessions?afterTimestamp={2**53}&afterId=9999999999-999912312359"
    )
    assert response.json()["items"] == []


def test_feeds_refuse_writes(client):
    assert client.post("/openactive/session-series").status_code == 405


def test_dataset_page_embeds_the_dataset_and_links_the_feeds(client):
    response = client.get("/openactive/")
    assert response.status_code == 200
    html = response.content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    dataset = json.loads(blocks[0])
    assert dataset["@type"] == "Dataset"
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert [d["contentUrl"] for d in dataset["distribution"]] == [
        "http://testserver/openactive/session-series",
        "http://testserver/openactive/scheduled-sessions",
    ]
    for url in ("/openactive/session-series", "/openactive/scheduled-sessions", "/openactive/categories"):
        assert f'href="http://testserver{url}"' in html
    # No script runs on the page: the one script element is a JSON-LD data block.
    assert html.count("<script") == 1
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_concept_scheme_names_every_category_and_maps_the_official_ones(client):
    scheme = client.get("/openactive/categories").json()
    concepts = {c["id"].split("#")[1]: c for c in scheme["concept"]}
    assert concepts["chess"]["prefLabel"] == "Шахматы"
    assert "exactMatch" not in concepts["chess"]
    assert concepts["football"]["exactMatch"] == [
        "https://openactive.io/activity-list#0a5f732d-e806-4e51-ad40-0a7de0239c8c"
    ]
    assert "direction-sport" in concepts
    assert "event-open_day" in concepts


def test_official_concepts_exist_in_the_openactive_activity_list():
    from pathlib import Path

    from kruzhok.api.openactive_activities import OFFICIAL, OPENACTIVE_ACTIVITY_LIST

    path = Path(__file__).parent / "data" / "openactive-activity-list.jsonld"
    listed = {c["id"]: c["prefLabel"] for c in json.loads(path.read_text())["concept"]}
    for slug, (uuid, label) in OFFICIAL.items():
        assert listed.get(f"{OPENACTIVE_ACTIVITY_LIST}#{uuid}") == label, slug


def test_openactive_package_walks_the_feed_and_follows_changes(client, settings, monkeypatch):
    """The `openactive` package (PyPI) as a consumer: a full walk, then polling after edits."""
    import openactive as oa

    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    catalog = build_catalog()
    extra = [factories.activity(title=f"Волейбол {n}", categories=["volleyball"]) for n in range(4)]
    published = Activity.objects.filter(status=Status.PUBLISHED).exclude(pk=catalog.chess.pk)
    public = set(published.values_list("pk", flat=True))  # the physical activities
    results: dict[str, Any] = {}

    def consume(start: Any, key: str) -> None:
        results[key] = oa.get_opportunities(start, seconds_wait_next=0, num_tries_max=1)

    with loopback_site(client) as (base, serve):
        settings.SITE_URL = base
        worker = threading.Thread(target=consume, args=(f"{base}/openactive/session-series", "first"))
        worker.start()
        serve(lambda: not worker.is_alive(), 60)
        first = results["first"]
        assert first["status"] == "COMPLETE"
        assert set(first["items"]) == public
        assert first["num_urls"] >= 3  # several pages

        editor = account_factories.user(email="oa-walk@example.org", is_editor=True)
        catalog_services.activities_delete(activities=[extra[0]], actor=editor)
        Activity.objects.get(pk=extra[1].pk).save()
        archived = Activity.objects.get(pk=catalog.football.pk)
        archived.status = Status.ARCHIVED
        archived.save()
        added = factories.activity(title="Баскетбол", categories=["basketball"])
        worker = threading.Thread(target=consume, args=(first, "second"))
        worker.start()
        serve(lambda: not worker.is_alive(), 60)
    second = results["second"]
    assert second["status"] == "COMPLETE"
    assert set(second["items"]) == (public - {extra[0].pk, catalog.football.pk}) | {added.pk}


def test_an_event_moves_after_the_cursor_when_its_activity_changes(client):
    catalog = build_catalog()
    items, last_page = _walk(client, "scheduled-sessions")
    one_off = f"{catalog.one_off.pk:010d}-202612051100"
    assert {i["id"]: i["state"] for i in items}[one_off] == "updated"
    # Its activity stops being a physical one: the event leaves the feed's scope, and a
    # consumer already past the event's old number must still hear of it.
    football = catalog.football
    football.categories.set([factories.category("chess")])
    later, _ = _walk(client, "scheduled-sessions", start=last_page)
    assert (one_off, "deleted") in {(i["id"], i["state"]) for i in later}


def test_a_page_ignores_numbers_above_what_has_committed(client, monkeypatch):
    first = factories.activity(title="Бокс")
    committed = selectors.current_seq()
    factories.activity(title="Плавание", categories=["swimming"])
    # As if the second write were still in flight when the page read the sequence.
    monkeypatch.setattr(selectors, "current_seq", lambda: committed)
    items, _ = _walk(client, "session-series")
    assert [i["id"] for i in items] == [first.pk]
