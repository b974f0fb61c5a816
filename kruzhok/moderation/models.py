"""Everything that waits for an editor, and the history that lets an editor undo.

- `Suggestion`: a citizen's new entry (activity, with a new organization or venue when needed)
  or a field-by-field edit of an existing activity. Nothing in it is public until accepted.
- `ProblemReport`: «closed», «wrong phone»… about an activity; anonymous visitors may send one.
- `Claim`: a user asks to speak for an organization; an editor approves it (→ Membership).
- `ActivityVersion`: a snapshot of an activity after every change (direct edit, accepted
  suggestion, import, revert), so an editor can see who changed what and go back.

Payload formats are the contract between the contribute forms and the moderation decisions:

NEW_ACTIVITY `data` = {
    "activity": {"title", "description", "direction" (slug), "categories" ([slug]), "age_min",
                 "age_max", "price_rub", "price_note", "format", "ovz", "enrollment", "phone",
                 "email", "website", "schedule" (text in the import format, «Пн,Ср 15:00-16:30»)},
    "organization": {"id": int} | {"name", "kind", "inn", "phone", "email", "website"},
    "venue": {"id": int} | {"address", "lat", "lon"},
}
EDIT `data` = {field: proposed value} and `original` = {field: value when it was suggested},
fields among `EDITABLE_FIELDS`; values are JSON (slugs for direction and categories, the
schedule as import-format text).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Activity, Organization

# The activity fields a citizen may propose to change and an editor may accept one by one.
EDITABLE_FIELDS = (
    "title",
    "description",
    "direction",
    "categories",
    "age_min",
    "age_max",
    "price_rub",
    "price_note",
    "format",
    "ovz",
    "enrollment",
    "phone",
    "email",
    "website",
    "address",
    "schedule",
)


class Decision(models.TextChoices):
    PENDING = "pending", _("ждёт решения")
    ACCEPTED = "accepted", _("принято")
    PARTLY = "partly", _("принято частично")
    REJECTED = "rejected", _("отклонено")


class DecidedModel(models.Model):
    """Who decided, when, and why — shared by everything in the editors' queue."""

    status = models.CharField(
        _("решение"), max_length=20, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(_("решено"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("редактор"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("причина решения"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.status == Decision.PENDING


class Suggestion(DecidedModel):
    class Kind(models.TextChoices):
        NEW_ACTIVITY = "new_activity", _("новое занятие")
        EDIT = "edit", _("правка")

    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    # EDIT: the activity it changes; NEW_ACTIVITY: the activity created when it was accepted.
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("занятие"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    data = models.JSONField(_("предложено"), default=dict)
    original = models.JSONField(_("было"), default=dict, blank=True)
    note = models.TextField(_("комментарий автора"), blank=True)
    accepted_fields = models.JSONField(_("принятые поля"), default=list, blank=True)

    class Meta:
        verbose_name = _("предложение")
        verbose_name_plural = _("предложения")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "kind", "created_at"], name="suggestion_queue")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ProblemReport(DecidedModel):
    """ACCEPTED means the problem was confirmed (and fixed), REJECTED that it was dismissed."""

    class Problem(models.TextChoices):
        CLOSED = "closed", _("занятие больше не проводится")
        PHONE = "phone", _("неверный телефон или контакты")
        AGE = "age", _("неверный возраст")
        ADDRESS = "address", _("неверный адрес")
        SCHEDULE = "schedule", _("неверное расписание")
        PRICE = "price", _("неверная цена")
        OTHER = "other", _("другое")

    activity = models.ForeignKey(
        Activity, verbose_name=_("занятие"), on_delete=models.CASCADE, related_name="problem_reports"
    )
    problem = models.CharField(_("что не так"), max_length=20, choices=Problem.choices)
    text = models.TextField(_("подробности"), blank=True, max_length=2000)
    # Anonymous visitors may report; an email (optional) lets the editor answer them.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто сообщил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problem_reports",
    )
    reporter_email = models.EmailField(_("эл. почта для ответа"), blank=True)
    # A keyed hash of the sender's IP (never the address itself): the same visitor reporting the
    # same activity twice in a day is told it is already reported.
    client_key = models.CharField(_("ключ отправителя"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("сообщение о проблеме")
        verbose_name_plural = _("сообщения о проблемах")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_problem_display()} · {self.activity_id}"


class Claim(DecidedModel):
    """«Я представляю эту организацию»: approved, it makes the user a member (owner)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="claims"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="claims",
    )
    position = models.CharField(_("должность"), max_length=200)
    phone = models.CharField(_("телефон для проверки"), max_length=50, blank=True)
    message = models.TextField(_("сообщение"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("заявка на организацию")
        verbose_name_plural = _("заявки на организации")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=models.Q(status="pending"),
                name="claim_one_pending_per_user_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organization}"


class ActivityVersion(models.Model):
    """The activity as it was right after one change (see `kruzhok.moderation.versions`)."""

    class Action(models.TextChoices):
        CREATED = "created", _("создано")
        EDITED = "edited", _("изменено поставщиком")
        SUGGESTION = "suggestion", _("принято предложение")
        IMPORTED = "imported", _("импорт")
        REVERTED = "reverted", _("возврат к версии")
        EDITOR = "editor", _("изменено редактором")
        CONFIRMED = "confirmed", _("данные подтверждены")

    activity = models.ForeignKey(
        Activity, verbose_name=_("занятие"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("номер"))
    action = models.CharField(_("что случилось"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("данные"))
    note = models.CharField(_("пояснение"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("версия занятия")
        verbose_name_plural = _("версии занятий")
        ordering = ["activity", "-number"]
        constraints = [models.UniqueConstraint(fields=["activity", "number"], name="activity_version_unique")]

    def __str__(self) -> str:
        return f"{self.activity_id} v{self.number}"
