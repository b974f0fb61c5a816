"""What the KPIs are computed from.

Raw events (page views, searches) carry no personal data: no IP address, no cookie, no user id.
A visitor is a hash of the address and browser with a salt that changes every day and is then
thrown away, so the same person cannot be followed from one day to the next. Raw events are
buffered in memory, written in batches, rolled up into daily tables by `manage.py
aggregate_analytics` and deleted after RAW_RETENTION_DAYS; the daily tables stay.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

RAW_RETENTION_DAYS = 30
QUERY_MAX = 200


class Salt(models.Model):
    """The day's secret for visitor hashes; deleted once the day is over."""

    day = models.DateField(_("день"), unique=True)
    value = models.CharField(_("соль"), max_length=64)

    class Meta:
        verbose_name = _("соль дня")
        verbose_name_plural = _("соли дней")

    def __str__(self) -> str:
        return str(self.day)


class PageView(models.Model):
    """One HTML page shown to a person (not a bot, not an htmx fragment)."""

    at = models.DateTimeField(_("когда"), db_index=True)
    day = models.DateField(_("день"))
    route = models.CharField(_("страница"), max_length=100)  # URL name, e.g. "catalog:activity"
    object_type = models.CharField(_("тип объекта"), max_length=30, blank=True, default="")
    object_id = models.PositiveIntegerField(_("id объекта"), null=True, blank=True)
    visitor = models.CharField(_("посетитель (хеш дня)"), max_length=32)
    referrer_host = models.CharField(_("откуда"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("просмотр страницы")
        verbose_name_plural = _("просмотры страниц")
        indexes = [models.Index(fields=["day", "object_type", "object_id"], name="pageview_day_object")]

    def __str__(self) -> str:
        return f"{self.day} {self.route} {self.object_type}#{self.object_id or ''}"


class SearchEvent(models.Model):
    """One search as run by the page or the API: the words (no address), filters, result count."""

    class Source(models.TextChoices):
        PAGE = "page", _("сайт")
        API = "api", _("API")

    at = models.DateTimeField(_("когда"), db_index=True)
    day = models.DateField(_("день"))
    source = models.CharField(_("источник"), max_length=10, choices=Source.choices)
    query = models.CharField(_("запрос"), max_length=QUERY_MAX, blank=True, default="")
    filters = models.JSONField(_("фильтры"), default=dict, blank=True)
    has_location = models.BooleanField(_("с местом"), default=False)
    results = models.PositiveIntegerField(_("найдено"))
    corrected = models.BooleanField(_("исправлен"), default=False)
    visitor = models.CharField(_("посетитель (хеш дня)"), max_length=32)

    class Meta:
        verbose_name = _("поиск")
        verbose_name_plural = _("поиски")
        indexes = [models.Index(fields=["day", "visitor", "at"], name="search_day_visitor")]

    def __str__(self) -> str:
        return f"{self.day} «{self.query}» → {self.results}"


class DailyTraffic(models.Model):
    day = models.DateField(_("день"), unique=True)
    page_views = models.PositiveIntegerField(_("просмотры"), default=0)
    visitors = models.PositiveIntegerField(_("посетители"), default=0)
    searches = models.PositiveIntegerField(_("поиски"), default=0)
    zero_result_searches = models.PositiveIntegerField(_("поиски без результатов"), default=0)

    class Meta:
        verbose_name = _("посещаемость за день")
        verbose_name_plural = _("посещаемость по дням")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.page_views}"


class DailyPageStat(models.Model):
    """Views of one activity, organization or event page on one day."""

    day = models.DateField(_("день"))
    object_type = models.CharField(_("тип объекта"), max_length=30)
    object_id = models.PositiveIntegerField(_("id объекта"))
    views = models.PositiveIntegerField(_("просмотры"), default=0)
    visitors = models.PositiveIntegerField(_("посетители"), default=0)

    class Meta:
        verbose_name = _("просмотры объекта за день")
        verbose_name_plural = _("просмотры объектов по дням")
        constraints = [
            models.UniqueConstraint(fields=["day", "object_type", "object_id"], name="pagestat_unique")
        ]
        indexes = [models.Index(fields=["object_type", "object_id", "day"], name="pagestat_object")]

    def __str__(self) -> str:
        return f"{self.day} {self.object_type}#{self.object_id}: {self.views}"


class DailyQuery(models.Model):
    """How often a (normalised) query was searched on one day, and how often it found nothing."""

    day = models.DateField(_("день"))
    query = models.CharField(_("запрос"), max_length=QUERY_MAX)
    searches = models.PositiveIntegerField(_("поиски"), default=0)
    zero_results = models.PositiveIntegerField(_("без результатов"), default=0)

    class Meta:
        verbose_name = _("запрос за день")
        verbose_name_plural = _("запросы по дням")
        constraints = [models.UniqueConstraint(fields=["day", "query"], name="dailyquery_unique")]

    def __str__(self) -> str:
        return f"{self.day} «{self.query}»: {self.searches}"


class CoverageTarget(models.Model):
    """The city's offer as editors set it: how many live entries an okrug should have in a
    direction. Coverage compares the catalog with these numbers."""

    okrug = models.ForeignKey(
        "places.District",
        verbose_name=_("округ"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": "okrug"},
    )
    direction = models.ForeignKey(
        "catalog.Direction", verbose_name=_("направленность"), on_delete=models.CASCADE, related_name="+"
    )
    expected = models.PositiveIntegerField(_("ожидается занятий"))
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто изменил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("предложение города")
        verbose_name_plural = _("предложение города (цели покрытия)")
        ordering = ["okrug__name", "direction__position"]
        constraints = [models.UniqueConstraint(fields=["okrug", "direction"], name="coverage_target_unique")]

    def __str__(self) -> str:
        return f"{self.okrug} · {self.direction}: {self.expected}"
