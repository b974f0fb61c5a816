"""Events for tests: times are given in Omsk wall-clock time, as a provider types them."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kruzhok.catalog.models import Organization
from kruzhok.catalog.tests import factories as catalog_factories
from kruzhok.events import services
from kruzhok.events.models import Event

OMSK = ZoneInfo("Asia/Omsk")
_seq = itertools.count(1)


def omsk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=OMSK)


def event(
    organization: Organization | None = None,
    *,
    starts: str = "2026-03-14T11:00",
    ends: str = "2026-03-14T13:00",
    **kw: Any,
) -> Event:
    org = organization or catalog_factories.organization()
    kw.setdefault("title", f"День открытых дверей №{next(_seq)}")
    kw.setdefault("kind", Event.Kind.OPEN_DAY)
    kw.setdefault("description", "")
    kw.setdefault("rrule", "")
    kw.setdefault("exdates", [])
    kw.setdefault("age_min", None)
    kw.setdefault("age_max", None)
    kw.setdefault("price_rub", 0)
    kw.setdefault("all_day", False)
    if "venue" not in kw:
        kw["venue"] = catalog_factories.venue(org)
    kw.setdefault("activity", None)
    status = kw.pop("status", Event.Status.PUBLISHED)
    created = Event(organization=org, starts_at=omsk(starts), ends_at=omsk(ends), status=status, **kw)
    created.repeats_until = services.repeats_until(
        starts_at=created.starts_at, ends_at=created.ends_at, rule=created.rrule
    )
    created.save()
    return created
