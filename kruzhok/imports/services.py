"""Catalog import: check every row, then write everything in one short transaction.

The order follows pretix's model import: (1) read and validate every row, collecting all
problems with row numbers; (2) resolve locations and plan the writes with a fixed number of
bulk reads (no per-row queries); (3) if nothing is wrong and this is not a dry run, apply the
plan inside one `transaction.atomic` with bulk_create / bulk_update; (4) after commit, tell
listeners (the search index) which activities changed.

Re-importing a file updates the activities matched by (source, external_id) and leaves
unchanged rows untouched. Optional columns missing from the file leave their fields alone on
update, so a partial file (say, only `external_id` … `age_max`) cannot blank out prices or schedules.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import DatabaseError, IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.catalog.models import Activity, Department, Group, Organization, ScheduleSlot, Venue
from kruzhok.core.services import audit_log
from kruzhok.core.text import fold, russian_slug
from kruzhok.imports.readers import ImportFileError, Source, open_table, source_name
from kruzhok.imports.schedule import Slot
from kruzhok.imports.validation import (
    COLUMNS,
    REQUIRED_COLUMNS,
    CatalogRow,
    Lookups,
    Problem,
    RowValidator,
    normalize_header,
)
from kruzhok.places.selectors import district_for
from kruzhok.search import index as search_index

DEFAULT_SOURCE = "import"
MAX_REPORTED_PROBLEMS = 500
PROGRESS_EVERY = 2000
BATCH = 500
# SQLite before 3.32 allowed 999 bound parameters; IN-lists are chunked below that.
IN_CHUNK = 900

# Sent after commit with the ids of created and updated activities (the search index listens).
catalog_imported = Signal()


@dataclass
class ImportReport:
    file_name: str
    source: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organizations_created: int = 0
    venues_created: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, problem: Problem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_PROBLEMS:
            self.errors.append(problem)

    def add_warning(self, problem: Problem) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_REPORTED_PROBLEMS:
            self.warnings.append(problem)

    def summary(self) -> str:
        if not self.ok:
            # "ошибок: N" reads right for every N without Russian plural forms in the catalog.
            return _(
                "%(file)s: ошибок: %(count)s, ничего не записано. Исправьте строки выше и запустите импорт снова."
            ) % {"file": self.file_name, "count": self.error_count}
        counts = _(
            "строк: %(rows)s; создано: %(created)s, обновлено: %(updated)s, без изменений: %(unchanged)s; "
            "новых организаций: %(orgs)s, новых площадок: %(venues)s; предупреждений: %(warnings)s"
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "orgs": self.organizations_created,
            "venues": self.venues_created,
            "warnings": self.warning_count,
        }
        if self.dry_run:
            return _("%(file)s: проверка без записи — ошибок нет; %(counts)s") % {
                "file": self.file_name,
                "counts": counts,
            }
        return _("%(file)s: импорт выполнен; %(counts)s") % {"file": self.file_name, "counts": counts}

    def lines(self) -> list[str]:
        """The errors (or, if none, the warnings), one per line, then the summary."""
        problems, total = (
            (self.errors, self.error_count) if not self.ok else (self.warnings, self.warning_count)
        )
        out = [str(problem) for problem in problems]
        if total > len(problems):
            out.append(_("… и ещё %(count)s") % {"count": total - len(problems)})
        out.append(self.summary())
        return out

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "organizations_created": self.organizations_created,
            "venues_created": self.venues_created,
            "warnings": self.warning_count,
        }


def catalog_import(
    *,
    path_or_file: Source,
    source: str = DEFAULT_SOURCE,
    dry_run: bool = False,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    progress: Callable[[str], None] | None = None,
    department: Department | None = None,
    organization: Organization | None = None,
) -> ImportReport:
    """Import a catalog file; on any row error nothing is written and the report lists them all.

    The web upload narrows who the file may touch. With `department`, new organizations are
    created in it and rows naming an organization outside it are errors. With `organization`
    (a provider's upload), every row must be that organization's. Either way a row that would
    update an activity of an organization outside the scope is an error.
    """
    started = clock.monotonic()
    source = source.strip() or DEFAULT_SOURCE
    report = ImportReport(file_name=source_name(path_or_file), source=source, dry_run=dry_run)
    if len(source) > Activity._meta.get_field("source").max_length:  # type: ignore[operator]
        report.add_error(Problem(None, "source", _("имя источника длиннее 100 символов")))
        return report
    say = progress or (lambda message: None)

    rows, present = _validated_rows(path_or_file, report, say)
    if not report.ok:
        report.seconds = clock.monotonic() - started
        return report

    say(_("строки проверены, определяю адреса и сверяю с каталогом…"))
    scope = _Scope(department=department, organization=organization)
    plan = _Planner(source=source, report=report, present=present, scope=scope).plan(rows)
    if not report.ok:
        report.created = report.updated = report.unchanged = 0
        report.organizations_created = report.venues_created = 0
    elif not dry_run:
        say(
            _("записываю: создать %(created)s, обновить %(updated)s…")
            % {"created": report.created, "updated": report.updated}
        )
        try:
            with transaction.atomic():
                activity_ids = plan.apply()
                # bulk writes send no signals: the index is brought up to date in this transaction.
                search_index.index_activities_around(activity_ids)
                _write_audit(report=report, actor=actor)
                transaction.on_commit(
                    lambda: catalog_imported.send(sender=Activity, activity_ids=activity_ids, source=source)
                )
        except (IntegrityError, DatabaseError) as exc:
            report.created = report.updated = report.unchanged = 0
            report.organizations_created = report.venues_created = 0
            report.add_error(
                Problem(
                    None,
                    "",
                    _(
                        "каталог изменился во время импорта или база отклонила запись (%(reason)s); ничего не записано — запустите импорт ещё раз"
                    )
                    % {"reason": type(exc).__name__},
                )
            )
    report.seconds = clock.monotonic() - started
    return report


# --- phase 1: read and validate ----------------------------------------------------------


def _validated_rows(
    path_or_file: Source, report: ImportReport, say: Callable[[str], None]
) -> tuple[list[CatalogRow], frozenset[str]]:
    """Every valid row, and the catalog columns the file has; problems go to the report."""
    try:
        table = open_table(path_or_file)
    except ImportFileError as exc:
        report.add_error(Problem(None, "", exc.message))
        return [], frozenset()
    for note in table.notes:
        report.add_warning(Problem(None, "", note))

    columns = [normalize_header(cell) for cell in table.columns]
    if not any(columns):
        report.add_error(
            Problem(None, "", _("в первой строке нет заголовков: файл пуст или начинается с пустой строки"))
        )
        return [], frozenset()
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        report.add_error(
            Problem(
                None,
                "",
                _(
                    "в первой строке нет обязательных столбцов: %(missing)s. "
                    "Первая строка должна содержать заголовки: %(all)s"
                )
                % {"missing": ", ".join(missing), "all": ", ".join(COLUMNS)},
            )
        )
        return [], frozenset()
    seen: set[str] = set()
    for position, name in enumerate(columns):
        if name in seen and name in COLUMNS:
            report.add_error(
                Problem(
                    None, name, _("столбец повторяется (столбец №%(n)s); оставьте один") % {"n": position + 1}
                )
            )
        elif name not in COLUMNS:
            label = table.columns[position][:50] or _("(без названия)")
            report.add_warning(
                Problem(None, "", _("столбец «%(name)s» не из формата каталога — пропущен") % {"name": label})
            )
        seen.add(name)
    if not report.ok:
        return [], frozenset()
    present = frozenset(columns) & frozenset(COLUMNS)

    validator = RowValidator(columns=columns, lookups=Lookups.load())
    rows: list[CatalogRow] = []
    try:
        for number, cells in table.rows:
            if not any(cells):
                continue
            report.rows += 1
            if report.rows % PROGRESS_EVERY == 0:
                say(_("проверено строк: %(n)s") % {"n": report.rows})
            row, errors, warnings = validator.clean(number, cells)
            for problem in errors:
                report.add_error(problem)
            for problem in warnings:
                report.add_warning(problem)
            if row is not None:
                rows.append(row)
    except ImportFileError as exc:
        report.add_error(Problem(None, "", exc.message))
        return [], frozenset()
    # What the reader found wrong with items' shapes (OpenActive JSON), after the cells' checks.
    for number, name, message in table.errors:
        report.add_error(Problem(number, name, message))
    for number, name, message in table.warnings:
        report.add_warning(Problem(number, name, message))
    if report.rows == 0 and not table.errors:
        report.add_error(
            Problem(None, "", _("в файле только заголовок и ни одной строки с данными — добавьте строки"))
        )
    return rows, present


# --- phase 2: locate and plan ------------------------------------------------------------


def _chunks[T](items: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Locator:
    """Geocodes addresses and names districts through the gazetteer, each distinct value once."""

    def __init__(self) -> None:
        from kruzhok.places import gazetteer

        self.gazetteer = gazetteer
        self.city = settings.CITY_NAME
        self._geocoded: dict[str, Any] = {}
        self._places: dict[tuple[str, str], int | None] = {}
        self._points: dict[tuple[str, float, float], int | None] = {}

    def geocode(self, address: str) -> Any:
        key = fold(address)
        if key not in self._geocoded:
            self._geocoded[key] = self.gazetteer.geocode(address, city=self.city)
        return self._geocoded[key]

    def place(self, name: object, *, kind: str) -> int | None:
        """The id of the okrug or microdistrict called `name`; an okrug for a microdistrict's parent."""
        if not name or not isinstance(name, str):
            return None
        key = (kind, fold(name))
        if key not in self._places:
            district = district_for(name, kind=kind, city=self.city)
            self._places[key] = district.pk if district is not None else None
        return self._places[key]

    def _at(self, kind: str, lat: float, lon: float, finder: Callable[..., str | None] | None) -> int | None:
        key = (kind, round(lat, 6), round(lon, 6))
        if key not in self._points:
            name = finder(lat, lon, city=self.city) if finder is not None else None
            self._points[key] = self.place(name, kind=kind)
        return self._points[key]

    def okrug_id(self, lat: float, lon: float) -> int | None:
        return self._at("okrug", lat, lon, self.gazetteer.district_of)

    def microdistrict_id(self, lat: float, lon: float) -> int | None:
        return self._at("microdistrict", lat, lon, getattr(self.gazetteer, "microdistrict_of", None))


@dataclass(frozen=True)
class _Scope:
    department: Department | None = None
    organization: Organization | None = None

    @property
    def department_id(self) -> int | None:
        if self.organization is not None:
            return self.organization.department_id
        return self.department.pk if self.department is not None else None


@dataclass
class _Org:
    pk: int | None
    name: str
    inn: str
    kind: str
    department_id: int | None = None

    @property
    def saved_pk(self) -> int:
        assert self.pk is not None, "organizations are created before what refers to them"  # noqa: S101 (an invariant, not a check of input)  # nosec B101
        return self.pk


@dataclass
class _Venue:
    pk: int | None
    org: _Org
    address: str
    lat: float | None
    lon: float | None
    district_id: int | None
    microdistrict_id: int | None
    obj: Venue | None = None
    changed: bool = False


_COMPARED = (
    "title",
    "description",
    "direction_id",
    "age_min",
    "age_max",
    "price_rub",
    "ovz",
    "enrollment",
    "phone",
    "email",
    "website",
)
_ALWAYS = {"title", "direction_id", "age_min", "age_max"}


@dataclass
class _Update:
    current: dict[str, Any]
    row: CatalogRow
    org: _Org
    venue: _Venue
    changed: set[str]


@dataclass
class _Plan:
    source: str
    present: frozenset[str]
    compared: list[str]
    new_orgs: list[_Org] = field(default_factory=list)
    orgs_with_inn: list[_Org] = field(default_factory=list)
    new_venues: list[_Venue] = field(default_factory=list)
    changed_venues: list[_Venue] = field(default_factory=list)
    creates: list[tuple[CatalogRow, _Org, _Venue]] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
    replace_categories: set[int] = field(default_factory=set)
    replace_schedule: set[int] = field(default_factory=set)

    def apply(self) -> list[int]:
        """Write the plan; must run inside a transaction. Returns created and updated activity ids."""
        now = timezone.now()
        self._write_organizations(now)
        self._write_venues(now)

        created = [
            Activity(
                organization_id=org.saved_pk,
                venue_id=venue.pk,
                source=self.source,
                external_id=row.external_id,
                slug=russian_slug(row.title),
                tags=row.tags,
                **{name: getattr(row, name) for name in _COMPARED},
            )
            for row, org, venue in self.creates
        ]
        Activity.objects.bulk_create(created, batch_size=BATCH)

        # bulk_update writes every listed field of every object, so each object carries all of them.
        changed_fields = set().union(*(u.changed for u in self.updates)) if self.updates else set()
        if changed_fields:
            objects = [self._updated_activity(u, now) for u in self.updates if u.changed]
            names = sorted({name.removesuffix("_id") for name in changed_fields} | {"updated_at"})
            Activity.objects.bulk_update(objects, names, batch_size=BATCH)

        fresh = [(obj.pk, row) for obj, (row, _org, _venue) in zip(created, self.creates, strict=True)]
        self._write_categories(fresh)
        if "schedule" in self.present:
            self._write_schedules(fresh)
        return [obj.pk for obj in created] + [u.current["id"] for u in self.updates]

    def _write_organizations(self, now: Any) -> None:
        objects = [
            Organization(
                name=o.name,
                slug=russian_slug(o.name),
                kind=o.kind,
                inn=o.inn,
                source=self.source,
                department_id=o.department_id,
            )
            for o in self.new_orgs
        ]
        Organization.objects.bulk_create(objects, batch_size=BATCH)
        for org, obj in zip(self.new_orgs, objects, strict=True):
            org.pk = obj.pk
        if self.orgs_with_inn:
            Organization.objects.bulk_update(
                [Organization(pk=o.pk, inn=o.inn, updated_at=now) for o in self.orgs_with_inn],
                ["inn", "updated_at"],
                batch_size=BATCH,
            )

    def _write_venues(self, now: Any) -> None:
        objects = [
            Venue(
                organization_id=v.org.saved_pk,
                address=v.address,
                city=settings.CITY_NAME,
                lat=v.lat,
                lon=v.lon,
                district_id=v.district_id,
                microdistrict_id=v.microdistrict_id,
            )
            for v in self.new_venues
        ]
        Venue.objects.bulk_create(objects, batch_size=BATCH)
        for venue, obj in zip(self.new_venues, objects, strict=True):
            venue.pk = obj.pk
        if self.changed_venues:
            Venue.objects.bulk_update(
                [
                    Venue(
                        pk=v.pk,
                        lat=v.lat,
                        lon=v.lon,
                        district_id=v.district_id,
                        microdistrict_id=v.microdistrict_id,
                        updated_at=now,
                    )
                    for v in self.changed_venues
                ],
                ["lat", "lon", "district", "microdistrict", "updated_at"],
                batch_size=BATCH,
            )

    def _updated_activity(self, update: _Update, now: Any) -> Activity:
        row = update.row
        obj = Activity(
            pk=update.current["id"],
            organization_id=update.org.saved_pk,
            venue_id=update.venue.pk,
            slug=russian_slug(row.title) if "slug" in update.changed else update.current["slug"],
            tags=row.tags if "category" in self.present else update.current["tags"],
            updated_at=now,
        )
        for name in self.compared:
            setattr(obj, name, getattr(row, name))
        return obj

    def _write_categories(self, fresh: list[tuple[int, CatalogRow]]) -> None:
        Through = Activity.categories.through
        replaced = [
            (u.current["id"], u.row) for u in self.updates if u.current["id"] in self.replace_categories
        ]
        for chunk in _chunks(sorted(self.replace_categories)):
            Through.objects.filter(activity_id__in=chunk).delete()
        Through.objects.bulk_create(
            [
                Through(activity_id=pk, category_id=cid)
                for pk, row in fresh + replaced
                for cid in row.category_ids
            ],
            batch_size=BATCH * 2,
        )

    def _write_schedules(self, fresh: list[tuple[int, CatalogRow]]) -> None:
        for chunk in _chunks(sorted(self.replace_schedule)):
            ScheduleSlot.objects.filter(group__activity_id__in=chunk).delete()
            Group.objects.filter(activity_id__in=chunk).delete()
        replaced = [
            (u.current["id"], u.row) for u in self.updates if u.current["id"] in self.replace_schedule
        ]
        with_slots = [(pk, row) for pk, row in fresh + replaced if row.schedule]
        groups = [Group(activity_id=pk, name=_("Основная группа")) for pk, _row in with_slots]
        Group.objects.bulk_create(groups, batch_size=BATCH)
        ScheduleSlot.objects.bulk_create(
            [
                ScheduleSlot(
                    group_id=group.pk, weekday=slot.weekday, starts_at=slot.starts_at, ends_at=slot.ends_at
                )
                for group, (_pk, row) in zip(groups, with_slots, strict=True)
                for slot in row.schedule
            ],
            batch_size=BATCH * 2,
        )


class _Planner:
    def __init__(
        self, *, source: str, report: ImportReport, present: frozenset[str], scope: _Scope | None = None
    ) -> None:
        self.source = source
        self.scope = scope or _Scope()
        self.report = report
        self.present = present
        self.locator = _Locator()
        # Optional columns absent from the file are neither compared nor written.
        self.compared = [name for name in _COMPARED if name in _ALWAYS or name.removesuffix("_id") in present]

    def plan(self, rows: list[CatalogRow]) -> _Plan:
        plan = _Plan(source=self.source, present=self.present, compared=self.compared)
        orgs = self._organizations(rows, plan)
        venues = self._venues(rows, orgs, plan)
        existing = self._existing_activities([row.external_id for row in rows])
        self._check_scope(rows, orgs, existing)
        if not self.report.ok:
            return plan
        ids = [a["id"] for a in existing.values()]
        categories = self._existing_categories(ids) if "category" in self.present else {}
        schedules = self._existing_schedules(ids) if "schedule" in self.present else {}

        for row, org, venue in zip(rows, orgs, venues, strict=True):
            current = existing.get(row.external_id)
            if current is None:
                plan.creates.append((row, org, venue))
                continue
            pk = current["id"]
            changed = {name for name in self.compared if current[name] != getattr(row, name)}
            if "title" in changed:
                changed.add("slug")
            if current["organization_id"] != org.pk:
                changed.add("organization_id")
            if venue.pk is None or current["venue_id"] != venue.pk:
                changed.add("venue_id")
            if "category" in self.present:
                if (current["tags"] or []) != row.tags:
                    changed.add("tags")
                if categories.get(pk, set()) != set(row.category_ids):
                    plan.replace_categories.add(pk)
            if "schedule" in self.present and schedules.get(pk, []) != row.schedule:
                plan.replace_schedule.add(pk)
            if changed or pk in plan.replace_categories or pk in plan.replace_schedule:
                plan.updates.append(_Update(current=current, row=row, org=org, venue=venue, changed=changed))
            else:
                self.report.unchanged += 1
        self.report.created = len(plan.creates)
        self.report.updated = len(plan.updates)
        self.report.organizations_created = len(plan.new_orgs)
        self.report.venues_created = len(plan.new_venues)
        return plan

    def _organizations(self, rows: list[CatalogRow], plan: _Plan) -> list[_Org]:
        """Match by INN, else by folded name; one _Org object per organization, new ones included."""
        by_inn: dict[str, _Org] = {}
        by_name: dict[str, list[_Org]] = {}
        by_pk: dict[int, _Org] = {}
        for pk, name, inn, kind, department_id in Organization.objects.order_by("id").values_list(
            "id", "name", "inn", "kind", "department_id"
        ):
            org = by_pk[pk] = _Org(pk=pk, name=name, inn=inn, kind=kind, department_id=department_id)
            if inn:
                by_inn[inn] = org
            by_name.setdefault(fold(name), []).append(org)
        result: list[_Org] = []
        own = self.scope.organization
        own_org = by_pk.get(own.pk) if own is not None else None
        for row in rows:
            key = fold(row.organization)
            if own_org is not None:
                # A provider's file speaks for its organization only; _check_scope reports the others.
                same_inn = bool(row.inn) and row.inn == own_org.inn
                same_name = key == fold(own_org.name) and not (
                    row.inn and own_org.inn and row.inn != own_org.inn
                )
                if same_inn or same_name:
                    if row.inn and not own_org.inn:
                        own_org.inn = row.inn
                        plan.orgs_with_inn.append(own_org)
                    result.append(own_org)
                    continue
            found = by_inn.get(row.inn) if row.inn else None
            if found is None:
                candidates = by_name.get(key, [])
                if row.inn:
                    # Known by name without an INN: it gets this one. With another INN: a different org.
                    found = next((o for o in candidates if not o.inn), None)
                    if found is not None:
                        found.inn = row.inn
                        by_inn[row.inn] = found
                        if found.pk is not None:
                            plan.orgs_with_inn.append(found)
                else:
                    found = candidates[0] if candidates else None
            if found is None:
                found = _Org(
                    pk=None,
                    name=row.organization,
                    inn=row.inn,
                    kind=row.organization_kind,
                    department_id=self.scope.department_id,
                )
                plan.new_orgs.append(found)
                if row.inn:
                    by_inn[row.inn] = found
                by_name.setdefault(key, []).append(found)
            result.append(found)
        return result

    def _check_scope(
        self, rows: list[CatalogRow], orgs: list[_Org], existing: dict[str, dict[str, Any]]
    ) -> None:
        """A scoped upload may touch only its own organizations, old rows and new."""
        scope = self.scope
        if scope.organization is None and scope.department is None:
            return
        if scope.organization is not None:
            allowed_pks = {scope.organization.pk}
        else:
            current = {a["organization_id"] for a in existing.values()} | {o.pk for o in orgs if o.pk}
            allowed_pks = set()
            for chunk in _chunks(sorted(current)):
                allowed_pks |= set(
                    Organization.objects.filter(pk__in=chunk, department=scope.department).values_list(
                        "pk", flat=True
                    )
                )
        for row, org in zip(rows, orgs, strict=True):
            if (org.pk is None and scope.organization is not None) or (
                org.pk is not None and org.pk not in allowed_pks
            ):
                if scope.organization is not None:
                    message = _(
                        "«%(name)s» — не ваша организация: в файле могут быть только занятия "
                        "организации «%(own)s»"
                    ) % {"name": row.organization[:100], "own": scope.organization.name}
                else:
                    message = _(
                        "организация «%(name)s» уже есть в каталоге и не входит в вашу сеть — "
                        "её занятия загружает она сама или редактор"
                    ) % {"name": row.organization[:100]}
                self.report.add_error(Problem(row.row, "organization", message))
                continue
            current_activity = existing.get(row.external_id)
            if current_activity is not None and current_activity["organization_id"] not in allowed_pks:
                self.report.add_error(
                    Problem(
                        row.row,
                        "external_id",
                        _(
                            "занятие «%(id)s» из источника «%(source)s» принадлежит другой организации; "
                            "выберите другой external_id или другой источник"
                        )
                        % {"id": row.external_id[:100], "source": self.source},
                    )
                )

    def _venues(self, rows: list[CatalogRow], orgs: list[_Org], plan: _Plan) -> list[_Venue]:
        """(organization, address) → one venue; existing ones loaded per organization in bulk."""
        by_pk = {o.pk: o for o in orgs if o.pk is not None}
        venues: dict[tuple[int, str], _Venue] = {}
        for chunk in _chunks(sorted(by_pk)):
            for v in (
                Venue.objects.filter(organization_id__in=chunk)
                .order_by("id")
                .values("id", "organization_id", "address", "lat", "lon", "district_id", "microdistrict_id")
            ):
                org = by_pk[v["organization_id"]]
                venues.setdefault(
                    (id(org), fold(v["address"])),
                    _Venue(
                        pk=v["id"],
                        org=org,
                        address=v["address"],
                        lat=v["lat"],
                        lon=v["lon"],
                        district_id=v["district_id"],
                        microdistrict_id=v["microdistrict_id"],
                    ),
                )
        located: set[int] = set()
        result: list[_Venue] = []
        for row, org in zip(rows, orgs, strict=True):
            key = (id(org), fold(row.address))
            venue = venues.get(key)
            if venue is None:
                venue = _Venue(
                    pk=None,
                    org=org,
                    address=row.address,
                    lat=None,
                    lon=None,
                    district_id=None,
                    microdistrict_id=None,
                )
                venues[key] = venue
                plan.new_venues.append(venue)
            # The first row naming a venue places it; later rows at the same address agree or are ignored.
            if id(venue) not in located:
                located.add(id(venue))
                self._locate(venue, row)
                if venue.changed:
                    plan.changed_venues.append(venue)
            result.append(venue)
        return result

    def _locate(self, venue: _Venue, row: CatalogRow) -> None:
        """Coordinates and okrug for a venue: the file's values win, then the gazetteer."""
        before = (venue.lat, venue.lon, venue.district_id, venue.microdistrict_id)
        if row.lat is not None and row.lon is not None:
            venue.lat, venue.lon = row.lat, row.lon
            if before[:2] != (venue.lat, venue.lon):
                venue.microdistrict_id = self.locator.microdistrict_id(venue.lat, venue.lon)
        elif venue.lat is None or venue.lon is None:
            found = self.locator.geocode(row.address)
            # A district centre is not where the venue is: keep the okrug, not the point.
            if found is None or str(getattr(found, "precision", "")) == "district":
                self.report.add_warning(
                    Problem(
                        row.row,
                        "address",
                        _(
                            "адрес «%(address)s» не найден на карте — запись сохранится без точки; "
                            "уточните адрес (улица и дом) или укажите lat и lon"
                        )
                        % {"address": row.address[:100]},
                    )
                )
            else:
                venue.lat, venue.lon = found.lat, found.lon
            if found is not None:
                micro = self.locator.place(getattr(found, "microdistrict", None), kind="microdistrict")
                venue.microdistrict_id = micro if micro is not None else venue.microdistrict_id
                okrug = self.locator.place(getattr(found, "okrug", None), kind="okrug")
                venue.district_id = okrug if okrug is not None else venue.district_id
        moved = before[:2] != (venue.lat, venue.lon)
        if row.district_id is not None:
            venue.district_id = row.district_id
        elif venue.lat is not None and venue.lon is not None and (venue.district_id is None or moved):
            venue.district_id = self.locator.okrug_id(venue.lat, venue.lon) or (
                None if moved else venue.district_id
            )
        venue.changed = venue.pk is not None and before != (
            venue.lat,
            venue.lon,
            venue.district_id,
            venue.microdistrict_id,
        )

    def _existing_activities(self, external_ids: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        fields = ("id", "external_id", "slug", "organization_id", "venue_id", "tags", *_COMPARED)
        for chunk in _chunks(external_ids):
            for values in Activity.objects.filter(source=self.source, external_id__in=chunk).values(*fields):
                found[values["external_id"]] = values
        return found

    @staticmethod
    def _existing_categories(activity_ids: list[int]) -> dict[int, set[int]]:
        result: dict[int, set[int]] = {}
        Through = Activity.categories.through
        for chunk in _chunks(activity_ids):
            for activity_id, category_id in Through.objects.filter(activity_id__in=chunk).values_list(
                "activity_id", "category_id"
            ):
                result.setdefault(activity_id, set()).add(category_id)
        return result

    @staticmethod
    def _existing_schedules(activity_ids: list[int]) -> dict[int, list[Slot]]:
        result: dict[int, set[Slot]] = {}
        for chunk in _chunks(activity_ids):
            rows: Iterable[tuple[int, int, time, time]] = ScheduleSlot.objects.filter(
                group__activity_id__in=chunk
            ).values_list("group__activity_id", "weekday", "starts_at", "ends_at")
            for activity_id, weekday, start, end in rows:
                result.setdefault(activity_id, set()).add(Slot(weekday, start, end))
        return {pk: sorted(slots) for pk, slots in result.items()}


# --- phase 3: audit ----------------------------------------------------------------------


def _write_audit(*, report: ImportReport, actor: AbstractBaseUser | AnonymousUser | None) -> None:
    # An import concerns a whole source, not one row: the subject is the source name.
    audit_log(
        action="imports.catalog.imported",
        object_type="imports.catalog",
        object_id=report.source,
        actor=actor,
        data={"file": report.file_name, "source": report.source, **report.counts()},
    )
