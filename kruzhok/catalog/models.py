"""The catalog: who offers what, where, for which ages, and when.

Rows are never deleted by the site: an activity or organization is archived (status +
archived_at) so links, history and imports keep working. `Activity.objects.live()` is what
the public sees.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.core.models import TimeStampedModel
from kruzhok.core.text import russian_slug

AGE_MIN = 0
AGE_MAX = 18


class Direction(models.Model):
    """One of the six official directions of Russian supplementary education."""

    slug = models.SlugField(_("слаг"), max_length=30, unique=True)
    name_ru = models.CharField(_("название"), max_length=100)
    name_en = models.CharField(_("название (англ.)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("направленность")
        verbose_name_plural = _("направленности")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name_ru

    def get_absolute_url(self) -> str:
        return reverse("catalog:direction", args=[self.slug])


class Category(models.Model):
    """A kind of activity (football, chess, robotics…) under a direction; search uses synonyms."""

    slug = models.SlugField(_("слаг"), max_length=60, unique=True)
    direction = models.ForeignKey(
        Direction, verbose_name=_("направленность"), on_delete=models.PROTECT, related_name="categories"
    )
    name_ru = models.CharField(_("название"), max_length=100)
    name_en = models.CharField(_("название (англ.)"), max_length=100)
    synonyms = models.JSONField(_("синонимы"), default=list, blank=True)

    class Meta:
        verbose_name = _("категория")
        verbose_name_plural = _("категории")
        ordering = ["direction__position", "name_ru"]

    def __str__(self) -> str:
        return self.name_ru

    def get_absolute_url(self) -> str:
        return reverse("catalog:category", args=[self.slug])


class Department(models.Model):
    """A city department that seeds the catalog and invites its network (education, culture…)."""

    slug = models.SlugField(_("слаг"), max_length=40, unique=True)
    name = models.CharField(_("название"), max_length=200)

    class Meta:
        verbose_name = _("департамент")
        verbose_name_plural = _("департаменты")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    DRAFT = "draft", _("черновик")
    PENDING = "pending", _("на проверке")
    PUBLISHED = "published", _("опубликовано")
    ARCHIVED = "archived", _("в архиве")


class CatalogQuerySet(models.QuerySet):
    def live(self) -> CatalogQuerySet:
        return self.filter(status=Status.PUBLISHED)


class SourcedModel(TimeStampedModel):
    """Fields shared by everything an import can create: provenance, status, freshness."""

    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    archived_at = models.DateTimeField(_("в архиве с"), null=True, blank=True)
    verified_at = models.DateTimeField(_("проверено"), null=True, blank=True, db_index=True)
    source = models.CharField(_("источник"), max_length=100, blank=True, default="")
    external_id = models.CharField(_("внешний id"), max_length=100, blank=True, default="")

    objects = CatalogQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_live(self) -> bool:
        return self.status == Status.PUBLISHED


class Organization(SourcedModel):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("государственная / муниципальная")
        PRIVATE = "private", _("частная")
        NGO = "ngo", _("некоммерческая")
        INDIVIDUAL = "individual", _("частный педагог")

    name = models.CharField(_("название"), max_length=300, db_index=True)
    slug = models.SlugField(_("слаг"), max_length=80, blank=True)
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, default=Kind.PUBLIC)
    department = models.ForeignKey(
        Department,
        verbose_name=_("департамент"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organizations",
    )
    inn = models.CharField(_("ИНН"), max_length=12, blank=True, default="")
    description = models.TextField(_("описание"), blank=True)
    phone = models.CharField(_("телефон"), max_length=50, blank=True)
    email = models.EmailField(_("эл. почта"), blank=True)
    website = models.URLField(_("сайт"), blank=True)
    verified = models.BooleanField(_("подтверждена"), default=False)

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["inn"], condition=~Q(inn=""), name="organization_unique_inn"),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="organization_unique_source_external_id",
            ),
            models.CheckConstraint(
                condition=Q(inn="") | Q(inn__regex=r"^([0-9]{10}|[0-9]{12})$"),
                name="organization_inn_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.slug:
            self.slug = russian_slug(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("catalog:organization", args=[self.pk, self.slug or "org"])


class Venue(TimeStampedModel):
    """A place where activities happen: an address with coordinates and its district."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="venues"
    )
    name = models.CharField(_("название"), max_length=300, blank=True)
    address = models.CharField(_("адрес"), max_length=300)
    city = models.CharField(_("город"), max_length=100, blank=True, default="Омск")
    lat = models.FloatField(_("широта"), null=True, blank=True)
    lon = models.FloatField(_("долгота"), null=True, blank=True)
    district = models.ForeignKey(
        "places.District",
        verbose_name=_("округ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="venues",
        limit_choices_to={"kind": "okrug"},
    )
    microdistrict = models.ForeignKey(
        "places.District",
        verbose_name=_("микрорайон"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "microdistrict"},
    )

    class Meta:
        verbose_name = _("площадка")
        verbose_name_plural = _("площадки")
        ordering = ["address"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90), name="venue_lat_range"
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180), name="venue_lon_range"
            ),
            models.UniqueConstraint(fields=["organization", "address"], name="venue_unique_address"),
        ]
        indexes = [models.Index(fields=["lat", "lon"], name="venue_lat_lon")]

    def __str__(self) -> str:
        return self.name or self.address

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


