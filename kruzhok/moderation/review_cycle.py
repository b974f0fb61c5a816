"""The review cycle: entries nobody has confirmed for a long time are checked again.

An published activity whose `verified_at` (or `created_at`, never verified) is older than
REVIEW_AFTER_DAYS is *due*: `review_cycle_run` marks it (`review_requested_at`) and mails every
member of its organization one letter listing all their due entries, each with a signed one-click
«всё верно» link and an edit link. REVIEW_GRACE_DAYS later without an answer the entry is
*outdated*: its page says so and it waits in the editors' queue (`outdated_activities`), where an
editor marks it verified after a call, asks again, or archives it. Entries of organizations with
no members go to the editors' queue at once: nobody would get the letter.

A run claims each entry with `UPDATE … WHERE review_requested_at IS NULL` and mails only what it
claimed, so a second run (or two at once) never mails twice; the letters are outbox rows written in
the claim's transaction, so a batch that rolls back mails nothing and a crash after its commit loses
no letter. A member who stopped review requests (the letter's one-click link) gets none; when
nobody is left, the entry reaches the editors after the grace period like an unanswered one.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from kruzhok.accounts.models import Membership, User
from kruzhok.catalog.models import Activity, Status
from kruzhok.core.emails import send_mail, site_url
from kruzhok.core.services import audit_log
from kruzhok.moderation.models import ActivityVersion
from kruzhok.moderation.versions import version_baseline, version_record

Actor = AbstractBaseUser | AnonymousUser | None

logger = logging.getLogger(__name__)

CONFIRM_SALT = "kruzhok.moderation.review-confirm"
# Activities claimed per transaction: short transactions, and progress to print between them.
BATCH = 200


# --- selectors ----------------------------------------------------------------------------------


def _members_exist() -> Exists:
    return Exists(Membership.objects.filter(organization_id=OuterRef("organization_id")))


def due_activities(*, now: datetime) -> QuerySet[Activity]:
    """Published entries not verified for REVIEW_AFTER_DAYS and not asked about yet."""
    cutoff = now - timedelta(days=settings.REVIEW_AFTER_DAYS)
    return (
        Activity.objects.filter(status=Status.PUBLISHED, review_requested_at__isnull=True)
        .annotate(last_checked=Coalesce("verified_at", "created_at"))
        .filter(last_checked__lt=cutoff)
        .order_by("organization_id", "id")
    )


def outdated_activities(*, now: datetime | None = None) -> QuerySet[Activity]:
    """The editors' review queue: entries asked about REVIEW_GRACE_DAYS ago or more without an
    answer, and those asked about whose organization has nobody to answer. Oldest request first;
    `has_members` tells the two apart."""
    now = now or timezone.now()
    grace_cutoff = now - timedelta(days=settings.REVIEW_GRACE_DAYS)
    return (
        Activity.objects.filter(status=Status.PUBLISHED, review_requested_at__isnull=False)
        .annotate(has_members=_members_exist())
        .filter(Q(review_requested_at__lte=grace_cutoff) | Q(has_members=False))
        .select_related("organization")
        .order_by("review_requested_at", "id")
    )


def organization_members(organization_id: int) -> list[AbstractBaseUser]:
    """Everyone who may answer for the organization and can receive mail."""
    return [
        m.user
        for m in Membership.objects.filter(organization_id=organization_id)
        .select_related("user")
        .order_by("user_id")
        if m.user.is_active and m.user.email
    ]


# --- the signed «всё верно» link ------------------------------------------------------------------


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def confirm_token(activity: Activity) -> str:
    """A token bound to the activity and to this request: a later request makes it stale."""
    if activity.review_requested_at is None:
        raise ValueError("no review was requested for this activity")
    return signing.dumps(
        [activity.pk, _stamp(activity.review_requested_at)], salt=CONFIRM_SALT, compress=True
    )


def confirm_url(activity: Activity) -> str:
    path = reverse("moderation_public:review_confirm", args=[confirm_token(activity)])
    return site_url(path)


class LinkProblem(Exception):
    """Why a «всё верно» link cannot be used: `code` is tampered, expired, stale, archived or done."""

    def __init__(self, code: str, activity: Activity | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.activity = activity


@dataclass(frozen=True)
class ConfirmLink:
    activity: Activity
    requested_at: datetime


def confirm_link_check(token: str, *, now: datetime | None = None) -> ConfirmLink:
    """The activity a link confirms, or LinkProblem. Reads only: GET pages call it too."""
    now = now or timezone.now()
    try:
        activity_id, stamp = signing.loads(token, salt=CONFIRM_SALT)
        activity_id, stamp = int(activity_id), int(stamp)
    except (signing.BadSignature, TypeError, ValueError):
        raise LinkProblem("tampered") from None
    requested_at = datetime.fromtimestamp(stamp, tz=UTC)
    if now > requested_at + timedelta(days=settings.REVIEW_GRACE_DAYS + settings.REVIEW_LINK_EXTRA_DAYS):
        raise LinkProblem("expired")
    activity = Activity.objects.select_related("organization").filter(pk=activity_id).first()
    if activity is None:
        raise LinkProblem("tampered")
    if activity.status != Status.PUBLISHED:
        raise LinkProblem("archived", activity)
    current = activity.review_requested_at
    if current is None:
        # Confirmed (by this link, another member, or an editor) since the mail went out.
        raise LinkProblem("done", activity)
    if _stamp(current) != stamp:
        raise LinkProblem("stale", activity)
    return ConfirmLink(activity=activity, requested_at=current)


# --- services -----------------------------------------------------------------------------------


def activity_confirm(
    *, activity: Activity, actor: Actor, via: str, note: str = "", requested_at: datetime | None = None
) -> bool:
    """«Всё верно»: verified now, the review request cleared, a version and an audit row.

    With `requested_at` (the mailed link) it confirms only that very request, so a double click
    or a link made stale by a newer request changes nothing; returns whether it confirmed.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = Activity.objects.select_for_update().filter(pk=activity.pk, status=Status.PUBLISHED)
        if requested_at is not None:
            locked = locked.filter(review_requested_at=requested_at)
        current = locked.first()
        if current is None:
            return False
        version_baseline(activity=current)
        was_requested = current.review_requested_at
        # update(): nothing the search index reads changed, so no signal and no re-index.
        Activity.objects.filter(pk=current.pk).update(
            verified_at=now, review_requested_at=None, updated_at=now
        )
        current.verified_at, current.review_requested_at = now, None
        version_record(activity=current, actor=actor, action=ActivityVersion.Action.CONFIRMED, note=note)
        audit_log(
            action="catalog.activity.confirmed",
            obj=current,
            actor=actor,
            data={
                "via": via,
                "note": note[:300],
                "requested_at": was_requested.isoformat() if was_requested else None,
            },
        )
    activity.verified_at, activity.review_requested_at = now, None
    return True


