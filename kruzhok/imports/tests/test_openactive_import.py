"""Importing OpenActive / schema.org JSON: the same validation and report as a CSV, problems
named by item and field, hostile shapes refused, and our own feed imported back unchanged."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kruzhok.catalog.models import Activity, Organization, ScheduleSlot
from kruzhok.catalog.tests import factories
from kruzhok.imports.services import catalog_import

pytestmark = pytest.mark.django_db


def _file(payload: Any, name: str = "feed.json") -> io.BytesIO:
    data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def _series(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "@context": "https://openactive.io/",
        "@type": "SessionSeries",
        "@id": "https://example.org/session-series/1",
        "identifier": "ss-1",
        "name": "Йога для подростков",
        "organizer": {"@type": "Organization", "name": "Студия «Лотос»", "telephone": "+7 3812 00-00-00"},
        "location": {
            "@type": "Place",
            "name": "Студия",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": "улица Лукашевича, 10",
                "addressLocality": "Омск",
            },
            "geo": {"@type": "GeoCoordinates", "latitude": 54.9947, "longitude": 73.2739},
        },
        "activity": [
            {
                "@type": "Concept",
                "@id": "https://openactive.io/activity-list#bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e",
                "inScheme": "https://openactive.io/activity-list",
                "prefLabel": "Yoga",
            },
            {
                "@type": "Concept",
                "@id": "https://openactive.io/activity-list#0a5f732d-e806-4e51-ad40-0a7de0239c8c",
                "inScheme": "https://openactive.io/activity-list",
                "prefLabel": "Football",
            },
        ],
        "ageRange": {"@type": "QuantitativeValue", "minValue": 12, "maxValue": 17},
        "offers": [{"@type": "Offer", "price": 2500, "priceCurrency": "RUB"}],
        "eventSchedule": [
            {
                "@type": "PartialSchedule",
                "repeatFrequency": "P1W",
                "byDay": ["https://schema.org/Tuesday", "schema:Thursday"],
                "startTime": "18:00",
                "endTime": "19:00",
                "scheduleTimezone": "Asia/Omsk",
            }
        ],
    }
    item.update(overrides)
    return item


def test_a_session_series_becomes_an_activity(okrugs):
    report = catalog_import(path_or_file=_file([_series()]), source="partner")
    assert report.ok, report.lines()
    activity = Activity.objects.get(source="partner", external_id="ss-1")
    assert activity.title == "Йога для подростков"
    assert activity.organization.name == "Студия «Лотос»"
    assert activity.direction.slug == "sport"
    assert [c.slug for c in activity.categories.all()] == ["football"]
    assert activity.tags == ["Yoga"], "a concept without a category of ours is kept as a tag"
    assert (activity.age_min, activity.age_max, activity.price_rub) == (12, 17, 2500)
    assert activity.venue.address == "улица Лукашевича, 10"
    slots = sorted(ScheduleSlot.objects.filter(group__activity=activity).values_list("weekday", "starts_at"))
    assert [(d, f"{t:%H:%M}") for d, t in slots] == [(1, "18:00"), (3, "18:00")]


def test_an_rpde_page_and_a_graph_are_read_too(okrugs):
    page = {
        "next": "https://example.org/feed?afterTimestamp=2&afterId=2",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "items": [
            {
                "state": "updated",
                "kind": "SessionSeries",
                "id": "a",
                "modified": 1,
                "data": _series(identifier="a"),
            },
            {"state": "deleted", "kind": "SessionSeries", "id": "b", "modified": 2},
        ],
    }
    report = catalog_import(path_or_file=_file(page), source="rpde")
    assert report.ok, report.lines()
    assert any("удалённых элементов RPDE пропущено: 1" in line for line in report.lines())
    graph = {
        "@context": "https://schema.org/",
        "@graph": [_series(identifier="g", **{"@type": "CourseInstance"})],
    }
    assert catalog_import(path_or_file=_file(graph), source="graph").ok
    assert Activity.objects.filter(source__in=["rpde", "graph"]).count() == 2


def test_problems_name_the_item_and_the_field_and_nothing_is_written(okrugs):
    items = [
        _series(identifier="ok"),
        _series(identifier="gbp", offers=[{"@type": "Offer", "price": 5, "priceCurrency": "GBP"}]),
        _series(identifier="typed", name={"nested": {"deep": 1}}, ageRange={"minValue": True}),
        _series(identifier="old", ageRange={"@type": "QuantitativeValue", "minValue": 16, "maxValue": 99}),
        _series(
            identifier="slot", eventSchedule=[{"byDay": ["Funday"], "startTime": "10:00", "endTime": "11:00"}]
        ),
        {"@type": "ScheduledSession", "identifier": "one-session"},
        _series(identifier="huge", offers=[{"@type": "Offer", "price": 10**40}]),
    ]
    report = catalog_import(path_or_file=_file(items), source="bad")
    assert not report.ok
    errors = "\n".join(str(p) for p in report.errors)
    assert "строка 2, price_rub: элемент 2 (gbp): цена в валюте «GBP»" in errors
    assert "строка 3, title: элемент 3 (typed): ожидается текст, а в файле объект" in errors
    assert "строка 3, age_min: элемент 3 (typed): ожидается число, а в файле логическое значение" in errors
    assert "строка 4, age_max" in errors
    assert "строка 5, schedule: элемент 5 (slot): день «Funday» не понят" in errors
    assert "строка 6, type: элемент 6 (one-session): тип «ScheduledSession» не импортируется" in errors
    assert "строка 7, price_rub" in errors
    assert not Activity.objects.filter(source="bad").exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "не читается как JSON"),
        (b'{"items": [1, 2]}', "элемент — не объект JSON"),
        (json.dumps([_series(ageRange={"minValue": 1e308 * 10})]).encode(), "число слишком велико"),
        (b'[{"@type": "SessionSeries", "name": "x", "offers": "free"}]', "Offer"),
    ],
)
def test_hostile_json_gets_a_message_not_a_crash(payload, message):
    report = catalog_import(path_or_file=_file(payload), source="hostile", dry_run=True)
    assert not report.ok
    assert message in "\n".join(report.lines())


def test_import_catalog_command_reads_openactive_json(tmp_path, okrugs):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"items": [{"state": "updated", "id": 1, "modified": 1, "data": _series()}]}))
    out = io.StringIO()
    call_command("import_catalog", str(path), "--source", "cmd", stdout=out, stderr=io.StringIO())
    assert "создано: 1" in out.getvalue()
    path.write_text(json.dumps([_series(identifier="")]))
    with pytest.raises(CommandError):
        call_command(
            "import_catalog", str(path), "--source", "cmd", stdout=io.StringIO(), stderr=io.StringIO()
        )


def _snapshot() -> list[tuple[Any, ...]]:
    rows = []
    for a in Activity.objects.select_related("organization", "venue", "direction").order_by("title"):
        slots = sorted(
            (s.weekday, s.starts_at, s.ends_at) for s in ScheduleSlot.objects.filter(group__activity=a)
        )
        rows.append(
            (
                a.title, a.description, a.direction.slug, sorted(c.slug for c in a.categories.all()),
                a.organization.name, a.venue.address, a.venue.lat, a.venue.lon, a.age_min, a.age_max,
                a.price_rub, a.ovz, slots,
            )
        )  # fmt: skip
    return rows


def test_our_feed_imports_back_into_an_empty_catalog_unchanged(client, settings, okrugs):
    settings.SITE_URL = "http://testserver"
    factories.activity(title="Футбол", categories=["football", "general-fitness"], price_rub=1200)
    factories.activity(title="Плавание", categories=["swimming"], slots=[], description="")
    factories.activity(
        title="Скалолазание", categories=["climbing"], direction_slug="tourism", ovz=True,
        slots=[(5, "10:00", "11:30")], age_min=9, age_max=14,
    )  # fmt: skip
    before = _snapshot()
    feed = client.get("/openactive/session-series").content

    Activity.objects.all().delete()
    Organization.objects.all().delete()
    report = catalog_import(path_or_file=_file(feed), source="roundtrip")
    assert report.ok, report.lines()
    assert report.counts()["created"] == 3
    assert _snapshot() == before


def test_the_web_upload_takes_openactive_json_and_shows_the_same_report(client, settings, tmp_path, okrugs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kruzhok.accounts.tests import factories as account_factories
    from kruzhok.catalog.models import Department

    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.force_login(account_factories.department_member(Department.objects.get(slug="education")))
    bad = json.dumps([_series(identifier="gbp", offers=[{"price": 5, "priceCurrency": "GBP"}])]).encode()
    response = client.post(
        "/upload/department/education/",
        {"file": SimpleUploadedFile("feed.json", bad, content_type="application/json"), "source": "oa-web"},
    )
    assert response.status_code == 400
    assert "строка 1, price_rub: элемент 1 (gbp): цена в валюте «GBP»" in response.content.decode()
    good = json.dumps({"@graph": [_series()]}).encode()
    response = client.post(
        "/upload/department/education/",
        {"file": SimpleUploadedFile("feed.json", good, content_type="application/json"), "source": "oa-web"},
    )
    assert response.status_code == 302
    assert client.post(response["Location"], {"confirm": "1"}).status_code == 200
    assert Activity.objects.filter(source="oa-web", external_id="ss-1").exists()


def test_other_publishers_shapes_map_by_their_meaning(okrugs):
    item = _series(
        identifier={"@type": "PropertyValue", "name": "partner id", "value": "p-77"},
        category=[
            # Another publisher's concept id with a fragment says nothing about our taxonomy.
            {"@type": "Concept", "@id": "https://other.example/scheme#9f1c2b", "prefLabel": "Плавание"},
            {"@type": "Concept", "@id": "https://other.example/scheme#direction-science", "prefLabel": "Бассейн"},
        ],
        eventSchedule=[
            {"@type": "PartialSchedule", "repeatFrequency": ["P1W"], "byDay": ["schema:Monday"],
             "startTime": "10:00", "endTime": "11:00"},
        ],
    )  # fmt: skip
    report = catalog_import(path_or_file=_file([item]), source="partner")
    assert report.ok, report.lines()
    activity = Activity.objects.get(source="partner")
    assert activity.external_id == "p-77"
    assert activity.direction.slug == "sport"
    assert {c.slug for c in activity.categories.all()} == {"football", "swimming"}
    assert "9f1c2b" not in activity.tags
    assert any("повторение" in line for line in report.lines()), "a list frequency is a warning, not a crash"
