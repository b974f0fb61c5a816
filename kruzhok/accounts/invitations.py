"""Invitations: a department member asks an institution's person to join the site for their
organization.

The link carries a random token (`secrets.token_urlsafe`); the database keeps only its SHA-256,
so a leaked table opens nothing. A link works until INVITATION_EXPIRY_DAYS after it was sent,
and once: acceptance is a conditional UPDATE on a row that is neither accepted nor revoked, so
two clicks in parallel cannot both succeed. Resending replaces the token.

Accepting makes the person a member of the organization: the owner when it has none yet, else
staff. Someone without an account gets one on the spot; their address is verified by the very
act of opening the link that was mailed to it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.accounts.models import Invitation, InvitationStatus, Membership, MembershipRole, User
from kruzhok.accounts.services import user_grant_provider
from kruzhok.catalog.models import Department, Organization
from kruzhok.core import emails
from kruzhok.core.emails import site_url
from kruzhok.core.services import audit_log
from kruzhok.core.text import russian_slug
from kruzhok.notifications.subscriptions import opted_out

TOKEN_BYTES = 32


class InvitationError(Exception):
    """The invitation cannot be used; `message` is for the person holding the link."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, _hash(token)


def _expiry() -> timedelta:
    return timedelta(days=settings.INVITATION_EXPIRY_DAYS)


def invitation_url(token: str) -> str:
    return site_url(reverse("invitation_accept", args=[token]))


def account_for_email(email: str) -> User | None:
    """The account that owns `email` as its login or as one of its addresses."""
    found = User.objects.filter(is_active=True).filter(
        Q(email__iexact=email) | Q(emailaddress__email__iexact=email)
    )
    return found.distinct().first()


def invitation_refused_by(email: str) -> str | None:
    """Why `email` cannot be invited — its owner stopped invitations with the link one carried —
    or None. The department hears it instead of a mail that would never be sent."""
    if opted_out(email, "invitations"):
        return _(
            "Владелец адреса %(email)s отказался от приглашений с сайта «Кружок» по ссылке из письма. "
            "Свяжитесь с учреждением по-другому, например по телефону."
        ) % {"email": email.strip()}
    return None


def _send(invitation: Invitation, token: str) -> None:
    recipient = account_for_email(invitation.email)
    context = {
        "invitation": invitation,
        "organization_name": invitation.organization.name,
        "department_name": invitation.department.name,
        "inviter_name": invitation.invited_by.public_name if invitation.invited_by else "",
        "link": invitation_url(token),
        "expires_at": invitation.expires_at,
        "days": settings.INVITATION_EXPIRY_DAYS,
        "user": recipient,
    }
    language = recipient.language if recipient is not None else settings.LANGUAGE_CODE
    # Queued in the invitation's transaction; each sending is a new link, so a new mail.
    emails.send_mail(
        template="emails/invitation",
        key=f"invitation:{invitation.pk}:{invitation.send_count}",
        to=invitation.email,
        context=context,
        language=language,
        category="invitations",
    )


@transaction.atomic
def invitation_create(
    *,
    department: Department,
    inviter: User,
    email: str,
    organization: Organization | None = None,
    organization_name: str = "",
) -> Invitation:
    """Invite `email` to speak for `organization` (one of the department's) or for a new
    organization called `organization_name`, created in the department."""
    if organization is None:
        name = " ".join(organization_name.split())
        if not name:
            raise ValueError("an invitation needs an organization or a name for a new one")
        organization = Organization.objects.create(
            name=name, slug=russian_slug(name), department=department, kind=Organization.Kind.PUBLIC
        )
        audit_log(
            action="catalog.organization.created",
            obj=organization,
            actor=inviter,
            data={"department": department.slug, "via": "invitation"},
        )
    elif organization.department_id != department.pk:
        raise ValueError("the organization is not in this department")
    token, token_hash = _new_token()
    now = timezone.now()
    invitation = Invitation.objects.create(
        department=department,
        organization=organization,
        email=email.strip(),
        token_hash=token_hash,
        invited_by=inviter,
        sent_at=now,
        expires_at=now + _expiry(),
    )
    audit_log(
        action="accounts.invitation.created",
        obj=invitation,
        actor=inviter,
        data={"department": department.slug, "organization": organization.pk, "email": invitation.email},
    )
    _send(invitation, token)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """A new link (the old one stops working) with a fresh expiry; also revives an expired one."""
    if invitation.status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
        raise InvitationError(_("Это приглашение уже принято или отозвано."), reason=invitation.status)
    if (why := invitation_refused_by(invitation.email)) is not None:
        raise InvitationError(why, reason="opted_out")
    token, token_hash = _new_token()
    now = timezone.now()
    invitation.token_hash = token_hash
    invitation.sent_at = now
    invitation.expires_at = now + _expiry()
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
    audit_log(
        action="accounts.invitation.resent",
        obj=invitation,
        actor=actor,
        data={"email": invitation.email, "send_count": invitation.send_count},
    )
    _send(invitation, token)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> bool:
    """False when there was nothing to revoke (already accepted or revoked)."""
    changed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if changed:
        invitation.refresh_from_db()
        audit_log(
            action="accounts.invitation.revoked",
            obj=invitation,
            actor=actor,
            data={"email": invitation.email},
        )
    return bool(changed)