def activity_archive(*, activity: Activity, actor: Actor, note: str) -> bool:
    """Take an entry off the public catalog (kept, with its history); False if it already was."""
    now = timezone.now()
    with transaction.atomic():
        current = Activity.objects.select_for_update().filter(pk=activity.pk).first()
        if current is None or current.status == Status.ARCHIVED:
            return False
        version_baseline(activity=current)
        previous = current.status
        current.status = Status.ARCHIVED
        current.archived_at = now
        current.review_requested_at = None
        # save(): the search index hears it and drops the entry from results.
        current.save(update_fields=["status", "archived_at", "review_requested_at", "updated_at"])
        version_record(activity=current, actor=actor, action=ActivityVersion.Action.EDITOR, note=note)
        audit_log(
            action="catalog.activity.archived",
            obj=current,
            actor=actor,
            data={"from_status": previous, "note": note[:300]},
        )
    activity.status, activity.archived_at, activity.review_requested_at = Status.ARCHIVED, now, None
    return True


@dataclass
class ReviewSummary:
    due: int = 0
    requested: int = 0
    mails: int = 0
    to_editors: int = 0
    outdated: int = 0
    organizations: set[int] = field(default_factory=set)


def _claim(ids: list[int], now: datetime) -> list[int]:
    """Mark each entry as asked, only if no run did already: the rows this run changed are its."""
    claimed = []
    for pk in ids:
        if Activity.objects.filter(pk=pk, status=Status.PUBLISHED, review_requested_at__isnull=True).update(
            review_requested_at=now
        ):
            claimed.append(pk)
    return claimed


def _mail_review_request(user: Any, activities: list[Activity]) -> bool:
    """Queue one letter in the claiming transaction, so it exists exactly when the claim does.
    A letter that cannot be made is logged and the others still go: the entry is marked as asked
    either way (at most one letter per request), and reaches the editors after the grace.
    Returns whether a letter was queued (not when the member opted out of review requests)."""
    try:
        # A savepoint: a failed letter leaves the batch's transaction usable.
        with transaction.atomic():
            return _render_and_send(user, activities)
    except Exception:
        logger.exception("review request mail to user %s failed", user.pk)
        return False