class Activity(SourcedModel):
    """A кружок, секция or программа: the unit a parent searches for."""

    class Format(models.TextChoices):
        GROUP = "group", _("в группе")
        INDIVIDUAL = "individual", _("индивидуально")
        ONLINE = "online", _("онлайн")

    class Enrollment(models.TextChoices):
        OPEN = "open", _("набор открыт")
        CLOSED = "closed", _("набор закрыт")
        WAITLIST = "waitlist", _("лист ожидания")

    organization = models.ForeignKey(
        Organization, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="activities"
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("площадка"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    title = models.CharField(_("название"), max_length=300)
    slug = models.SlugField(_("слаг"), max_length=80, blank=True)
    description = models.TextField(_("описание"), blank=True)
    direction = models.ForeignKey(
        Direction, verbose_name=_("направленность"), on_delete=models.PROTECT, related_name="activities"
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("категории"), blank=True, related_name="activities"
    )
    tags = models.JSONField(
        _("метки"), default=list, blank=True, help_text=_("Категории из импорта, которых нет в таксономии.")
    )
    age_min = models.PositiveSmallIntegerField(_("возраст от"))
    age_max = models.PositiveSmallIntegerField(_("возраст до"))
    price_rub = models.PositiveIntegerField(_("цена в месяц, ₽"), default=0)
    price_note = models.CharField(_("о цене"), max_length=300, blank=True)
    format = models.CharField(_("формат"), max_length=20, choices=Format.choices, default=Format.GROUP)
    ovz = models.BooleanField(_("для детей с ОВЗ"), default=False)
    enrollment = models.CharField(
        _("набор"), max_length=20, choices=Enrollment.choices, default=Enrollment.OPEN
    )
    phone = models.CharField(_("телефон"), max_length=50, blank=True)
    email = models.EmailField(_("эл. почта"), blank=True)
    website = models.URLField(_("сайт"), blank=True)
    # Kept by kruzhok.community from its Rating rows: the average of families' 1–5 and how many.
    rating = models.FloatField(_("средняя оценка"), null=True, blank=True, editable=False)
    rating_count = models.PositiveIntegerField(_("оценок"), default=0, editable=False)
    # Set by `manage.py review_cycle` when the provider was asked to confirm the entry; cleared
    # when someone confirms it. REVIEW_GRACE_DAYS later without an answer the entry is outdated.
    review_requested_at = models.DateTimeField(
        _("запрошена проверка"), null=True, blank=True, db_index=True, editable=False
    )

    class Meta:
        verbose_name = _("занятие")
        verbose_name_plural = _("занятия")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min__gte=AGE_MIN, age_min__lte=AGE_MAX), name="activity_age_min_range"
            ),
            models.CheckConstraint(
                condition=Q(age_max__gte=AGE_MIN, age_max__lte=AGE_MAX), name="activity_age_max_range"
            ),
            models.CheckConstraint(
                condition=Q(age_min__lte=models.F("age_max")), name="activity_age_min_le_max"
            ),
            models.CheckConstraint(condition=Q(price_rub__gte=0), name="activity_price_non_negative"),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="activity_unique_source_external_id",
            ),
        ]
        indexes = [
            # The filters search will combine: status first, then direction / ages / price.
            models.Index(fields=["status", "direction"], name="activity_status_direction"),
            models.Index(fields=["status", "age_min", "age_max"], name="activity_status_ages"),
            models.Index(fields=["status", "price_rub"], name="activity_status_price"),
            models.Index(fields=["status", "ovz"], name="activity_status_ovz"),
            models.Index(fields=["status", "enrollment"], name="activity_status_enrollment"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.slug:
            self.slug = russian_slug(self.title)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("catalog:activity", args=[self.pk, self.slug or "activity"])

    @property
    def is_free(self) -> bool:
        return self.price_rub == 0

    @property
    def is_outdated(self) -> bool:
        """Asked to confirm its data REVIEW_GRACE_DAYS ago or more, and nobody has answered."""
        if self.review_requested_at is None:
            return False
        return timezone.now() >= self.review_requested_at + timedelta(days=settings.REVIEW_GRACE_DAYS)

    @property
    def contact_phone(self) -> str:
        return self.phone or self.organization.phone

    @property
    def contact_email(self) -> str:
        return self.email or self.organization.email

    @property
    def contact_website(self) -> str:
        return self.website or self.organization.website


class Group(models.Model):
    """A group of an activity with its own weekly timetable (e.g. «младшая группа, 7–9 лет»)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("занятие"), on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(_("название"), max_length=200, blank=True)
    age_min = models.PositiveSmallIntegerField(_("возраст от"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("возраст до"), null=True, blank=True)
    teacher = models.CharField(_("педагог"), max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(_("мест"), null=True, blank=True)

    class Meta:
        verbose_name = _("группа")
        verbose_name_plural = _("группы")
        ordering = ["activity", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min__isnull=True) | Q(age_min__gte=AGE_MIN, age_min__lte=AGE_MAX),
                name="group_age_min_range",
            ),
            models.CheckConstraint(
                condition=Q(age_max__isnull=True) | Q(age_max__gte=AGE_MIN, age_max__lte=AGE_MAX),
                name="group_age_max_range",
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_min__lte=models.F("age_max")),
                name="group_age_min_le_max",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.activity} #{self.pk}"


class ScheduleSlot(models.Model):
    """One weekly session of a group: weekday (0 = Monday) and local Asia/Omsk times."""

    class Weekday(models.IntegerChoices):
        MON = 0, _("Пн")
        TUE = 1, _("Вт")
        WED = 2, _("Ср")
        THU = 3, _("Чт")
        FRI = 4, _("Пт")
        SAT = 5, _("Сб")
        SUN = 6, _("Вс")

    group = models.ForeignKey(Group, verbose_name=_("группа"), on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("день недели"), choices=Weekday.choices)
    starts_at = models.TimeField(_("начало"))
    ends_at = models.TimeField(_("конец"))

    class Meta:
        verbose_name = _("время занятия")
        verbose_name_plural = _("расписание")
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="slot_weekday_range"),
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="slot_starts_before_ends"
            ),
        ]
        indexes = [models.Index(fields=["weekday", "starts_at", "ends_at"], name="slot_weekday_time")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
