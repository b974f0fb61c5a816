"""Writes a `DemoCatalog` into the database in bulk.

Organizations and venues first (a few thousand rows), then activities streamed in batches:
each batch inserts its activities, their category links, groups and slots with one
`bulk_create` per table, so the number of queries grows with N / batch, never with N. The
whole load is one transaction: a failure leaves no half-seeded catalog behind.
"""

from __future__ import annotations

import functools
import time as monotonic
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext

from kruzhok.catalog.demo.generator import ActivityPlan, DemoCatalog, HouseLike, OrgPlan
from kruzhok.catalog.models import (
    Activity,
    Category,
    Department,
    Direction,
    Group,
    Organization,
    ScheduleSlot,
    Status,
    Venue,
)
from kruzhok.core.text import fold, russian_slug
from kruzhok.places.models import District

DEMO_SOURCE = "demo"
CITY = "Омск"


class DemoCatalogError(Exception):
    """A reason, in Russian, why the demo catalog cannot be loaded as asked."""


@dataclass
class SeedSummary:
    activities: int = 0
    organizations: int = 0
    venues: int = 0
    groups: int = 0
    slots: int = 0
    category_links: int = 0
    free: int = 0
    per_direction: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_rows_exist() -> bool:
    return (
        Activity.objects.filter(source=DEMO_SOURCE).exists()
        or Organization.objects.filter(source=DEMO_SOURCE).exists()
    )


def load_houses() -> Sequence[HouseLike]:
    """The Omsk houses of the shipped gazetteer (`kruzhok.places.gazetteer.houses`)."""
    from kruzhok.places import gazetteer

    source = gazetteer.houses
    rows = source() if callable(source) else source
    return list(rows)


def demo_catalog_delete() -> int:
    """Delete every row the demo created; returns the number of activities removed."""
    activities = Activity.objects.filter(source=DEMO_SOURCE)
    count = activities.count()
    # Children first, by set-based DELETEs, so Django does not load 200,000 objects to cascade.
    ScheduleSlot.objects.filter(group__activity__source=DEMO_SOURCE).delete()
    Group.objects.filter(activity__source=DEMO_SOURCE).delete()
    Activity.categories.through.objects.filter(activity__source=DEMO_SOURCE).delete()
    activities.delete()
    try:
        Organization.objects.filter(source=DEMO_SOURCE).delete()
    except ProtectedError as exc:
        raise DemoCatalogError(
            gettext(
                "Демо-организации нельзя удалить: к ним привязаны занятия не из демо-каталога ({count})."
            ).format(count=len(exc.protected_objects))
        ) from exc
    return count


def demo_catalog_seed(
    *,
    activities: int,
    seed: int,
    replace: bool = False,
    as_of: date | None = None,
    houses: Sequence[HouseLike] | None = None,
    progress: Callable[[str], None] | None = None,
    batch_size: int = 2000,
) -> SeedSummary:
    """Load a deterministic demo catalog of `activities` entries generated from `seed`.

    Refuses when demo rows exist unless `replace`; then they are deleted first, in the same
    transaction. `as_of` anchors `verified_at` (default: today in Asia/Omsk) so the demo always
    looks freshly reviewed; everything else depends only on `activities` and `seed`.
    """
    if activities < 1:
        raise DemoCatalogError(gettext("Число занятий должно быть положительным."))
    started = monotonic.perf_counter()
    say = progress or (lambda _message: None)
    with transaction.atomic():
        if demo_rows_exist():
            if not replace:
                raise DemoCatalogError(
                    gettext(
                        "В каталоге уже есть демо-данные (source=demo). "
                        "Добавьте --replace, чтобы заменить их, или --if-empty, чтобы ничего не делать."
                    )
                )
            removed = demo_catalog_delete()
            say(gettext("Удалён прежний демо-каталог: {count} занятий.").format(count=removed))
        categories = dict(Category.objects.values_list("slug", "id"))
        category_directions = dict(Category.objects.values_list("slug", "direction__slug"))
        if not categories:
            raise DemoCatalogError(gettext("В базе нет категорий: сначала выполните manage.py migrate."))
        catalog = DemoCatalog(
            activities=activities,
            seed=seed,
            houses=houses if houses is not None else load_houses(),
            category_directions=category_directions,
            taken_inns=frozenset(Organization.objects.exclude(inn="").values_list("inn", flat=True)),
        )
        writer = _Writer(catalog, categories=categories, as_of=as_of or timezone.localdate())
        summary = writer.write(say, batch_size=batch_size)
    summary.seconds = monotonic.perf_counter() - started
    return summary


