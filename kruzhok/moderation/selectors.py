"""Reads for contributions and the editors' queue: what waits, what a suggestion would change,
and which published activities a new entry may duplicate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from kruzhok.accounts.models import signature
from kruzhok.catalog.models import Activity, Organization, Venue
from kruzhok.community.models import Comment
from kruzhok.core.text import fold
from kruzhok.moderation.humanize import Humanizer, field_label
from kruzhok.moderation.models import EDITABLE_FIELDS, Claim, Decision, ProblemReport, Suggestion
from kruzhok.moderation.reports import pending_reports
from kruzhok.moderation.review_cycle import outdated_activities
from kruzhok.moderation.versions import activity_snapshot

AnyUser = AbstractBaseUser | AnonymousUser

QUEUE_PAGE_SIZE = 25
QUEUE_PREVIEW = 5
# How close a title must be (rapidfuzz token_set_ratio on folded text) to count as «the same»:
# looser at the same organization or address, strict across the whole city.
NEAR_TITLE_SCORE = 70
CITY_TITLE_SCORE = 90
NEAR_KM_LAT = 0.005  # ≈ 550 m
NEAR_KM_LON = 0.009  # ≈ 570 m at Omsk's latitude

# --- values as people read them ------------------------------------------------------------


def editable_values(activity: Activity) -> dict[str, Any]:
    """The activity's current value of every field a citizen may suggest changing, as JSON."""
    snapshot = activity_snapshot(activity)
    return {name: snapshot.get(name) for name in EDITABLE_FIELDS}


def display_value(name: str, value: Any, human: Humanizer | None = None) -> str:
    """A stored JSON value as a person reads it: names instead of slugs, «да»/«нет», «—» for empty.
    Pass one `Humanizer` for a whole page: it looks the names up once."""
    return (human or Humanizer())(name, value) or "—"


@dataclass
class DiffRow:
    name: str
    label: str
    now: str
    then: str
    proposed: str
    stale: bool  # the entry changed since the citizen looked at it


def suggestion_diff(suggestion: Suggestion) -> list[DiffRow]:
    """For an EDIT: each proposed field with its value now, when suggested, and proposed."""
    current = editable_values(suggestion.activity) if suggestion.activity is not None else {}
    human = Humanizer()
    rows = []
    for name in EDITABLE_FIELDS:
        if name not in suggestion.data:
            continue
        then = suggestion.original.get(name)
        now = current.get(name)
        rows.append(
            DiffRow(
                name=name,
                label=field_label(name),
                now=display_value(name, now, human),
                then=display_value(name, then, human),
                proposed=display_value(name, suggestion.data[name], human),
                stale=suggestion.is_pending and _normalized(now) != _normalized(then),
            )
        )
    return rows


