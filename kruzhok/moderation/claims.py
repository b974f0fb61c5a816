"""Claims: a user asks to speak for an organization, an editor approves (→ membership) or rejects."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.accounts.models import Membership, MembershipRole, User
from kruzhok.catalog.models import Organization
from kruzhok.core.emails import send_mail
from kruzhok.core.services import audit_log
from kruzhok.moderation.models import Claim, Decision

MAX_REASON = 2000


class Refused(Exception):
    """The claim cannot be made or decided; the message says why."""


def claim_submit(*, user: User, organization: Organization, position: str, phone: str, message: str) -> Claim:
    """A new pending claim; refused when the user is already a member or already waits."""
    with transaction.atomic():
        if Membership.objects.filter(user=user, organization=organization).exists():
            raise Refused(
                _(
                    "Вы уже представляете эту организацию: её занятия можно править в разделе «Мои организации»."
                )
            )
        if Claim.objects.filter(user=user, organization=organization, status=Decision.PENDING).exists():
            raise Refused(_("Ваша заявка на эту организацию уже ждёт решения редактора."))
        try:
            with transaction.atomic():
                claim = Claim.objects.create(
                    user=user, organization=organization, position=position, phone=phone, message=message
                )
        except IntegrityError as exc:  # a double click racing the check above
            raise Refused(_("Ваша заявка на эту организацию уже ждёт решения редактора.")) from exc
        audit_log(
            action="moderation.claim.submitted", obj=claim, actor=user, data={"organization": organization.pk}
        )
    return claim


def _mail(claim: Claim, template: str) -> None:
    """Queued in the decision's transaction: the mail exists exactly when the decision does."""
    user = claim.user
    if not user.email or not user.is_active:
        return
    send_mail(
        template=template,
        # A claim is filed once and decided once: one mail.
        key=f"{template.rpartition('/')[2]}:{user.pk}:{claim.pk}",
        to=user.email,
        context={"user": user, "claim": claim, "organization": claim.organization},
        language=user.language,
        category="moderation",
    )


def _lock_pending(claim: Claim) -> Claim:
    locked = (
        Claim.objects.select_for_update(of=("self",)).select_related("organization", "user").get(pk=claim.pk)
    )
    if not locked.is_pending:
        raise Refused(_("По этой заявке уже принято решение."))
    return locked


def claim_approve(*, claim: Claim, editor: User) -> Membership:
    """The claimant becomes a member: the owner if the organization has none yet, else staff."""
    with transaction.atomic():
        locked = _lock_pending(claim)
        Organization.objects.select_for_update().filter(pk=locked.organization_id).first()
        has_owner = Membership.objects.filter(
            organization=locked.organization, role=MembershipRole.OWNER
        ).exists()
        role = MembershipRole.STAFF if has_owner else MembershipRole.OWNER
        membership, created = Membership.objects.get_or_create(
            user=locked.user, organization=locked.organization, defaults={"role": role}
        )
        locked.status = Decision.ACCEPTED
        locked.decided_by = editor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_log(
            action="moderation.claim.approved",
            obj=locked,
            actor=editor,
            data={
                "organization": locked.organization_id,
                "user": locked.user_id,
                "role": membership.role,
                "new": created,
            },
        )
        _mail(locked, "emails/claim_approved")
    return membership


def claim_reject(*, claim: Claim, editor: User, reason: str) -> Claim:
    reason = reason.strip()[:MAX_REASON]
    if not reason:
        raise Refused(_("Напишите причину: её получит автор заявки."))
    with transaction.atomic():
        locked = _lock_pending(claim)
        locked.status = Decision.REJECTED
        locked.decided_by = editor
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit_log(
            action="moderation.claim.rejected",
            obj=locked,
            actor=editor,
            data={"organization": locked.organization_id, "user": locked.user_id},
        )
        _mail(locked, "emails/claim_rejected")
    return locked


def other_claims_of(claim: Claim) -> QuerySet[Claim]:
    return Claim.objects.filter(user_id=claim.user_id).exclude(pk=claim.pk).select_related("organization")


def members_of(organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("role", "user_id")
    )