class _Writer:
    def __init__(self, catalog: DemoCatalog, *, categories: dict[str, int], as_of: date) -> None:
        self.catalog = catalog
        self.categories = categories
        self.directions = dict(Direction.objects.values_list("slug", "id"))
        self.direction_names = dict(Direction.objects.values_list("slug", "name_ru"))
        self.departments = dict(Department.objects.values_list("slug", "id"))
        self.okrugs, self.microdistricts = _district_maps()
        self.midnight = datetime.combine(as_of, clock.min, tzinfo=timezone.get_current_timezone())
        self.org_ids: dict[int, int] = {}
        self.venue_ids: dict[tuple[int, int], int] = {}
        self.summary = SeedSummary()

    def verified_at(self, days_ago: float) -> datetime:
        # Whole days back from the anchor, at office hours (9:00–18:00) on that day.
        days = int(days_ago)
        return self.midnight - timedelta(days=days) + timedelta(hours=9 + (days_ago - days) * 9)

    def write(self, say: Callable[[str], None], *, batch_size: int) -> SeedSummary:
        self._organizations(batch_size)
        total = self.catalog.activity_count
        # Small catalogs still report progress about every 10 %.
        batch_size = min(batch_size, max(50, -(-total // 10)))
        next_report = 10
        batch: list[ActivityPlan] = []
        for plan in self.catalog.activities():
            batch.append(plan)
            if len(batch) >= batch_size:
                self._activities(batch, batch_size)
                batch = []
                done = self.summary.activities
                while done * 100 >= next_report * total and next_report <= 100:
                    say(gettext("  {percent}% — {done} из {total} занятий").format(
                        percent=next_report, done=done, total=total
                    ))  # fmt: skip
                    next_report += 10
        if batch:
            self._activities(batch, batch_size)
        self.summary.per_direction = {
            self.direction_names.get(slug, slug): count
            for slug, count in sorted(self.summary.per_direction.items(), key=lambda kv: (-kv[1], kv[0]))
        }
        return self.summary

    def _organizations(self, batch_size: int) -> None:
        plans = self.catalog.organizations
        rows = [self._organization(plan) for plan in plans]
        _bulk(Organization, rows, batch_size)
        self.org_ids = {plan.number: row.pk for plan, row in zip(plans, rows, strict=True)}
        venues: list[Venue] = []
        keys: list[tuple[int, int]] = []
        for plan in plans:
            for index, venue in enumerate(plan.venues):
                keys.append((plan.number, index))
                venues.append(
                    Venue(
                        organization_id=self.org_ids[plan.number],
                        name=venue.name,
                        address=venue.address,
                        city=CITY,
                        lat=venue.lat,
                        lon=venue.lon,
                        district_id=self.okrugs.get(_okrug_key(venue.okrug)),
                        microdistrict_id=self.microdistricts.get(fold(venue.microdistrict)),
                    )
                )
        _bulk(Venue, venues, batch_size)
        self.venue_ids = {key: row.pk for key, row in zip(keys, venues, strict=True)}
        self.summary.organizations = len(rows)
        self.summary.venues = len(venues)

    def _organization(self, plan: OrgPlan) -> Organization:
        department = plan.type.department
        return Organization(
            name=plan.name,
            slug=russian_slug(plan.name),
            kind=plan.type.kind,
            department_id=self.departments.get(department) if department else None,
            inn=plan.inn,
            description=plan.description,
            phone=plan.phone,
            email=plan.email,
            website=plan.website,
            verified=plan.verified,
            status=Status.PUBLISHED,
            verified_at=self.verified_at(plan.verified_days_ago),
            source=DEMO_SOURCE,
            external_id=plan.external_id,
        )

    def _activities(self, plans: list[ActivityPlan], batch_size: int) -> None:
        slug = _cached_slug
        rows = []
        for plan in plans:
            verified_at = self.verified_at(plan.verified_days_ago)
            rows.append(
                Activity(
                    organization_id=self.org_ids[plan.org.number],
                    venue_id=self.venue_ids[(plan.org.number, plan.venue)],
                    title=plan.title,
                    slug=slug(plan.title),
                    description=plan.description,
                    direction_id=self.directions[plan.direction],
                    age_min=plan.age_min,
                    age_max=plan.age_max,
                    price_rub=plan.price_rub,
                    price_note=plan.price_note,
                    format=plan.format,
                    ovz=plan.ovz,
                    enrollment=plan.enrollment,
                    status=plan.status,
                    archived_at=verified_at if plan.status == Status.ARCHIVED else None,
                    verified_at=verified_at,
                    source=DEMO_SOURCE,
                    external_id=plan.external_id,
                )
            )
        _bulk(Activity, rows, batch_size)
        through = Activity.categories.through
        links = [
            through(activity_id=row.pk, category_id=self.categories[category])
            for plan, row in zip(plans, rows, strict=True)
            for category in plan.categories
        ]
        _bulk(through, links, batch_size)
        groups: list[Group] = []
        group_plans = []
        for plan, row in zip(plans, rows, strict=True):
            for group in plan.groups:
                group_plans.append(group)
                groups.append(
                    Group(
                        activity_id=row.pk,
                        name=group.name,
                        age_min=group.age_min,
                        age_max=group.age_max,
                        teacher=group.teacher,
                        capacity=group.capacity,
                    )
                )
        _bulk(Group, groups, batch_size)
        slots = [
            ScheduleSlot(group_id=row.pk, weekday=slot.weekday, starts_at=slot.starts_at, ends_at=slot.ends_at)
            for group, row in zip(group_plans, groups, strict=True)
            for slot in group.slots
        ]
        _bulk(ScheduleSlot, slots, batch_size)
        summary = self.summary
        summary.activities += len(rows)
        summary.category_links += len(links)
        summary.groups += len(groups)
        summary.slots += len(slots)
        summary.free += sum(1 for plan in plans if plan.price_rub == 0)
        directions = Counter(plan.direction for plan in plans)
        for direction, count in directions.items():
            summary.per_direction[direction] = summary.per_direction.get(direction, 0) + count


def _bulk(model: type[Model], rows: Sequence[Model], batch_size: int) -> None:
    if not rows:
        return
    model._default_manager.bulk_create(rows, batch_size=batch_size)
    if rows[0].pk is None:  # every supported backend (PostgreSQL, SQLite ≥ 3.35) returns ids
        raise DemoCatalogError(gettext("База данных не вернула id вставленных строк."))


@functools.lru_cache(maxsize=65536)
def _cached_slug(title: str) -> str:
    return russian_slug(title)


def _okrug_key(name: str) -> str:
    """«Кировский административный округ», «Кировский округ» and «Кировский» are one okrug."""
    words = [w for w in fold(name).split() if w not in ("административный", "округ", "ао")]
    return " ".join(words)


def _district_maps() -> tuple[dict[str, int], dict[str, int]]:
    okrugs: dict[str, int] = {}
    microdistricts: dict[str, int] = {}
    rows = District.objects.filter(city=CITY).order_by("id").values_list("id", "kind", "name")
    for pk, kind, name in rows:
        if kind == District.Kind.OKRUG:
            okrugs.setdefault(_okrug_key(name), pk)
        elif kind == District.Kind.MICRODISTRICT:
            microdistricts.setdefault(fold(name), pk)
    return okrugs, microdistricts