def invitation_by_token(token: str) -> Invitation:
    """The usable invitation behind a link, or InvitationError saying why it is not."""
    invitation = (
        Invitation.objects.select_related("organization", "department")
        .filter(token_hash=_hash(token))
        .first()
        if token and len(token) < 200
        else None
    )
    if invitation is None:
        raise InvitationError(
            _(
                "Ссылка приглашения не работает: возможно, её скопировали не полностью или департамент "
                "отправил новую. Откройте последнее письмо-приглашение или попросите прислать ссылку ещё раз."
            ),
            reason="invalid",
        )
    status = invitation.status
    if status == InvitationStatus.ACCEPTED:
        raise InvitationError(
            _("Это приглашение уже принято. Войдите на сайт с адресом, на который оно пришло."),
            reason=status,
        )
    if status == InvitationStatus.REVOKED:
        raise InvitationError(
            _("Департамент отозвал это приглашение. Если это ошибка, свяжитесь с ним."), reason=status
        )
    if status == InvitationStatus.EXPIRED:
        raise InvitationError(
            _("Срок действия приглашения истёк. Попросите департамент прислать новое — это займёт минуту."),
            reason=status,
        )
    return invitation


@dataclass(frozen=True)
class Accepted:
    membership: Membership
    role: str


def _claim(invitation: Invitation, user: User) -> None:
    """One use: only the first of two parallel acceptances changes the row."""
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not claimed:
        raise InvitationError(_("Это приглашение уже использовано или больше не действует."), reason="used")
    invitation.accepted_at = now
    invitation.accepted_by = user


def _join(invitation: Invitation, user: User) -> Accepted:
    organization = Organization.objects.select_for_update().get(pk=invitation.organization_id)
    existing = Membership.objects.filter(user=user, organization=organization).first()
    if existing is not None:
        membership, role = existing, existing.role
    else:
        has_owner = Membership.objects.filter(organization=organization, role=MembershipRole.OWNER).exists()
        role = MembershipRole.STAFF if has_owner else MembershipRole.OWNER
        membership, _changed = user_grant_provider(
            user=user, organization=organization, role=role, granted_by=invitation.invited_by
        )
    audit_log(
        action="accounts.invitation.accepted",
        obj=invitation,
        actor=user,
        data={"organization": organization.pk, "role": role, "email": invitation.email},
    )
    return Accepted(membership=membership, role=role)


def email_matches(invitation: Invitation, user: User) -> bool:
    """The invitation was sent to one of this account's verified addresses (or its login)."""
    if user.email and user.email.casefold() == invitation.email.casefold():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Accepted:
    """A signed-in person whose address the invitation went to joins the organization."""
    if not email_matches(invitation, user):
        raise InvitationError(
            _("Это приглашение отправлено на другой адрес. Выйдите и откройте ссылку снова."),
            reason="other_user",
        )
    _claim(invitation, user)
    # Clicking a link mailed to the address proves it, as allauth's confirmation link would.
    EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
    return _join(invitation, user)


@transaction.atomic
def invitation_accept_new_account(
    *, invitation: Invitation, password: str, display_name: str, language: str
) -> tuple[User, Accepted]:
    """Create the invited person's account (the address verified) and the membership."""
    if account_for_email(invitation.email) is not None:
        raise InvitationError(
            _("С этим адресом уже есть аккаунт: войдите и примите приглашение."), reason="account_exists"
        )
    user = User(
        username=f"u-{secrets.token_hex(8)}",
        email=invitation.email,
        display_name=display_name,
        language=language,
    )
    user.set_password(password)
    user.save()  # rolled back with everything else if the invitation was used meanwhile
    EmailAddress.objects.create(user=user, email=invitation.email, verified=True, primary=True)
    audit_log(
        action="accounts.user.signed_up",
        obj=user,
        actor=user,
        data={"language": user.language, "via": "invitation", "invitation": invitation.pk},
    )
    _claim(invitation, user)
    return user, _join(invitation, user)