def _normalized(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


# --- organizations and places --------------------------------------------------------------


def organizations_matching(text: str, *, limit: int = 8) -> list[Organization]:
    """Published organizations whose name looks like what a person is typing."""
    wanted = fold(text or "")[:200]
    if len(wanted) < 2:
        return []
    names = {pk: fold(name) for pk, name in Organization.objects.live().values_list("pk", "name")}
    found = process.extract(wanted, names, scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
    ids = [pk for _name, _score, pk in found]
    by_id = Organization.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def organization_named(name: str, *, inn: str = "") -> tuple[Organization | None, list[Organization]]:
    """The published organization meant by a name (and INN): (the one, or None; all that share the
    name, when several do and no INN tells them apart)."""
    live = Organization.objects.live()
    if inn:
        by_inn = live.filter(inn=inn).first()
        if by_inn is not None:
            return by_inn, [by_inn]
    wanted = fold(name)
    same = [org for org in live.only("pk", "name", "inn") if fold(org.name) == wanted]
    if len(same) == 1:
        return same[0], same
    return None, same


# --- duplicates ------------------------------------------------------------------------------


@dataclass
class Duplicate:
    activity: Activity
    score: float
    why: str = ""


def duplicate_candidates(
    *,
    title: str,
    organization_id: int | None = None,
    lat: float | None = None,
    lon: float | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[Duplicate]:
    """Published activities that may be the one being added: a similar title at the same
    organization or within about half a kilometre, or a nearly identical title anywhere."""
    wanted = fold(title or "")[:300]
    if len(wanted) < 3:
        return []
    live = Activity.objects.live()
    if exclude_id:
        live = live.exclude(pk=exclude_id)
    found: dict[int, tuple[float, str]] = {}
    near = Activity.objects.none()
    if organization_id:
        near = near | live.filter(organization_id=organization_id)
    if lat is not None and lon is not None:
        near = near | live.filter(
            venue__lat__range=(lat - NEAR_KM_LAT, lat + NEAR_KM_LAT),
            venue__lon__range=(lon - NEAR_KM_LON, lon + NEAR_KM_LON),
        )
    near_titles = {pk: fold(t) for pk, t in near.values_list("pk", "title")}
    for _t, score, pk in process.extract(
        wanted, near_titles, scorer=fuzz.token_set_ratio, limit=limit, score_cutoff=NEAR_TITLE_SCORE
    ):
        found[pk] = (score, _("та же организация или адрес"))
    city_titles = {pk: fold(t) for pk, t in live.values_list("pk", "title")}
    for _t, score, pk in process.extract(
        wanted, city_titles, scorer=fuzz.ratio, limit=limit, score_cutoff=CITY_TITLE_SCORE
    ):
        found.setdefault(pk, (score, _("почти такое же название")))
    ranked = sorted(found.items(), key=lambda item: -item[1][0])[:limit]
    by_id = Activity.objects.select_related("organization", "venue").in_bulk([pk for pk, _v in ranked])
    return [Duplicate(by_id[pk], score, why) for pk, (score, why) in ranked if pk in by_id]


def duplicates_for_payload(data: dict[str, Any], *, exclude_id: int | None = None) -> list[Duplicate]:
    activity = data.get("activity", {})
    organization = data.get("organization", {})
    venue = data.get("venue", {})
    lat, lon = venue.get("lat"), venue.get("lon")
    if "id" in venue:
        point = Venue.objects.filter(pk=venue["id"]).values_list("lat", "lon").first()
        lat, lon = point if point else (None, None)
    return duplicate_candidates(
        title=activity.get("title", ""),
        organization_id=organization.get("id"),
        lat=lat,
        lon=lon,
        exclude_id=exclude_id,
    )


# --- a citizen's own suggestions -------------------------------------------------------------


def suggestions_of(user: AnyUser) -> QuerySet[Suggestion]:
    if not user.is_authenticated:
        return Suggestion.objects.none()
    return (
        Suggestion.objects.filter(author_id=user.pk).select_related("activity").order_by("-created_at", "-id")
    )


def suggestion_title(suggestion: Suggestion) -> str:
    if suggestion.kind == Suggestion.Kind.NEW_ACTIVITY:
        return str(suggestion.data.get("activity", {}).get("title", ""))
    return suggestion.activity.title if suggestion.activity_id and suggestion.activity else ""


# --- the editors' queue ----------------------------------------------------------------------


@dataclass
class QueueItem:
    url: str
    title: str
    detail: str
    created_at: Any


@dataclass
class QueueSection:
    key: str
    title: str
    count: int
    items: list[QueueItem] = field(default_factory=list)
    page: Page | None = None
    empty_note: str = ""


def _new_entries() -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(
        status=Decision.PENDING, kind=Suggestion.Kind.NEW_ACTIVITY
    ).select_related("author")


def _edits() -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(status=Decision.PENDING, kind=Suggestion.Kind.EDIT).select_related(
        "author", "activity"
    )


def _claims() -> QuerySet[Claim]:
    return Claim.objects.filter(status=Decision.PENDING).select_related("organization", "user")


def _comments() -> QuerySet[Comment]:
    return Comment.objects.filter(status__in=[Comment.Status.HELD, Comment.Status.HIDDEN]).select_related(
        "activity"
    )


def _suggestion_item(s: Suggestion) -> QueueItem:
    detail = signature(s.author)
    if s.kind == Suggestion.Kind.EDIT:
        detail += " · " + ", ".join(field_label(name) for name in s.data)
    return QueueItem(reverse("moderation:suggestion", args=[s.pk]), suggestion_title(s), detail, s.created_at)


def _report_item(r: ProblemReport) -> QueueItem:
    return QueueItem(
        reverse("moderation:report", args=[r.pk]), r.activity.title, r.get_problem_display(), r.created_at
    )


def _claim_item(c: Claim) -> QueueItem:
    return QueueItem(
        reverse("moderation:claim", args=[c.pk]),
        c.organization.name,
        f"{signature(c.user)} · {c.position}",
        c.created_at,
    )


def _comment_item(c: Comment) -> QueueItem:
    return QueueItem(
        reverse("moderation:comment", args=[c.pk]),
        c.activity.title,
        f"{c.get_status_display()} · {c.text[:80]}",
        c.created_at,
    )


def _outdated_item(a: Activity) -> QueueItem:
    """Since when the provider was asked; an organization nobody speaks for is said so."""
    who = a.organization.name
    if not getattr(a, "has_members", True):
        who = _("%(org)s · нет представителя на сайте") % {"org": who}
    return QueueItem(reverse("moderation:review", args=[a.pk]), a.title, who, a.review_requested_at)


def _sections() -> list[tuple[str, str, QuerySet[Any], Any, str]]:
    return [
        ("new", _("Новые занятия"), _new_entries(), _suggestion_item, ""),
        ("edits", _("Предложенные правки"), _edits(), _suggestion_item, ""),
        ("reports", _("Сообщения о проблемах"), pending_reports(), _report_item, ""),
        ("claims", _("Заявки на организации"), _claims(), _claim_item, ""),
        ("comments", _("Отзывы на проверке"), _comments(), _comment_item, ""),
        (
            "outdated",
            _("Устаревшие записи"),
            outdated_activities(),
            _outdated_item,
            _("Сюда попадают занятия, чьи организаторы не подтвердили данные вовремя."),
        ),
    ]


SECTION_KEYS = ("new", "edits", "reports", "claims", "comments", "outdated")


def moderation_queue(*, section: str | None = None, page: str | int | None = None) -> list[QueueSection]:
    """Every section with its count, oldest first: a few items each, or one section paginated."""
    result = []
    for key, title, queryset, to_item, note in _sections():
        ordered = queryset.order_by("created_at", "id") if key != "outdated" else queryset
        entry = QueueSection(key=key, title=title, count=ordered.count(), empty_note=note)
        if section == key:
            entry.page = Paginator(ordered, QUEUE_PAGE_SIZE).get_page(page)
            entry.items = [to_item(obj) for obj in entry.page.object_list]
        elif section is None:
            entry.items = [to_item(obj) for obj in ordered[:QUEUE_PREVIEW]]
        result.append(entry)
    return result
