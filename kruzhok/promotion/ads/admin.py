"""Ad campaigns in the admin: superusers only. The form refuses what could hurt a visitor (a
script link, an SVG or a forged image) or break the legal label (an erid that is not a token)."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kruzhok.analytics import collect
from kruzhok.catalog.models import AGE_MAX, AGE_MIN
from kruzhok.core.images import ACCEPT_ATTRIBUTE, reencode_image
from kruzhok.core.spreadsheet import csv_attachment
from kruzhok.promotion.ads import report, services
from kruzhok.promotion.models import AdCampaign

ERID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
KEEP_STATS_MESSAGE = _(
    "Кампанию с показами или переходами удалить нельзя: её цифры нужны для отчёта рекламодателю "
    "(38-ФЗ). Выключите её (снимите «включена») вместо удаления."
)
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class AdCampaignForm(forms.ModelForm):
    link = forms.URLField(
        label=_("ссылка"),
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Только http:// или https://."),
    )

    class Meta:
        model = AdCampaign
        fields = [
            "name",
            "advertiser",
            "text",
            "image",
            "link",
            "erid",
            "directions",
            "categories",
            "okrugs",
            "age_min",
            "age_max",
            "starts_on",
            "ends_on",
            "daily_impression_cap",
            "is_active",
        ]
        widgets = {
            "image": forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
            "directions": forms.CheckboxSelectMultiple,
            "okrugs": forms.CheckboxSelectMultiple,
        }

    def _plain(self, name: str) -> str:
        value = self.cleaned_data.get(name) or ""
        if CONTROL_CHARS.search(value):
            raise ValidationError(_("Уберите управляющие символы и переводы строк."), code="control")
        return value.strip()

    def clean_name(self) -> str:
        return self._plain("name")

    def clean_text(self) -> str:
        return self._plain("text")

    def clean_erid(self) -> str:
        erid = (self.cleaned_data.get("erid") or "").strip()
        if not ERID_PATTERN.fullmatch(erid):
            raise ValidationError(
                _("Токен erid — латинские буквы, цифры, «-» и «_», без пробелов."), code="erid"
            )
        return erid

    def clean_link(self) -> str:
        link = self.cleaned_data.get("link") or ""
        if not link.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Ссылка должна начинаться с http:// или https://."), code="scheme")
        return link

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            return reencode_image(image, max_side=800)
        return image

    def clean_daily_impression_cap(self) -> int:
        cap = self.cleaned_data.get("daily_impression_cap")
        if cap is None or cap <= 0:
            raise ValidationError(_("Лимит показов в день — целое число больше нуля."), code="cap")
        return cap

    def _age(self, name: str) -> int | None:
        age = self.cleaned_data.get(name)
        if age is not None and not AGE_MIN <= age <= AGE_MAX:
            raise ValidationError(
                _("Возраст — от %(min)s до %(max)s лет.") % {"min": AGE_MIN, "max": AGE_MAX}, code="age"
            )
        return age

    def clean_age_min(self) -> int | None:
        return self._age("age_min")

    def clean_age_max(self) -> int | None:
        return self._age("age_max")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age_min, age_max = data.get("age_min"), data.get("age_max")
        if age_min is not None and age_max is not None and age_min > age_max:
            self.add_error("age_max", _("Возраст «до» не может быть меньше возраста «от»."))
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("Конец показа не может быть раньше начала."))
        return data


class StateFilter(admin.SimpleListFilter):
    title = _("показ")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("running", _("идёт")),
            ("upcoming", _("ещё не начался")),
            ("finished", _("закончился")),
            ("off", _("выключена")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        match self.value():
            case "running":
                return queryset.filter(is_active=True, starts_on__lte=today, ends_on__gte=today)
            case "upcoming":
                return queryset.filter(is_active=True, starts_on__gt=today)
            case "finished":
                return queryset.filter(ends_on__lt=today)
            case "off":
                return queryset.filter(is_active=False)
        return queryset


def _csv_response(
    campaigns: list[AdCampaign], filename: str, start: date | None, end: date | None
) -> HttpResponse:
    collect.flush()  # this process's buffered counts belong in the report
    out = io.StringIO()
    report.write_csv(out, campaigns, start=start, end=end)
    return csv_attachment(out.getvalue(), filename)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@admin.register(AdCampaign)
class AdCampaignAdmin(admin.ModelAdmin):
    form = AdCampaignForm
    list_display = [
        "name",
        "advertiser",
        "erid",
        "starts_on",
        "ends_on",
        "daily_impression_cap",
        "is_active",
        "impressions_today",
        "clicks_today",
        "ctr_today",
    ]
    list_filter = [StateFilter, "is_active"]
    list_select_related = ["advertiser"]
    search_fields = ["name", "=erid", "advertiser__name"]
    autocomplete_fields = ["advertiser", "categories"]
    readonly_fields = ["report_link", "created_by", "created_at", "updated_at"]
    actions = ["download_report", "delete_selected"]
    date_hierarchy = "starts_on"

    # Superusers only: an ad is a contract with an advertiser, not an editor's choice.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A campaign that was shown has figures the advertiser's report needs (38-FZ): no
        # «Удалить» button for it; it is switched off instead (AdDailyStat is PROTECT as well).
        if obj is not None and obj.stats.exists():
            return False
        return self.has_module_permission(request)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        campaign = self.get_object(request, object_id)
        if campaign is not None and self.has_module_permission(request) and campaign.stats.exists():
            self.message_user(request, KEEP_STATS_MESSAGE, messages.ERROR)
            return redirect("admin:promotion_adcampaign_change", campaign.pk)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(permissions=["delete"], description=admin_actions.delete_selected.short_description)  # type: ignore[attr-defined]
    def delete_selected(self, request: HttpRequest, queryset: QuerySet) -> Any:
        """The admin's bulk delete (this name replaces the site's action), refused as a whole when
        a selected campaign has figures."""
        shown = list(queryset.filter(stats__isnull=False).distinct().values_list("name", flat=True))
        if shown:
            self.message_user(request, f"{KEEP_STATS_MESSAGE} ({', '.join(shown)})", messages.ERROR)
            return None
        return admin_actions.delete_selected(self, request, queryset)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        today = timezone.localdate()
        return (
            super()
            .get_queryset(request)
            .annotate(
                today_impressions=Coalesce(Sum("stats__impressions", filter=Q(stats__day=today)), 0),
                today_clicks=Coalesce(Sum("stats__clicks", filter=Q(stats__day=today)), 0),
            )
        )

    @admin.display(description=_("показы сегодня"), ordering="today_impressions")
    def impressions_today(self, obj: AdCampaign) -> int:
        return getattr(obj, "today_impressions", 0)

    @admin.display(description=_("переходы сегодня"), ordering="today_clicks")
    def clicks_today(self, obj: AdCampaign) -> int:
        return getattr(obj, "today_clicks", 0)

    @admin.display(description=_("CTR сегодня, %"))
    def ctr_today(self, obj: AdCampaign) -> str:
        return report.DayRow(None, self.impressions_today(obj), self.clicks_today(obj)).ctr or "—"

    @admin.display(description=_("отчёт"))
    def report_link(self, obj: AdCampaign) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:promotion_adcampaign_report", args=[obj.pk]),
            _("Скачать CSV по дням"),
        )

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/report.csv",
                self.admin_site.admin_view(self.report_view),
                name="promotion_adcampaign_report",
            )
        ]
        return own + super().get_urls()

    def report_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """`?from=YYYY-MM-DD&to=YYYY-MM-DD` narrow the days (a bad date is ignored)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        campaign = get_object_or_404(AdCampaign.objects.select_related("advertiser"), pk=pk)
        start, end = _date(request.GET.get("from")), _date(request.GET.get("to"))
        return _csv_response([campaign], f"ad-campaign-{campaign.pk}.csv", start, end)

    @admin.action(description=_("Скачать отчёт CSV по дням"))
    def download_report(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        campaigns = list(
            AdCampaign.objects.filter(pk__in=queryset.values("pk"))
            .select_related("advertiser")
            .order_by("id")
        )
        return _csv_response(campaigns, "ad-campaigns.csv", None, None)

    def save_model(self, request: HttpRequest, obj: AdCampaign, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        # A cleared image sets its dimensions to None; the columns hold 0 for «no image».
        obj.image_width = obj.image_width or 0
        obj.image_height = obj.image_height or 0
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.campaign_saved(campaign=form.instance, actor=request.user, created=not change)

    def delete_model(self, request: HttpRequest, obj: AdCampaign) -> None:
        services.campaign_delete(campaign=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for campaign in queryset:
            services.campaign_delete(campaign=campaign, actor=request.user)
