"""`seed_demo` also lays out a calendar: a few hundred events, some recurring, reproducibly."""

from __future__ import annotations

from datetime import date

import pytest

from kruzhok.catalog.demo.loader import DEMO_SOURCE, demo_catalog_seed
from kruzhok.events.demo import demo_events_seed
from kruzhok.events.models import Event
from kruzhok.events.recurrence import normalize_rule

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 9, 1)


def _snapshot() -> list[tuple]:
    return list(
        Event.objects.order_by("activity__external_id", "starts_at").values_list(
            "activity__external_id",
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "all_day",
            "rrule",
            "exdates",
            "price_rub",
        )
    )


def test_demo_events_are_realistic_and_deterministic():
    summary = demo_catalog_seed(activities=1500, seed=1, as_of=AS_OF)
    events = Event.objects.all()
    assert summary.events == events.count()
    assert 200 <= events.count() <= 400
    assert events.exclude(rrule="").count() >= 15
    assert events.filter(all_day=True).exists()
    assert set(events.values_list("kind", flat=True)) >= {
        "open_day",
        "competition",
        "concert",
        "master_class",
    }
    for event in events.exclude(rrule=""):
        assert normalize_rule(event.rrule) == event.rrule
    for event in events:
        assert event.venue is None or event.venue.organization_id == event.organization_id
        assert event.activity.organization_id == event.organization_id
    first = _snapshot()
    # Replacing the whole demo catalog takes half a minute; the events alone show the same.
    Event.objects.all().delete()
    assert demo_events_seed(seed=1, as_of=AS_OF, source=DEMO_SOURCE) == len(first)
    assert _snapshot() == first
    Event.objects.all().delete()
    demo_events_seed(seed=2, as_of=AS_OF, source=DEMO_SOURCE)
    assert _snapshot() != first


def test_replacing_the_demo_catalog_replaces_its_events():
    demo_catalog_seed(activities=60, seed=1, as_of=AS_OF)
    count = Event.objects.count()
    assert count > 0
    demo_catalog_seed(activities=60, seed=1, as_of=AS_OF, replace=True)
    assert Event.objects.count() == count
