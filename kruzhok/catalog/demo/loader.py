"""Writes a `DemoCatalog` into the database in bulk.

Organizations and venues first, then activities streamed in batches: each batch inserts its
activities, their category links, groups and slots with multi-row INSERTs (see `_Table`), so
the number of queries grows with N / 1000, never with N. The
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
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Model, ProtectedError
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
    events: int = 0
    featured: int = 0
    posts: int = 0
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
    from kruzhok.api.openactive_services import events_deleting, feed_items_deleted
    from kruzhok.events.models import Event

    events = Event.objects.filter(organization__source=DEMO_SOURCE)
    # OpenActive consumers learn of the removal from tombstones (kruzhok/api/models.py).
    event_items = events_deleting(events.values_list("pk", flat=True))
    activity_ids = list(activities.values_list("pk", flat=True))
    events.delete()
    ScheduleSlot.objects.filter(group__activity__source=DEMO_SOURCE).delete()
    Group.objects.filter(activity__source=DEMO_SOURCE).delete()
    Activity.categories.through.objects.filter(activity__source=DEMO_SOURCE).delete()
    activities.delete()
    feed_items_deleted(activity_ids=activity_ids, event_items=event_items)
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
        as_of = as_of or timezone.localdate()
        writer = _Writer(catalog, categories=categories, as_of=as_of)
        summary = writer.write(say, batch_size=batch_size)
        from kruzhok.events.demo import demo_events_seed

        summary.events = demo_events_seed(seed=seed, as_of=as_of, source=DEMO_SOURCE)
        from kruzhok.promotion.demo import demo_promotion_seed

        summary.featured, summary.posts = demo_promotion_seed(seed=seed, as_of=as_of, source=DEMO_SOURCE)
        from kruzhok.analytics.demo import demo_coverage_targets

        demo_coverage_targets(source=DEMO_SOURCE)
        # The rows went in without signals; the search index follows in the same transaction.
        from kruzhok.search import index

        say(gettext("Строю поисковый индекс…"))
        index.rebuild()
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
        self.tables = _tables(timezone.now())
        self.org_ids: dict[int, int] = {}
        self.venue_ids: dict[tuple[int, int], int] = {}
        self.summary = SeedSummary()

    def verified_at(self, days_ago: float) -> datetime:
        # Whole days back from the anchor, at office hours (9:00–18:00) on that day.
        days = int(days_ago)
        return self.midnight - timedelta(days=days) + timedelta(hours=9 + (days_ago - days) * 9)

    def write(self, say: Callable[[str], None], *, batch_size: int) -> SeedSummary:
        self._organizations()
        total = self.catalog.activity_count
        # Batches of at most a tenth of the catalog, so even a small one reports every 10 %.
        batch_size = min(batch_size, -(-total // 10))
        reported = 0
        batch: list[ActivityPlan] = []
        for plan in self.catalog.activities():
            batch.append(plan)
            if len(batch) >= batch_size:
                self._activities(batch)
                batch = []
                done = self.summary.activities
                percent = done * 100 // total // 10 * 10
                if percent > reported:
                    reported = percent
                    say(gettext("  {percent}% — {done} из {total} занятий").format(
                        percent=percent, done=done, total=total
                    ))  # fmt: skip
        if batch:
            self._activities(batch)
            say(gettext("  100% — {total} из {total} занятий").format(total=total))
        self.summary.per_direction = {
            self.direction_names.get(slug, slug): count
            for slug, count in sorted(self.summary.per_direction.items(), key=lambda kv: (-kv[1], kv[0]))
        }
        return self.summary

    def _organizations(self) -> None:
        plans = self.catalog.organizations
        rows = [self._organization(plan) for plan in plans]
        ids = self.tables.organizations.insert(rows, returning=True)
        self.org_ids = {plan.number: pk for plan, pk in zip(plans, ids, strict=True)}
        venues: list[tuple[object, ...]] = []
        keys: list[tuple[int, int]] = []
        for plan in plans:
            for index, venue in enumerate(plan.venues):
                keys.append((plan.number, index))
                venues.append(
                    (
                        self.org_ids[plan.number],
                        venue.name,
                        venue.address,
                        CITY,
                        venue.lat,
                        venue.lon,
                        self.okrugs.get(_okrug_key(venue.okrug)),
                        self.microdistricts.get(fold(venue.microdistrict)),
                    )
                )
        venue_ids = self.tables.venues.insert(venues, returning=True)
        self.venue_ids = dict(zip(keys, venue_ids, strict=True))
        self.summary.organizations = len(rows)
        self.summary.venues = len(venues)

    def _organization(self, plan: OrgPlan) -> tuple[object, ...]:
        department = plan.type.department
        return (
            plan.name,
            russian_slug(plan.name),
            plan.type.kind,
            self.departments.get(department) if department else None,
            plan.inn,
            plan.description,
            plan.phone,
            plan.email,
            plan.website,
            plan.verified,
            Status.PUBLISHED,
            self.verified_at(plan.verified_days_ago),
            DEMO_SOURCE,
            plan.external_id,
        )

    def _activities(self, plans: list[ActivityPlan]) -> None:
        slug = _cached_slug
        rows = []
        for plan in plans:
            verified_at = self.verified_at(plan.verified_days_ago)
            rows.append(
                (
                    self.org_ids[plan.org.number],
                    self.venue_ids[(plan.org.number, plan.venue)],
                    plan.title,
                    slug(plan.title),
                    plan.description,
                    self.directions[plan.direction],
                    plan.age_min,
                    plan.age_max,
                    plan.price_rub,
                    plan.price_note,
                    plan.format,
                    plan.ovz,
                    plan.enrollment,
                    plan.status,
                    verified_at if plan.status == Status.ARCHIVED else None,
                    verified_at,
                    DEMO_SOURCE,
                    plan.external_id,
                )
            )
        ids = self.tables.activities.insert(rows, returning=True)
        links = [
            (pk, self.categories[category])
            for plan, pk in zip(plans, ids, strict=True)
            for category in plan.categories
        ]
        self.tables.links.insert(links)
        groups: list[tuple[object, ...]] = []
        group_plans = []
        for plan, pk in zip(plans, ids, strict=True):
            for group in plan.groups:
                group_plans.append(group)
                groups.append((pk, group.name, group.age_min, group.age_max, group.teacher, group.capacity))
        group_ids = self.tables.groups.insert(groups, returning=True)
        slots = [
            (pk, slot.weekday, slot.starts_at, slot.ends_at)
            for group, pk in zip(group_plans, group_ids, strict=True)
            for slot in group.slots
        ]
        self.tables.slots.insert(slots)
        summary = self.summary
        summary.activities += len(rows)
        summary.category_links += len(links)
        summary.groups += len(groups)
        summary.slots += len(slots)
        summary.free += sum(1 for plan in plans if plan.price_rub == 0)
        directions = Counter(plan.direction for plan in plans)
        for direction, count in directions.items():
            summary.per_direction[direction] = summary.per_direction.get(direction, 0) + count


class _Table:
    """Multi-row ``INSERT … RETURNING id`` for one model, without model instances.

    `bulk_create` spends most of its time building instances and compiling SQL (about 80 % of
    a 200,000-activity load); this writes the same rows from tuples. Columns not given get the
    field's default (auto_now fields: `now`), so a field added to the model later still works.
    """

    def __init__(self, model: type[Model], fields: Sequence[str], *, now: datetime) -> None:
        if not connection.features.can_return_rows_from_bulk_insert:
            raise DemoCatalogError(
                gettext("База данных не умеет возвращать id вставленных строк (нужен SQLite ≥ 3.35).")
            )
        meta = model._meta
        given: list[Field] = []
        for name in fields:
            model_field = meta.get_field(name)
            if not isinstance(model_field, Field):
                raise TypeError(f"{meta.label}.{name} is not a concrete field")
            given.append(model_field)
        given_columns = {field.column for field in given}
        rest = [f for f in meta.concrete_fields if not f.primary_key and f.column not in given_columns]
        self.constants = [
            f.get_db_prep_save(
                now
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else f.get_default(),
                connection,
            )
            for f in rest
        ]
        # Dates and times need the backend's adaptation (SQLite stores them as text).
        self.adapt = [
            (i, field) for i, field in enumerate(given)
            if field.get_internal_type() in ("DateTimeField", "DateField", "TimeField", "JSONField")
        ]  # fmt: skip
        columns = [f.column for f in given] + [f.column for f in rest]
        qn = connection.ops.quote_name
        self.table = str(meta.db_table)
        self.pk_column = str(meta.pk.column) if meta.pk else "id"
        self.copy_sql = f"COPY {qn(self.table)} ({{pk}}{', '.join(qn(str(c)) for c in columns)}) FROM STDIN"
        # Table and column names come from the model's metadata, values are always parameters.
        self.head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(str(c)) for c in columns)}) VALUES "  # noqa: S608 (table and column names from the model)  # nosec B608
        self.placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        self.returning = f" RETURNING {qn(str(meta.pk.column))}" if meta.pk else ""
        max_params = connection.features.max_query_params or 999
        self.rows_per_statement = max(1, min(1000, max_params // len(columns)))

    def insert(self, rows: Sequence[tuple[Any, ...]], *, returning: bool = False) -> list[int]:
        if connection.vendor == "postgresql":
            return self._copy(rows, returning=returning)
        ids: list[int] = []
        step = self.rows_per_statement
        with connection.cursor() as cursor:
            for start in range(0, len(rows), step):
                chunk = rows[start : start + step]
                params: list[Any] = []
                for row in chunk:
                    if self.adapt:
                        values = list(row)
                        for i, field in self.adapt:
                            values[i] = field.get_db_prep_save(values[i], connection)
                        params.extend(values)
                    else:
                        params.extend(row)
                    params.extend(self.constants)
                sql = self.head + ", ".join([self.placeholders] * len(chunk))
                if returning:
                    cursor.execute(sql + self.returning, params)
                    ids.extend(row[0] for row in cursor.fetchall())
                else:
                    cursor.execute(sql, params)
        if returning and len(ids) != len(rows):
            raise DemoCatalogError(gettext("База данных вернула не все id вставленных строк."))
        return ids

    def _copy(self, rows: Sequence[tuple[Any, ...]], *, returning: bool) -> list[int]:
        """PostgreSQL: COPY, with ids taken from the table's own sequence beforehand.

        A statement with tens of thousands of placeholders costs psycopg more to split than the
        server to run; COPY streams rows instead. Reserving ids with nextval() keeps concurrent
        writers safe, as an ordinary INSERT would.
        """
        if not rows:
            return []
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            ids: list[int] = []
            if returning:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [qn(self.table), self.pk_column, len(rows)],
                )
                ids = sorted(row[0] for row in cursor.fetchall())
            sql = self.copy_sql.format(pk=f"{qn(self.pk_column)}, " if returning else "")
            with cursor.cursor.copy(sql) as copy:
                for index, row in enumerate(rows):
                    values = list(row)
                    for i, field in self.adapt:
                        values[i] = field.get_db_prep_save(values[i], connection)
                    if returning:
                        copy.write_row([ids[index], *values, *self.constants])
                    else:
                        copy.write_row([*values, *self.constants])
        return ids


@dataclass
class _Tables:
    organizations: _Table
    venues: _Table
    activities: _Table
    links: _Table
    groups: _Table
    slots: _Table


def _tables(now: datetime) -> _Tables:
    return _Tables(
        organizations=_Table(
            Organization,
            [
                "name",
                "slug",
                "kind",
                "department",
                "inn",
                "description",
                "phone",
                "email",
                "website",
                "verified",
                "status",
                "verified_at",
                "source",
                "external_id",
            ],
            now=now,
        ),  # fmt: skip
        venues=_Table(
            Venue,
            ["organization", "name", "address", "city", "lat", "lon", "district", "microdistrict"],
            now=now,
        ),
        activities=_Table(
            Activity,
            [
                "organization",
                "venue",
                "title",
                "slug",
                "description",
                "direction",
                "age_min",
                "age_max",
                "price_rub",
                "price_note",
                "format",
                "ovz",
                "enrollment",
                "status",
                "archived_at",
                "verified_at",
                "source",
                "external_id",
            ],
            now=now,
        ),  # fmt: skip
        links=_Table(Activity.categories.through, ["activity", "category"], now=now),
        groups=_Table(Group, ["activity", "name", "age_min", "age_max", "teacher", "capacity"], now=now),
        slots=_Table(ScheduleSlot, ["group", "weekday", "starts_at", "ends_at"], now=now),
    )


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
