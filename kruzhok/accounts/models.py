"""Users, their profile and their roles: provider memberships, department memberships, editors.

Roles are data here; the checks that read them live in `kruzhok.accounts.permissions`.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DISPLAY_NAME_MAX_LENGTH = 80


class Language(models.TextChoices):
    RU = "ru", "Русский"
    EN = "en", "English"


class User(AbstractUser):
    """The site's user. Signs in by email (allauth); `username` is generated and never shown."""

    display_name = models.CharField(_("имя на сайте"), max_length=DISPLAY_NAME_MAX_LENGTH, blank=True)
    language = models.CharField(_("язык"), max_length=8, choices=Language.choices, default=Language.RU)
    is_editor = models.BooleanField(
        _("редактор"),
        default=False,
        help_text=_("Редактор проверяет новые записи, правки, жалобы и комментарии."),
    )
    deleted_at = models.DateTimeField(_("удалён"), null=True, blank=True)

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        """What the header and (later) comments show: the chosen name, else the email's first part."""
        if self.display_name:
            return self.display_name
        if self.email:
            return self.email.split("@", 1)[0]
        return self.username


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("владелец")
    STAFF = "staff", _("сотрудник")


class Membership(models.Model):
    """A user who speaks for an organization (a provider): edits its entries, answers comments."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        "catalog.Organization",
        verbose_name=_("организация"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("роль"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.STAFF
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("участник организации")
        verbose_name_plural = _("участники организаций")
        ordering = ["organization__name", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} ({self.get_role_display()})"


class DepartmentMembership(models.Model):
    """A user who works for a city department and sees its network of organizations."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="department_memberships",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("департамент"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("сотрудник департамента")
        verbose_name_plural = _("сотрудники департаментов")
        ordering = ["department__name", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="department_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"


def signature(user: User | None) -> str:
    """How a person signs what they wrote: the public name, or «удалённый пользователь» once the
    account is gone (its rows stay, anonymised)."""
    if user is None or user.deleted_at:
        return str(_("удалённый пользователь"))
    return user.public_name


def user_display(user: User) -> str:
    """allauth's name for a user in its messages («Успешный вход под именем …»)."""
    return user.public_name


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("отправлено")
    ACCEPTED = "accepted", _("принято")
    EXPIRED = "expired", _("истекло")
    REVOKED = "revoked", _("отозвано")


class Invitation(models.Model):
    """A department invites an institution's person by email to speak for an organization.

    The link carries a random token; only its SHA-256 is stored, so the table alone opens nothing.
    A resend replaces the token (the old link stops working) and restarts the expiry.
    """

    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("департамент"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    organization = models.ForeignKey(
        "catalog.Organization",
        verbose_name=_("организация"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("эл. почта"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пригласил"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    sent_at = models.DateTimeField(_("отправлено"))
    send_count = models.PositiveSmallIntegerField(_("отправок"), default=1)
    expires_at = models.DateTimeField(_("действует до"))
    accepted_at = models.DateTimeField(_("принято"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("принял"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(_("отозвано"), null=True, blank=True)

    class Meta:
        verbose_name = _("приглашение")
        verbose_name_plural = _("приглашения")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["department", "-sent_at"], name="invitation_department_sent")]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    def status_at(self, now: datetime) -> str:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return InvitationStatus.SENT

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def get_status_display(self) -> str:
        return str(InvitationStatus(self.status).label)
