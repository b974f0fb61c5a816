"""Events: open days, competitions, concerts, master classes — one-off or recurring.

Times are stored in UTC; rules are written and expanded in Asia/Omsk wall-clock time
(`recurrence.py`). An all-day event starts at local midnight of its first day and ends at local
midnight after its last day, the same convention as iCal's DTEND.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Activity, Organization, Venue
from kruzhok.core.models import TimeStampedModel


class EventQuerySet(models.QuerySet["Event"]):
    def published(self) -> EventQuerySet:
        return self.filter(status=Event.Status.PUBLISHED, organization__status="published")


class Event(TimeStampedModel):
    class Kind(models.TextChoices):
        OPEN_DAY = "open_day", _("День открытых дверей")
        COMPETITION = "competition", _("Соревнование")
        CONCERT = "concert", _("Концерт")
        MASTER_CLASS = "master_class", _("Мастер-класс")
        OTHER = "other", _("Другое")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("опубликовано")
        CANCELLED = "cancelled", _("отменено")

    title = models.CharField(_("название"), max_length=200)
    description = models.TextField(_("описание"), blank=True)
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    organization = models.ForeignKey(
        Organization, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="events"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("занятие"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("площадка"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    starts_at = models.DateTimeField(_("начало"), db_index=True)
    ends_at = models.DateTimeField(_("конец"))
    all_day = models.BooleanField(_("весь день"), default=False)
    rrule = models.CharField(_("правило повторения (RRULE)"), max_length=300, blank=True, default="")
    exdates = models.JSONField(_("даты-исключения"), default=list, blank=True)
    # The last moment any occurrence can end (null: the rule has no end), so a date-range query
    # can skip finished events in SQL before expanding the rest in Python.
    repeats_until = models.DateTimeField(_("повторяется до"), null=True, blank=True, db_index=True)
    age_min = models.PositiveSmallIntegerField(_("возраст от"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("возраст до"), null=True, blank=True)
    price_rub = models.PositiveIntegerField(_("цена, ₽"), default=0)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    # The OpenActive feed's `modified`: taken from the catalog's commit-ordered sequence by every
    # write of the event (kruzhok.api.openactive_services), so consumers never skip a commit.
    feed_seq = models.BigIntegerField(_("номер изменения в ленте"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("создал"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("событие")
        verbose_name_plural = _("события")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_min__lte=models.F("age_max")),
                name="event_age_range",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="event_status_start"),
            models.Index(fields=["feed_seq", "id"], name="event_feed_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event", args=[self.pk])

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)

    @property
    def is_free(self) -> bool:
        return self.price_rub == 0

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def exception_dates(self) -> list[date]:
        return [date.fromisoformat(value) for value in self.exdates]
