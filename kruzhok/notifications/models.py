"""The outbox: one row per mail the site means to send, written in the transaction that decided to
send it and delivered afterwards (kruzhok/notifications/outbox.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("В очереди")
        SENDING = "sending", _("Отправляется")
        SENT = "sent", _("Отправлено")
        FAILED = "failed", _("Не отправлено")

    # What the mail is about, so that the same notice is never queued twice:
    # `kind:recipient:object:period`, e.g. `review_request:42:2026-11-29`.
    key = models.CharField(_("ключ"), max_length=255, unique=True)
    recipient = models.CharField(_("получатель"), max_length=254)
    from_email = models.CharField(_("отправитель"), max_length=254)
    subject = models.CharField(_("тема"), max_length=998)
    body_text = models.TextField(_("текст"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("заголовки"), default=dict, blank=True)
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("попытки"), default=0)
    next_attempt_at = models.DateTimeField(_("следующая попытка"), default=timezone.now)
    leased_until = models.DateTimeField(_("занято до"), null=True, blank=True)
    last_error = models.TextField(_("последняя ошибка"), blank=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("письмо")
        verbose_name_plural = _("исходящие письма")
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.key} → {self.recipient} ({self.status})"


class Subscription(models.Model):
    """One thing a person asked to hear about by mail (kruzhok/notifications/subscriptions.py).

    - `search`: new activities and events matching a search (`query`, the canonical URL
      parameters), mailed at once, daily or weekly;
    - `activity` / `organization`: follow one — schedule, price or enrollment changes, new events
      (and, for an organization, new activities);
    - `event`: a reminder the day before each occurrence of a saved event.

    `token` is the secret of every link the mails carry (confirm, manage, unsubscribe): no sign-in
    is needed to leave. Anonymous subscriptions wait in `pending` until the address is confirmed
    (double opt-in); nothing is mailed to a pending one but that confirmation.
    """

    class Kind(models.TextChoices):
        SEARCH = "search", _("Поиск")
        ACTIVITY = "activity", _("Занятие")
        ORGANIZATION = "organization", _("Организация")
        EVENT = "event", _("Событие")

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("сразу")
        DAILY = "daily", _("раз в день")
        WEEKLY = "weekly", _("раз в неделю")

    class Status(models.TextChoices):
        PENDING = "pending", _("ждёт подтверждения")
        ACTIVE = "active", _("действует")
        CANCELLED = "cancelled", _("отменена")

    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    email = models.EmailField(_("адрес"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    language = models.CharField(_("язык писем"), max_length=8, default="ru")
    # What it is about: `search:<query>`, `activity:<id>`, `organization:<id>`, `event:<id>`;
    # one subscription per address and target.
    target = models.CharField(_("предмет"), max_length=2100)
    query = models.CharField(_("параметры поиска"), max_length=2000, blank=True)
    activity = models.ForeignKey(
        "catalog.Activity", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "catalog.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    frequency = models.CharField(
        _("как часто"), max_length=16, choices=Frequency.choices, default=Frequency.DAILY
    )
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(_("ключ ссылок"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("подтверждена"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("отменена"), null=True, blank=True)
    # What has been reported already. Activities: the search index's `live_seq` (commit-ordered);
    # events: their creation time; follows: the watched fields as last mailed (`state`).
    seen_seq = models.BigIntegerField(default=0)
    seen_at = models.DateTimeField(default=timezone.now)
    state = models.JSONField(default=dict, blank=True)
    # Daily and weekly mails: the last period mailed (`2026-11-29`, `2026-W48`).
    last_period = models.CharField(max_length=16, blank=True)
    last_sent_at = models.DateTimeField(_("последнее письмо"), null=True, blank=True)

    class Meta:
        verbose_name = _("подписка")
        verbose_name_plural = _("подписки")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["email", "target"], name="subscription_unique_target")]
        indexes = [
            models.Index(fields=["status", "kind", "frequency"], name="subscription_due"),
            models.Index(fields=["email"], name="subscription_email"),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.target}"


class MailOptOut(models.Model):
    """An address that asked for no more mails of one category (moderation outcomes, review-cycle
    requests, comment answers…) with the one-click link those mails carry."""

    email = models.EmailField(_("адрес"), max_length=254)
    category = models.CharField(_("вид писем"), max_length=64)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("отказ от писем")
        verbose_name_plural = _("отказы от писем")
        constraints = [models.UniqueConstraint(fields=["email", "category"], name="optout_unique")]

    def __str__(self) -> str:
        return f"{self.email}: {self.category}"
