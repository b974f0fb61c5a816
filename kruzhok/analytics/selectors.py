"""The KPI figures: every number the dashboard, its CSV files and `kpi_report` show.

Each section is a few aggregate queries (GROUP BY in the database), however many rows there are:
a year of traffic or a million page views costs the same number of round trips. A `Scope` is the
period and, for a department, its network (organizations whose `department` is that one); search
queries, alert subscribers and mails are city-wide, so a department sees them too (queries are
stored with phone numbers and e-mail addresses taken out: `services.redact_query`).

Days are Asia/Omsk days: the daily tables store the local day already; `OutboxMail.sent_at` is a
UTC datetime and is truncated in the site's time zone.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.models import DepartmentMembership, Membership, User
from kruzhok.analytics.models import CoverageTarget, DailyPageStat, DailyQuery, DailyTraffic
from kruzhok.catalog.models import Activity, Department, Direction, Organization, Status
from kruzhok.catalog.templatetags.catalog_tags import loc_name
from kruzhok.community.models import Comment
from kruzhok.core.models import AuditLog
from kruzhok.events.models import Event
from kruzhok.moderation.models import ActivityVersion, Suggestion
from kruzhok.notifications.models import OutboxMail, Subscription
from kruzhok.places.models import District

DEFAULT_DAYS = 30
TOP_QUERIES = 20
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

# Contributions: what was contributed, through which door, by whom.
KIND_NEW = "new"
KIND_EDIT = "edit"
KIND_COMMENT = "comment"
KIND_SUGGESTION = "suggestion"
KINDS = {
    KIND_NEW: _("новые записи"),
    KIND_EDIT: _("правки"),
    KIND_COMMENT: _("отзывы"),
    KIND_SUGGESTION: _("предложения"),
}
SOURCE_WEB = "web"
SOURCE_SUGGESTION = "suggestion"
SOURCE_IMPORT = "import"
SOURCE_API = "api"
SOURCE_ADMIN = "admin"
SOURCES = {
    SOURCE_WEB: _("веб-форма"),
    SOURCE_SUGGESTION: _("предложение"),
    SOURCE_IMPORT: _("импорт"),
    SOURCE_API: _("API"),
    SOURCE_ADMIN: _("админка"),
}
ROLES = {
    "citizen": _("горожанин"),
    "provider": _("поставщик"),
    "department": _("департамент"),
    "editor": _("редактор"),
    "admin": _("администратор"),
    "system": _("без пользователя"),
}
# Activity.source values written by programs talking to the site rather than by an uploaded file.
API_SOURCES = ("api",)
# Version actions that change an entry's content (not the baseline rows, not a bare confirmation).
EDIT_ACTIONS = (ActivityVersion.Action.EDITED, ActivityVersion.Action.EDITOR, ActivityVersion.Action.REVERTED)


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    month: str = ""  # "YYYY-MM" when a calendar month was asked for

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes at Omsk midnight, for datetime columns."""
        tz = timezone.get_default_timezone()
        start = datetime.combine(self.start, datetime.min.time(), tzinfo=tz)
        end = datetime.combine(self.end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        return start, end


def last_days(today: date | None = None, days: int = DEFAULT_DAYS) -> Period:
    today = today or timezone.localdate()
    return Period(start=today - timedelta(days=days - 1), end=today)


def month_period(value: str) -> Period:
    """The calendar month `YYYY-MM`; PeriodError with a Russian message for anything else."""
    match = MONTH_RE.match(value.strip())
    if match is None:
        raise PeriodError(_("Месяц нужен в виде ГГГГ-ММ, например 2026-11."))
    year, month = int(match[1]), int(match[2])
    if not 2000 <= year <= 2100 or not 1 <= month <= 12:
        raise PeriodError(_("Такого месяца нет: %(value)s.") % {"value": value.strip()[:7]})
    last = calendar.monthrange(year, month)[1]
    return Period(start=date(year, month, 1), end=date(year, month, last), month=f"{year:04d}-{month:02d}")


@dataclass(frozen=True)
class Scope:
    period: Period
    department: Department | None = None  # None: the whole city

    def fresh_since(self) -> datetime:
        return timezone.now() - timedelta(days=settings.REVIEW_AFTER_DAYS)


@dataclass
class Table:
    """A section's numbers as the page, the CSV file and the text report show them."""

    slug: str
    caption: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    # A snapshot (coverage, offer, freshness, subscribers) is the catalog as it is today, whatever
    # the period: its caption and CSV file name say the day instead.
    as_of: date | None = None

    def cells(self) -> list[list[str]]:
        """The rows as text, exactly as both the page and the CSV file show them."""
        return [[cell(value) for value in row] for row in self.rows]


def today_caption(caption: str, day: date | None = None) -> str:
    """A snapshot's caption: «…, на сегодня, 29.11.2026»."""
    day = day or timezone.localdate()
    return str(_("%(caption)s — на сегодня, %(day)s") % {"caption": caption, "day": day.strftime("%d.%m.%Y")})


def _snapshot(table: Table) -> Table:
    table.as_of = timezone.localdate()
    table.caption = today_caption(table.caption, table.as_of)
    return table


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- helpers -----------------------------------------------------------------------------------


def _role(user_ref: str) -> Case:
    """The role of the user whose id is `user_ref` (a field or an annotation), in SQL: the highest
    one they hold now. No user at all (a command-line import, an anonymous report) is «system»."""
    user = User.objects.filter(pk=OuterRef(user_ref))
    return Case(
        When(**{f"{user_ref}__isnull": True}, then=Value("system")),
        When(Exists(user.filter(is_superuser=True)), then=Value("admin")),
        When(Exists(user.filter(is_editor=True)), then=Value("editor")),
        When(
            Exists(DepartmentMembership.objects.filter(user_id=OuterRef(user_ref))), then=Value("department")
        ),
        When(Exists(Membership.objects.filter(user_id=OuterRef(user_ref))), then=Value("provider")),
        default=Value("citizen"),
        output_field=CharField(),
    )


def _in_period(scope: Scope, column: str) -> Q:
    start, end = scope.period.bounds()
    return Q(**{f"{column}__gte": start, f"{column}__lt": end})


def _days(scope: Scope) -> Q:
    return Q(day__gte=scope.period.start, day__lte=scope.period.end)


def _series(days: Sequence[date], values: dict[date, Sequence[int]], width: int) -> list[list[Any]]:
    return [[day, *values.get(day, (0,) * width)] for day in days]


# --- 1. traffic --------------------------------------------------------------------------------


def traffic(scope: Scope) -> Table:
    """Page views and visitors per day; for a department, views of its network's pages."""
    days = scope.period.days
    if scope.department is None:
        rows = DailyTraffic.objects.filter(_days(scope)).values_list("day", "page_views", "visitors")
        return Table(
            "traffic",
            str(_("Посещаемость по дням")),
            [str(_("день")), str(_("просмотры")), str(_("посетители"))],
            _series(days, {day: (views, visitors) for day, views, visitors in rows}, 2),
        )
    network = _network_pages(scope.department)
    per_day = (
        DailyPageStat.objects.filter(_days(scope))
        .filter(network)
        .values("day")
        .annotate(views=Sum("views"), visitors=Sum("visitors"))
        .values_list("day", "views", "visitors")
    )
    return Table(
        "traffic",
        str(_("Просмотры страниц сети по дням")),
        [str(_("день")), str(_("просмотры")), str(_("посетители страниц (сумма)"))],
        _series(days, {day: (views, visitors) for day, views, visitors in per_day}, 2),
    )


def _network_pages(department: Department) -> Q:
    # object_type as the page-view middleware records it: "activity", "organization", "event".
    orgs = Organization.objects.filter(department=department).values("pk")
    return (
        Q(object_type="organization", object_id__in=orgs)
        | Q(object_type="activity", object_id__in=Activity.objects.filter(organization__in=orgs).values("pk"))
        | Q(object_type="event", object_id__in=Event.objects.filter(organization__in=orgs).values("pk"))
    )


# --- 2. searches -------------------------------------------------------------------------------


def searches(scope: Scope) -> Table:
    rows = DailyTraffic.objects.filter(_days(scope)).values_list("day", "searches", "zero_result_searches")
    return Table(
        "searches",
        str(_("Поиски по дням")),
        [str(_("день")), str(_("поиски")), str(_("без результатов (все, с фильтрами и местом тоже)"))],
        _series(scope.period.days, {day: (n, zero) for day, n, zero in rows}, 2),
    )


def top_queries(scope: Scope, limit: int = TOP_QUERIES) -> Table:
    rows = (
        DailyQuery.objects.filter(_days(scope))
        .values("query")
        .annotate(total=Sum("searches"), zero=Sum("zero_results"))
        .order_by("-total", "query")
        .values_list("query", "total", "zero")[:limit]
    )
    return Table(
        "queries",
        str(_("Частые запросы")),
        [str(_("запрос")), str(_("поиски")), str(_("без результатов (без фильтров и места)"))],
        [list(row) for row in rows],
    )


def search_gaps(scope: Scope, limit: int = TOP_QUERIES) -> Table:
    """Queries that found nothing: what people look for and the catalog does not have yet.
    Only searches by words alone (no place, no filter but the sort) count here: «футбол» within
    1 km at age 3 finding nothing says nothing about the catalog's football."""
    rows = (
        DailyQuery.objects.filter(_days(scope))
        .values("query")
        .annotate(zero=Sum("zero_results"), total=Sum("searches"))
        .filter(zero__gt=0)
        .order_by("-zero", "query")
        .values_list("query", "zero", "total")[:limit]
    )
    return Table(
        "gaps",
        str(_("Запросы без результатов — что добавить в каталог")),
        [str(_("запрос")), str(_("без результатов (без фильтров и места)")), str(_("поиски"))],
        [list(row) for row in rows],
    )


# --- 3. contributions --------------------------------------------------------------------------


def _counted(queryset: QuerySet[Any], kind: str) -> Iterable[tuple[str, str, str, int]]:
    for source, role, n in (
        queryset.values("source_key", "role").annotate(n=Count("pk")).values_list("source_key", "role", "n")
    ):
        yield kind, source, role, n


def contribution_counts(scope: Scope) -> dict[tuple[str, str, str], int]:
    """(kind, source, role) → count for the period: seven grouped queries whatever the volume.

    - new entries: activities and events created in the period. An activity's source is the
      accepted suggestion that made it, else its import source, else the web form; its author is
      the suggestion's author, the user who ran the import, or the first version's actor. One
      added through the admin site is counted once, from the admin log, as «админка» with the
      role of the log entry's user.
    - edits: content versions (provider's or editor's form, revert), accepted or partly accepted
      suggestions of edits (credited to their author), rows an import updated (city-wide only: an
      import's log line does not say which organizations), event edits, and admin-site changes.
    - comments and suggestions: as sent (a suggestion counts when sent, and once more as the
      new entry or the edit when accepted).
    Roles are those the users hold today.
    """
    department = scope.department
    counts: dict[tuple[str, str, str], int] = {}

    def add(rows: Iterable[tuple[str, str, str, int]]) -> None:
        for kind, source, role, n in rows:
            counts[kind, source, role] = counts.get((kind, source, role), 0) + n

    activities = Activity.objects.filter(_in_period(scope, "created_at"))
    if department is not None:
        activities = activities.filter(organization__department=department)
    from_suggestion = Suggestion.objects.filter(kind=Suggestion.Kind.NEW_ACTIVITY, activity=OuterRef("pk"))
    import_run = AuditLog.objects.filter(
        action="imports.catalog.imported",
        object_id=OuterRef("source"),
        created_at__gte=OuterRef("created_at"),
    ).order_by("created_at")
    first_version = ActivityVersion.objects.filter(activity=OuterRef("pk")).order_by("number")
    # Added through the admin site: counted once, below, from Django's log (its user's role).
    activities = activities.exclude(_added_in_admin(Activity))
    activities = activities.annotate(
        source_key=Case(
            When(Exists(from_suggestion), then=Value(SOURCE_SUGGESTION)),
            When(source__in=API_SOURCES, then=Value(SOURCE_API)),
            When(~Q(source=""), then=Value(SOURCE_IMPORT)),
            default=Value(SOURCE_WEB),
            output_field=CharField(),
        ),
        author=Case(
            When(Exists(from_suggestion), then=Subquery(from_suggestion.values("author_id")[:1])),
            When(~Q(source=""), then=Subquery(import_run.values("actor_id")[:1])),
            default=Subquery(first_version.values("actor_id")[:1]),
            output_field=IntegerField(),
        ),
    ).annotate(role=_role("author"))
    add(_counted(activities, KIND_NEW))

    events = Event.objects.filter(_in_period(scope, "created_at"))
    if department is not None:
        events = events.filter(organization__department=department)
    events = events.exclude(_added_in_admin(Event))
    events = events.annotate(source_key=Value(SOURCE_WEB, output_field=CharField()), role=_role("created_by"))
    add(_counted(events, KIND_NEW))

    versions = ActivityVersion.objects.filter(_in_period(scope, "created_at"), action__in=EDIT_ACTIONS)
    if department is not None:
        versions = versions.filter(activity__organization__department=department)
    versions = versions.annotate(source_key=Value(SOURCE_WEB, output_field=CharField()), role=_role("actor"))
    add(_counted(versions, KIND_EDIT))

    event_edits = AuditLog.objects.filter(_in_period(scope, "created_at"), action="events.event.updated")
    if department is not None:
        network_events = Event.objects.filter(organization__department=department).annotate(
            key=Cast("pk", CharField())
        )
        event_edits = event_edits.filter(
            object_type="events.event", object_id__in=network_events.values("key")
        )
    event_edits = event_edits.annotate(
        source_key=Value(SOURCE_WEB, output_field=CharField()), role=_role("actor")
    )
    add(_counted(event_edits, KIND_EDIT))

    accepted = Suggestion.objects.filter(
        _in_period(scope, "decided_at"),
        kind=Suggestion.Kind.EDIT,
        status__in=("accepted", "partly"),
    )
    suggested = Suggestion.objects.filter(_in_period(scope, "created_at"))
    comments = Comment.objects.filter(_in_period(scope, "created_at"))
    if department is not None:
        accepted = accepted.filter(activity__organization__department=department)
        suggested = suggested.filter(activity__organization__department=department)
        comments = comments.filter(activity__organization__department=department)
    by_author = {"source_key": Value(SOURCE_SUGGESTION, output_field=CharField()), "role": _role("author")}
    add(_counted(accepted.annotate(**by_author), KIND_EDIT))
    add(_counted(suggested.annotate(**by_author), KIND_SUGGESTION))
    add(
        _counted(
            comments.annotate(source_key=Value(SOURCE_WEB, output_field=CharField()), role=_role("author")),
            KIND_COMMENT,
        )
    )

    # The admin site: Django's own log says who added or changed which catalog row.
    admin = LogEntry.objects.filter(
        _in_period(scope, "action_time"),
        action_flag__in=(ADDITION, CHANGE),
        content_type__in=_catalog_content_types(),
    )
    if department is not None:
        admin = admin.filter(
            Q(content_type=_content_type(Activity), object_id__in=_keys(Activity, department))
            | Q(content_type=_content_type(Organization), object_id__in=_keys(Organization, department))
            | Q(content_type=_content_type(Event), object_id__in=_keys(Event, department))
        )
    for flag, role, n in (
        admin.annotate(role=_role("user_id"))
        .values("action_flag", "role")
        .annotate(n=Count("pk"))
        .values_list("action_flag", "role", "n")
    ):
        add([(KIND_NEW if flag == ADDITION else KIND_EDIT, SOURCE_ADMIN, role, n)])

    if department is None:
        updated = AuditLog.objects.filter(_in_period(scope, "created_at"), action="imports.catalog.imported")
        for role, n in (
            updated.annotate(role=_role("actor"), rows=Cast(KT("data__updated"), IntegerField()))
            .values("role")
            .annotate(n=Sum("rows"))
            .values_list("role", "n")
        ):
            if n:
                add([(KIND_EDIT, SOURCE_IMPORT, role, n)])
    return counts


def _added_in_admin(model: type[Any]) -> Exists:
    """Rows whose admin-site log has an ADDITION: the log entry is what counts them."""
    return Exists(
        LogEntry.objects.filter(
            content_type=_content_type(model),
            action_flag=ADDITION,
            object_id=Cast(OuterRef("pk"), CharField()),
        )
    )


def _content_type(model: type[Any]) -> ContentType:
    return ContentType.objects.get_for_model(model)  # cached by Django after the first call


def _catalog_content_types() -> list[ContentType]:
    return [_content_type(Activity), _content_type(Organization), _content_type(Event)]


def _keys(model: type[Any], department: Department) -> QuerySet[Any]:
    owner = "department" if model is Organization else "organization__department"
    return model.objects.filter(**{owner: department}).annotate(key=Cast("pk", CharField())).values("key")


def contributions(scope: Scope, counts: dict[tuple[str, str, str], int] | None = None) -> Table:
    counts = contribution_counts(scope) if counts is None else counts
    order = {key: n for n, key in enumerate([*KINDS, *SOURCES, *ROLES])}
    rows = [
        [str(KINDS[kind]), str(SOURCES[source]), str(ROLES[role]), n]
        for (kind, source, role), n in sorted(
            counts.items(), key=lambda item: (order[item[0][0]], order[item[0][1]], order[item[0][2]])
        )
    ]
    return Table(
        "contributions",
        str(_("Вклад: кто и как пополнял каталог")),
        [str(_("что")), str(_("откуда")), str(_("кто")), str(_("сколько"))],
        rows,
    )


def totals_by(
    counts: dict[tuple[str, str, str], int], position: int, labels: dict[str, Any]
) -> list[tuple[str, int]]:
    """Sums of `counts` by kind (0), source (1) or role (2), in the order of `labels`, zeros kept."""
    sums = dict.fromkeys(labels, 0)
    for key, n in counts.items():
        sums[key[position]] += n
    return [(str(labels[key]), n) for key, n in sums.items()]


# --- 4. coverage -------------------------------------------------------------------------------


def _live_fresh(scope: Scope) -> Q:
    return Q(status=Status.PUBLISHED, verified_at__gte=scope.fresh_since())


def department_coverage(scope: Scope) -> Table:
    """Per department: organizations with at least one live entry verified recently, of all."""
    covered = Exists(Activity.objects.filter(_live_fresh(scope), organization=OuterRef("pk")))
    orgs = Organization.objects.exclude(status=Status.ARCHIVED).filter(department__isnull=False)
    if scope.department is not None:
        orgs = orgs.filter(department=scope.department)
    counted = {
        department_id: (fresh, total)
        for department_id, fresh, total in orgs.annotate(covered=covered)
        .values("department_id")
        .annotate(total=Count("pk"), with_fresh=Count("pk", filter=Q(covered=True)))
        .order_by()
        .values_list("department_id", "with_fresh", "total")
    }
    departments = Department.objects.order_by("name")
    if scope.department is not None:
        departments = departments.filter(pk=scope.department.pk)
    rows = [(dep.name, *counted.get(dep.pk, (0, 0))) for dep in departments.only("pk", "name")]
    return _snapshot(
        Table(
            "coverage",
            str(
                _("Организации с живой записью, проверенной за %(days)s дн.")
                % {"days": settings.REVIEW_AFTER_DAYS}
            ),
            [
                str(_("департамент")),
                str(_("с живой свежей записью")),
                str(_("всего организаций")),
                str(_("доля, %")),
            ],
            [[name, fresh, total, _percent(fresh, total)] for name, fresh, total in rows],
        )
    )


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class OfferCell:
    okrug: str
    direction: str
    live: int
    expected: int | None


def offer_cells(scope: Scope) -> list[OfferCell]:
    """Live entries per okrug × direction against the editors' targets (the city's offer); for a
    department, its network's entries only. Four queries: okrugs, directions, counts, targets."""
    okrugs = list(
        District.objects.filter(kind=District.Kind.OKRUG).order_by("name").values_list("pk", "name")
    )
    directions = [(direction.pk, loc_name(direction)) for direction in Direction.objects.order_by("position")]
    live = Activity.objects.live().filter(venue__district__kind=District.Kind.OKRUG)
    if scope.department is not None:
        live = live.filter(organization__department=scope.department)
    counted = {
        (okrug_id, direction_id): n
        for okrug_id, direction_id, n in live.values("venue__district_id", "direction_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("venue__district_id", "direction_id", "n")
    }
    targets = {
        (okrug_id, direction_id): expected
        for okrug_id, direction_id, expected in CoverageTarget.objects.values_list(
            "okrug_id", "direction_id", "expected"
        )
    }
    return [
        OfferCell(
            okrug=okrug,
            direction=direction,
            live=counted.get((okrug_id, direction_id), 0),
            expected=targets.get((okrug_id, direction_id)),
        )
        for okrug_id, okrug in okrugs
        for direction_id, direction in directions
    ]


def offer(scope: Scope, cells: list[OfferCell] | None = None) -> Table:
    cells = offer_cells(scope) if cells is None else cells
    live = str(_("живых занятий")) if scope.department is None else str(_("живых занятий сети"))
    return _snapshot(
        Table(
            "offer",
            str(_("Занятия по округам и направленностям против предложения города")),
            [
                str(_("округ")),
                str(_("направленность")),
                live,
                str(_("предложение города")),
                str(_("выполнено, %")),
            ],
            [
                [
                    cell.okrug,
                    cell.direction,
                    cell.live,
                    cell.expected,
                    _percent(cell.live, cell.expected or 0),
                ]
                for cell in cells
            ],
        )
    )


def offer_by_okrug(cells: list[OfferCell]) -> list[tuple[str, int, int]]:
    """(okrug, live, expected) summed over directions, for the chart."""
    sums: dict[str, list[int]] = {}
    for cell in cells:
        total = sums.setdefault(cell.okrug, [0, 0])
        total[0] += cell.live
        total[1] += cell.expected or 0
    return [(okrug, live, expected) for okrug, (live, expected) in sums.items()]


# --- 5. freshness ------------------------------------------------------------------------------


def freshness(scope: Scope) -> Table:
    """Share of live activities verified within REVIEW_AFTER_DAYS: overall, then per department."""
    live = Activity.objects.live()
    if scope.department is not None:
        live = live.filter(organization__department=scope.department)
    rows = list(
        live.values("organization__department__name")
        .annotate(total=Count("pk"), fresh=Count("pk", filter=Q(verified_at__gte=scope.fresh_since())))
        .order_by(F("organization__department__name").asc(nulls_last=True))
        .values_list("organization__department__name", "fresh", "total")
    )
    fresh_all = sum(fresh for _name, fresh, _total in rows)
    total_all = sum(total for _name, _fresh, total in rows)
    overall = str(_("Весь город")) if scope.department is None else scope.department.name
    table = Table(
        "freshness",
        str(_("Свежесть: живые занятия, проверенные за %(days)s дн.") % {"days": settings.REVIEW_AFTER_DAYS}),
        [str(_("департамент")), str(_("проверены")), str(_("всего живых")), str(_("доля, %"))],
        [[overall, fresh_all, total_all, _percent(fresh_all, total_all)]],
    )
    if scope.department is None:
        table.rows += [
            [name or str(_("без департамента")), fresh, total, _percent(fresh, total)]
            for name, fresh, total in rows
        ]
    return _snapshot(table)


# --- 6. alerts ---------------------------------------------------------------------------------


def subscribers(scope: Scope) -> Table:
    counted = dict(
        Subscription.objects.filter(status=Subscription.Status.ACTIVE)
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return _snapshot(
        Table(
            "subscribers",
            str(_("Действующие подписки по видам")),
            [str(_("вид")), str(_("подписок"))],
            [[str(label), counted.get(kind, 0)] for kind, label in Subscription.Kind.choices],
        )
    )


def mails(scope: Scope) -> Table:
    per_day = (
        OutboxMail.objects.filter(_in_period(scope, "sent_at"), status=OutboxMail.Status.SENT)
        .annotate(day=TruncDate("sent_at", tzinfo=timezone.get_default_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return Table(
        "mails",
        str(_("Отправлено писем по дням")),
        [str(_("день")), str(_("писем"))],
        _series(scope.period.days, {day: (n,) for day, n in per_day}, 1),
    )


TABLES = {
    "traffic": traffic,
    "searches": searches,
    "queries": top_queries,
    "gaps": search_gaps,
    "contributions": contributions,
    "coverage": department_coverage,
    "offer": offer,
    "freshness": freshness,
    "subscribers": subscribers,
    "mails": mails,
}


def table(slug: str, scope: Scope) -> Table:
    return TABLES[slug](scope)
