"""Problem reports about an activity («занятие закрылось», «неверный телефон»…): anyone may send
one, an editor confirms it (and may archive a closed activity) or dismisses it with a reason, and
the sender hears back when they left an address."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.accounts.models import User
from kruzhok.catalog.models import Activity
from kruzhok.core.emails import send_mail, site_url
from kruzhok.core.services import audit_log
from kruzhok.moderation.models import Decision, ProblemReport
from kruzhok.moderation.review_cycle import activity_archive

DUPLICATE_WINDOW = timedelta(days=1)


class ReportRefused(Exception):
    """A decision that cannot be taken (already decided, a reason missing…); the message says why."""


def client_key(ip: str) -> str:
    """A keyed hash of the IP address: enough to spot a repeat, useless to anyone reading the table."""
    return hmac.new(settings.SECRET_KEY.encode(), f"report:{ip}".encode(), hashlib.sha256).hexdigest()


# --- selectors ----------------------------------------------------------------------------------


def pending_reports() -> QuerySet[ProblemReport]:
    """Reports waiting for an editor, oldest first, for the queue."""
    return (
        ProblemReport.objects.filter(status=Decision.PENDING)
        .select_related("activity", "activity__organization", "reporter")
        .order_by("created_at", "id")
    )


def other_open_reports(report: ProblemReport) -> QuerySet[ProblemReport]:
    return pending_reports().filter(activity_id=report.activity_id).exclude(pk=report.pk)


def already_reported(*, activity: Activity, reporter: Any, key: str, now: Any = None) -> bool:
    """The same person (signed in) or the same address (anonymous) reported it in the last day."""
    since = (now or timezone.now()) - DUPLICATE_WINDOW
    recent = ProblemReport.objects.filter(activity=activity, created_at__gte=since)
    if reporter is not None and reporter.is_authenticated:
        return recent.filter(reporter_id=reporter.pk).exists()
    return bool(key) and recent.filter(client_key=key).exists()


# --- services -----------------------------------------------------------------------------------


def report_create(
    *,
    activity: Activity,
    problem: str,
    text: str,
    reporter: AbstractBaseUser | AnonymousUser | None,
    reporter_email: str,
    key: str,
) -> ProblemReport | None:
    """Store a report; None when this sender already reported the activity today."""
    signed_in = reporter if isinstance(reporter, User) and reporter.is_authenticated else None
    with transaction.atomic():
        # Serialize reports on one activity so a double submit cannot slip past the check.
        Activity.objects.select_for_update().filter(pk=activity.pk).first()
        if already_reported(activity=activity, reporter=signed_in, key=key):
            return None
        report = ProblemReport.objects.create(
            activity=activity,
            problem=problem,
            text=text,
            reporter=signed_in,
            reporter_email=reporter_email,
            client_key=key,
        )
        audit_log(
            action="moderation.report.created",
            obj=report,
            actor=signed_in,
            data={"activity": activity.pk, "problem": problem},
        )
    return report


def _decided_mail(report: ProblemReport) -> None:
    """Queued last in the decision's transaction (after an archive), so the mail exists exactly
    when the decision does and tells the final state."""
    if not report.reporter_email:
        return
    language = getattr(report.reporter, "language", None) if report.reporter_id else None
    send_mail(
        template="emails/report_decided",
        key=f"report_decided:{report.pk}",  # a report is decided once
        to=report.reporter_email,
        context={
            "user": report.reporter,
            "report": report,
            "activity": report.activity,
            "confirmed": report.status == Decision.ACCEPTED,
            "page_url": site_url(report.activity.get_absolute_url()),
        },
        language=language,
        category="reports",
    )


def _decide(report: ProblemReport, *, editor: User, status: str, reason: str) -> ProblemReport:
    # Only the report's row is locked: the reporter is a nullable join, which FOR UPDATE cannot cover.
    locked = (
        ProblemReport.objects.select_for_update(of=("self",))
        .select_related("activity", "reporter")
        .get(pk=report.pk)
    )
    if not locked.is_pending:
        raise ReportRefused(_("Это сообщение уже рассмотрено."))
    locked.status = status
    locked.decided_by = editor
    locked.decided_at = timezone.now()
    locked.reason = reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return locked


def report_confirm(
    *, report: ProblemReport, editor: User, reason: str = "", archive: bool = False
) -> ProblemReport:
    """The problem is real (and the editor fixed the entry, or archives it when it closed)."""
    if archive and report.problem != ProblemReport.Problem.CLOSED:
        raise ReportRefused(_("В архив можно убрать только занятие, которое больше не проводится."))
    with transaction.atomic():
        decided = _decide(report, editor=editor, status=Decision.ACCEPTED, reason=reason)
        archived = False
        if archive:
            archived = activity_archive(
                activity=decided.activity,
                actor=editor,
                note=f"report #{decided.pk}: {decided.get_problem_display()}",
            )
        audit_log(
            action="moderation.report.confirmed",
            obj=decided,
            actor=editor,
            data={"activity": decided.activity_id, "archived": archived, "reason": reason[:300]},
        )
        _decided_mail(decided)
    return decided


def report_dismiss(*, report: ProblemReport, editor: User, reason: str) -> ProblemReport:
    """Not a problem after all; the reason goes to the sender."""
    if not reason.strip():
        raise ReportRefused(_("Напишите, почему сообщение отклонено: причину получит отправитель."))
    with transaction.atomic():
        decided = _decide(report, editor=editor, status=Decision.REJECTED, reason=reason.strip())
        audit_log(
            action="moderation.report.dismissed",
            obj=decided,
            actor=editor,
            data={"activity": decided.activity_id, "reason": reason[:300]},
        )
        _decided_mail(decided)
    return decided
