"""Promotion: what organizations say about themselves, what editors feature, and paid ads.

Organic results never depend on anything here: featured picks and ads are shown in their own,
labelled places beside the results.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kruzhok.core.models import TimeStampedModel

POST_TITLE_MAX = 200
POST_BODY_MAX = 5000
PHOTO_CAPTION_MAX = 200
HIDE_REASON_MAX = 300
AD_TEXT_MAX = 300
ERID_MAX = 64


class HideableQuerySet(models.QuerySet):
    def visible(self) -> "HideableQuerySet":
        return self.filter(hidden_at__isnull=True)


class Hideable(TimeStampedModel):
    """Written by a provider, hidden (not deleted) by an editor with a reason."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_at = models.DateTimeField(_("скрыто"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кем скрыто"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.CharField(_("причина"), max_length=HIDE_REASON_MAX, blank=True, default="")

    objects = HideableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class OrganizationPost(Hideable):
    """A news post on the organization's page (plain text; links are made clickable on output)."""

    organization = models.ForeignKey(
        "catalog.Organization", verbose_name=_("организация"), on_delete=models.CASCADE, related_name="posts"
    )
    title = models.CharField(_("заголовок"), max_length=POST_TITLE_MAX)
    body = models.TextField(_("текст"), max_length=POST_BODY_MAX)
    published_at = models.DateTimeField(_("опубликовано"), db_index=True)

    class Meta:
        verbose_name = _("новость организации")
        verbose_name_plural = _("новости организаций")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["organization", "hidden_at", "-published_at"], name="post_page")]

    def __str__(self) -> str:
        return self.title


class OrganizationPhoto(Hideable):
    """A photo on the organization's page. Stored re-encoded (no EXIF, no scripts), never as sent."""

    organization = models.ForeignKey(
        "catalog.Organization", verbose_name=_("организация"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(
        _("фото"), upload_to="organizations/photos/%Y/%m/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(_("ширина"), default=0)
    height = models.PositiveIntegerField(_("высота"), default=0)
    caption = models.CharField(_("подпись"), max_length=PHOTO_CAPTION_MAX, blank=True, default="")
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("фото организации")
        verbose_name_plural = _("фото организаций")
        ordering = ["position", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.caption or str(self.image.name)


class FeaturedQuerySet(models.QuerySet):
    def on(self, day: date) -> "FeaturedQuerySet":
        """Picks shown on `day` (a date in the city's time zone)."""
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Featured(TimeStampedModel):
    """An editor's pick of an activity or an event for the home page (no direction) or for one
    direction's page, between two dates inclusive."""

    direction = models.ForeignKey(
        "catalog.Direction",
        verbose_name=_("страница направленности"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Пусто — главная страница."),
    )
    activity = models.ForeignKey(
        "catalog.Activity",
        verbose_name=_("занятие"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("событие"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    starts_on = models.DateField(_("с"))
    ends_on = models.DateField(_("по"))
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто выбрал"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = FeaturedQuerySet.as_manager()

    class Meta:
        verbose_name = _("выбор редакции")
        verbose_name_plural = _("выбор редакции")
        ordering = ["position", "-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=False, event__isnull=True)
                | Q(activity__isnull=True, event__isnull=False),
                name="featured_activity_xor_event",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="featured_dates_ordered"
            ),
        ]
        indexes = [models.Index(fields=["direction", "ends_on", "starts_on"], name="featured_window")]

    def __str__(self) -> str:
        return str(self.activity or self.event)


class AdCampaign(TimeStampedModel):
    """A paid ad: one advertiser, text + image + link, a targeting, dates and a daily cap.

    Empty targeting fields match everything; each filled one must match the page's search."""

    advertiser = models.ForeignKey(
        "catalog.Organization",
        verbose_name=_("рекламодатель"),
        on_delete=models.PROTECT,
        related_name="ad_campaigns",
    )
    name = models.CharField(_("название кампании"), max_length=200)
    text = models.CharField(_("текст объявления"), max_length=AD_TEXT_MAX)
    image = models.ImageField(
        _("изображение"),
        upload_to="ads/%Y/%m/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
    )
    image_width = models.PositiveIntegerField(default=0, editable=False)
    image_height = models.PositiveIntegerField(default=0, editable=False)
    link = models.URLField(_("ссылка"), max_length=500)
    # The token the Russian advertising law (38-FZ, art. 18.1) requires on every ad online.
    erid = models.CharField(_("токен erid"), max_length=ERID_MAX)
    directions = models.ManyToManyField(
        "catalog.Direction", verbose_name=_("направленности"), blank=True, related_name="+"
    )
    categories = models.ManyToManyField(
        "catalog.Category", verbose_name=_("категории"), blank=True, related_name="+"
    )
    okrugs = models.ManyToManyField(
        "places.District",
        verbose_name=_("округа"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "okrug"},
    )
    age_min = models.PositiveSmallIntegerField(_("возраст от"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("возраст до"), null=True, blank=True)
    starts_on = models.DateField(_("начало показа"))
    ends_on = models.DateField(_("конец показа"))
    daily_impression_cap = models.PositiveIntegerField(_("показов в день, не больше"))
    is_active = models.BooleanField(_("включена"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто создал"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("рекламная кампания")
        verbose_name_plural = _("рекламные кампании")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="ad_dates_ordered"),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_max__gte=models.F("age_min")),
                name="ad_ages_ordered",
            ),
            models.CheckConstraint(condition=Q(daily_impression_cap__gt=0), name="ad_cap_positive"),
        ]
        indexes = [models.Index(fields=["is_active", "ends_on", "starts_on"], name="ad_running")]

    def __str__(self) -> str:
        return self.name


class AdDailyStat(models.Model):
    """Impressions and clicks of a campaign on one day (Omsk time): counters only, no visitors.
    PROTECT: the figures are the advertiser's report (38-FZ); a campaign with them is switched off,
    never deleted."""

    campaign = models.ForeignKey(
        AdCampaign, verbose_name=_("кампания"), on_delete=models.PROTECT, related_name="stats"
    )
    day = models.DateField(_("день"))
    impressions = models.PositiveIntegerField(_("показы"), default=0)
    clicks = models.PositiveIntegerField(_("переходы"), default=0)

    class Meta:
        verbose_name = _("статистика кампании за день")
        verbose_name_plural = _("статистика кампаний")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["campaign", "day"], name="ad_stat_unique_day")]

    def __str__(self) -> str:
        return f"{self.campaign} {self.day}: {self.impressions}/{self.clicks}"
