"""What a department sees: its network of organizations, how complete and how fresh each one's
listing is, and the invitations it sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Exists, F, IntegerField, Min, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from kruzhok.accounts import permissions
from kruzhok.accounts.models import Invitation, Membership
from kruzhok.catalog.models import Department, Organization, Status

FILTERS = ("all", "empty", "stale", "no_members")
SORTS = ("name", "activities", "fresh", "oldest")
LISTING_EMPTY = "empty"
LISTING_ENTRIES = "entries"
LISTING_FRESH = "fresh"


def departments_for(user: permissions.AnyUser | None) -> QuerySet[Department]:
    """The departments whose network the user may open: their own, or all of them for editors."""
    if permissions.is_editor(user):
        return Department.objects.order_by("name")
    return permissions.departments_of(user).order_by("name")


def fresh_since(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.REVIEW_AFTER_DAYS)


def percent(part: int, whole: int) -> int | None:
    """A share as the pages show it: a whole percent, None when there is nothing to share."""
    return round(100 * part / whole) if whole else None


def _network(department: Department, since: datetime) -> QuerySet[Any]:
    # QuerySet[Any]: the annotations below are what callers filter and sort on.
    published = Q(activities__status=Status.PUBLISHED)
    return (
        Organization.objects.filter(department=department)
        .exclude(status=Status.ARCHIVED)
        .annotate(
            published=Coalesce(Count("activities", filter=published), Value(0), output_field=IntegerField()),
            fresh=Coalesce(
                Count("activities", filter=published & Q(activities__verified_at__gte=since)),
                Value(0),
                output_field=IntegerField(),
            ),
            unverified=Coalesce(
                Count("activities", filter=published & Q(activities__verified_at__isnull=True)),
                Value(0),
                output_field=IntegerField(),
            ),
            oldest_verified=Min("activities__verified_at", filter=published),
            has_members=Exists(Membership.objects.filter(organization=OuterRef("pk"))),
        )
        .annotate(
            # Only for sorting «least fresh first»; pages show `percent`.
            fresh_share=Case(
                When(published=0, then=Value(None)),
                default=F("fresh") * 100 / F("published"),
                output_field=IntegerField(),
            )
        )
    )


@dataclass(frozen=True)
class NetworkRow:
    organization: Organization
    published: int
    fresh: int
    oldest_verified: datetime | None
    unverified: int
    has_members: bool

    @property
    def fresh_percent(self) -> int | None:
        return percent(self.fresh, self.published)

    @property
    def listing(self) -> str:
        if not self.published:
            return LISTING_EMPTY
        return LISTING_FRESH if self.fresh == self.published else LISTING_ENTRIES


@dataclass(frozen=True)
class NetworkTotals:
    organizations: int
    with_members: int
    with_entries: int
    all_fresh: int
    published: int
    fresh: int

    @property
    def fresh_percent(self) -> int | None:
        return percent(self.fresh, self.published)


def network_rows(
    *, department: Department, show: str = "all", sort: str = "name", now: datetime | None = None
) -> QuerySet[Any]:
    """The department's organizations, annotated, filtered by `show` and ordered by `sort`."""
    rows = _network(department, fresh_since(now))
    if show == "empty":
        rows = rows.filter(published=0)
    elif show == "stale":
        rows = rows.filter(published__gt=0).exclude(fresh=F("published"))
    elif show == "no_members":
        rows = rows.filter(has_members=False)
    orders: dict[str, list[Any]] = {
        "name": ["name", "pk"],
        "activities": ["-published", "name", "pk"],
        "fresh": [F("fresh_share").asc(nulls_last=True), "-published", "name", "pk"],
        # never verified is the oldest of all: those organizations come first
        "oldest": ["-unverified", F("oldest_verified").asc(nulls_first=True), "name", "pk"],
    }
    return rows.order_by(*orders[sort if sort in SORTS else "name"])


def network_row(organization: Organization) -> NetworkRow:
    return NetworkRow(
        organization=organization,
        published=organization.published,  # type: ignore[attr-defined]
        fresh=organization.fresh,  # type: ignore[attr-defined]
        oldest_verified=organization.oldest_verified,  # type: ignore[attr-defined]
        unverified=organization.unverified,  # type: ignore[attr-defined]
        has_members=organization.has_members,  # type: ignore[attr-defined]
    )


def network_totals(*, department: Department, now: datetime | None = None) -> NetworkTotals:
    rows = list(_network(department, fresh_since(now)).values_list("published", "fresh", "has_members"))
    return NetworkTotals(
        organizations=len(rows),
        with_members=sum(1 for _p, _f, members in rows if members),
        with_entries=sum(1 for published, _f, _m in rows if published),
        all_fresh=sum(1 for published, fresh, _m in rows if published and fresh == published),
        published=sum(published for published, _f, _m in rows),
        fresh=sum(fresh for _p, fresh, _m in rows),
    )


def department_organizations(department: Department) -> QuerySet[Organization]:
    """The organizations an invitation may be for."""
    return Organization.objects.filter(department=department).exclude(status=Status.ARCHIVED).order_by("name")


def department_invitations(*, department: Department) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(department=department)
        .select_related("organization", "invited_by", "accepted_by")
        .order_by("-sent_at", "-pk")
    )
