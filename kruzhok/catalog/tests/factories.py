"""Small builders for catalog rows; every argument has a sensible Omsk default."""

from __future__ import annotations

import itertools
from datetime import time
from typing import Any

from kruzhok.catalog.models import Activity, Category, Direction, Group, Organization, ScheduleSlot, Venue
from kruzhok.places.models import District

_seq = itertools.count(1)


def direction(slug: str = "sport") -> Direction:
    return Direction.objects.get(slug=slug)


def category(slug: str = "football") -> Category:
    return Category.objects.get(slug=slug)


def okrug(name: str = "Кировский") -> District | None:
    return District.objects.filter(kind="okrug", name=name).first()


def organization(**kw: Any) -> Organization:
    kw.setdefault("name", f"Детско-юношеский центр №{next(_seq)}")
    return Organization.objects.create(**kw)


def venue(org: Organization | None = None, **kw: Any) -> Venue:
    kw.setdefault("address", f"улица Лукашевича, {next(_seq)}")
    kw.setdefault("lat", 54.9947)
    kw.setdefault("lon", 73.2739)
    kw.setdefault("district", okrug("Кировский"))
    return Venue.objects.create(organization=org or organization(), **kw)


def activity(
    *,
    categories: list[str] | None = None,
    slots: list[tuple[int, str, str]] | None = None,
    **kw: Any,
) -> Activity:
    org = kw.pop("organization", None) or organization()
    kw.setdefault("venue", venue(org))
    kw.setdefault("title", f"Секция футбола №{next(_seq)}")
    kw.setdefault("direction", direction(kw.pop("direction_slug", "sport")))
    kw.setdefault("age_min", 7)
    kw.setdefault("age_max", 12)
    kw.setdefault("description", "Тренировки для начинающих: техника, игра в команде, турниры.")
    act = Activity.objects.create(organization=org, **kw)
    act.categories.set([category(slug) for slug in (categories or ["football"])])
    if slots is None:
        slots = [(0, "15:00", "16:30"), (2, "15:00", "16:30")]
    if slots:
        group = Group.objects.create(activity=act, name="Основная группа")
        for weekday, start, end in slots:
            ScheduleSlot.objects.create(
                group=group,
                weekday=weekday,
                starts_at=time.fromisoformat(start),
                ends_at=time.fromisoformat(end),
            )
    return act


def okrug_row(name: str = "Кировский", *, city: str = "Омск") -> District:
    """The okrug row, created when the places migration has not made it (tests only need a few)."""
    from kruzhok.core.text import russian_slug

    row, _created = District.objects.get_or_create(
        city=city,
        kind="okrug",
        slug=russian_slug(name),
        defaults={"name": name, "lat": 54.99, "lon": 73.37},
    )
    return row


def microdistrict_row(name: str, *, okrug: District, city: str = "Омск") -> District:
    from kruzhok.core.text import russian_slug

    row, _created = District.objects.get_or_create(
        city=city,
        kind="microdistrict",
        slug=russian_slug(name),
        defaults={"name": name, "parent": okrug, "lat": okrug.lat, "lon": okrug.lon},
    )
    return row
