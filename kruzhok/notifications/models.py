"""The outbox: one row per mail the site means to send, written in the transaction that decided to
send it and delivered afterwards (kruzhok/notifications/outbox.py)."""

from __future__ import annotations

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