def _render_and_send(user: Any, activities: list[Activity]) -> bool:
    entries = [
        {
            "activity": activity,
            "page_url": site_url(activity.get_absolute_url()),
            "confirm_url": confirm_url(activity),
            "edit_url": site_url(reverse("manage:activity", args=[activity.pk])),
        }
        for activity in activities
    ]
    requested = min(a.review_requested_at for a in activities if a.review_requested_at)
    deadline = requested + timedelta(days=settings.REVIEW_GRACE_DAYS)
    # One letter per member, request and set of entries: the period is the request's moment (what
    # the links are bound to), so a rerun mails nothing twice and an editor's «ask again» the same
    # day — new links — is a new letter.
    entries_digest = hashlib.sha256(",".join(str(a.pk) for a in activities).encode()).hexdigest()[:16]
    mail = send_mail(
        template="emails/review_request",
        key=f"review_request:{user.pk}:{requested:%Y%m%dT%H%M%S}:{entries_digest}",
        to=user.email,
        context={"user": user, "entries": entries, "deadline": deadline, "count": len(entries)},
        language=getattr(user, "language", None),
        category="review",
    )
    return mail is not None


def _send_requests(claimed: list[int], summary: ReviewSummary) -> None:
    """Group the claimed entries per member (one letter each, whatever their organizations) and
    queue the letters in the claim's transaction; entries of organizations without members are
    left to the editors."""
    per_user: dict[int, tuple[Any, list[Activity]]] = {}
    members_of: dict[int, list[Any]] = {}
    for activity in (
        Activity.objects.filter(pk__in=claimed).select_related("organization").order_by("title", "id")
    ):
        org_id = activity.organization_id
        if org_id not in members_of:
            members_of[org_id] = organization_members(org_id)
        summary.organizations.add(org_id)
        if not members_of[org_id]:
            summary.to_editors += 1
            audit_log(action="moderation.review.to_editors", obj=activity, data={"reason": "no_members"})
            continue
        audit_log(
            action="moderation.review.requested",
            obj=activity,
            data={"members": [u.pk for u in members_of[org_id]]},
        )
        for user in members_of[org_id]:
            per_user.setdefault(user.pk, (user, []))[1].append(activity)
    for user, activities in per_user.values():
        summary.mails += _mail_review_request(user, activities)


def review_cycle_run(
    *, now: datetime | None = None, progress: Callable[[str], None] | None = None
) -> ReviewSummary:
    """One daily pass; safe to run again at once or alongside another run."""
    now = (now or timezone.now()).replace(microsecond=0)
    say = progress or (lambda _line: None)
    summary = ReviewSummary()
    due_ids = list(due_activities(now=now).values_list("pk", flat=True))
    summary.due = len(due_ids)
    say(f"due: {summary.due}")
    by_org: dict[int, list[int]] = defaultdict(list)
    for pk, org_id in Activity.objects.filter(pk__in=due_ids).values_list("pk", "organization_id"):
        by_org[org_id].append(pk)
    # Whole organizations per batch, so each member still gets a single letter per batch.
    batch: list[int] = []
    orgs = sorted(by_org)
    for index, org_id in enumerate(orgs, start=1):
        batch.extend(by_org[org_id])
        if len(batch) >= BATCH or index == len(orgs):
            with transaction.atomic():
                claimed = _claim(batch, now)
                summary.requested += len(claimed)
                _send_requests(claimed, summary)
            say(f"{summary.requested}/{summary.due}")
            batch = []
    summary.outdated = outdated_activities(now=now).count()
    return summary


def review_request_again(*, activity: Activity, editor: User) -> int:
    """The editor asks the members again (a fresh request and link, the grace period anew).
    Returns how many were mailed; 0 when the organization has nobody to ask, or nobody who still
    takes review requests (nothing changes then)."""
    members = organization_members(activity.organization_id)
    if not members:
        return 0
    now = timezone.now().replace(microsecond=0)
    previous = activity.review_requested_at
    with transaction.atomic():
        changed = Activity.objects.filter(pk=activity.pk, status=Status.PUBLISHED).update(
            review_requested_at=now
        )
        if not changed:
            return 0
        activity.review_requested_at = now
        audit_log(
            action="moderation.review.resent",
            obj=activity,
            actor=editor,
            data={"members": [u.pk for u in members]},
        )
        mailed = sum(_mail_review_request(user, [activity]) for user in members)
        if not mailed:
            # A request nobody receives would only make the old links stale.
            transaction.set_rollback(True)
            activity.review_requested_at = previous
    return mailed
