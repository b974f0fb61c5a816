"""The provider's event form: validates times (Asia/Omsk as typed), the rule and the links."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.forms import MAX_DESCRIPTION, MAX_PRICE, check_age_range, one_line, plain
from kruzhok.catalog.models import AGE_MAX, AGE_MIN, Activity, Organization, Venue
from kruzhok.events.models import Event
from kruzhok.events.recurrence import RuleError, local_zone, normalize_rule, parse_exdates

MAX_DURATION = timedelta(days=31)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d", "%d.%m.%Y"]


class EventForm(forms.Form):
    title = forms.CharField(label=_("Название"), max_length=200)
    description = forms.CharField(
        label=_("Описание"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    kind = forms.ChoiceField(label=_("Вид"), choices=Event.Kind.choices)
    activity = forms.ModelChoiceField(label=_("Занятие"), queryset=Activity.objects.none(), required=False)
    venue = forms.ModelChoiceField(label=_("Площадка"), queryset=Venue.objects.none(), required=False)
    starts_at = forms.DateTimeField(
        label=_("Начало (время омское)"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Конец (время омское)"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    all_day = forms.BooleanField(
        label=_("Весь день (время не важно, берутся даты начала и конца)"), required=False
    )
    rrule = forms.CharField(
        label=_("Повторение (RRULE)"),
        required=False,
        max_length=300,
        help_text=_("Например FREQ=WEEKLY;BYDAY=SA;COUNT=8. Пусто — событие разовое."),
    )
    exdates = forms.CharField(
        label=_("Кроме дат"),
        required=False,
        max_length=3000,
        help_text=_("Даты через запятую, ГГГГ-ММ-ДД: в эти дни повторения не будет."),
    )
    age_min = forms.IntegerField(label=_("Возраст от"), required=False, min_value=AGE_MIN, max_value=AGE_MAX)
    age_max = forms.IntegerField(label=_("Возраст до"), required=False, min_value=AGE_MIN, max_value=AGE_MAX)
    price_rub = forms.IntegerField(
        label=_("Цена, ₽ (0 — бесплатно)"), min_value=0, max_value=MAX_PRICE, initial=0
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        # Only the organization's own entries: another org's id is "not one of the choices".
        activity_field = self.fields["activity"]
        venue_field = self.fields["venue"]
        assert isinstance(activity_field, forms.ModelChoiceField)  # noqa: S101 (type narrowing for mypy; ModelForm made these fields)  # nosec B101
        assert isinstance(venue_field, forms.ModelChoiceField)  # noqa: S101 (type narrowing for mypy; ModelForm made these fields)  # nosec B101
        activity_field.queryset = Activity.objects.filter(organization=organization).exclude(
            status="archived"
        )
        venue_field.queryset = Venue.objects.filter(organization=organization)

    @staticmethod
    def initial_for(event: Event) -> dict[str, Any]:
        zone = local_zone()
        ends = event.ends_at.astimezone(zone)
        if event.all_day:
            ends -= timedelta(days=1)
        return {
            "title": event.title,
            "description": event.description,
            "kind": event.kind,
            "activity": event.activity_id,
            "venue": event.venue_id,
            "starts_at": event.starts_at.astimezone(zone).replace(tzinfo=None),
            "ends_at": ends.replace(tzinfo=None),
            "all_day": event.all_day,
            "rrule": event.rrule,
            "exdates": ", ".join(event.exdates),
            "age_min": event.age_min,
            "age_max": event.age_max,
            "price_rub": event.price_rub,
        }

    def clean_title(self) -> str:
        title = one_line(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError(_("Напишите название."))
        return title

    def clean_description(self) -> str:
        return plain(self.cleaned_data["description"])

    def clean_rrule(self) -> str:
        try:
            return normalize_rule(self.cleaned_data["rrule"])
        except RuleError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_exdates(self) -> list[Any]:
        try:
            return parse_exdates(self.cleaned_data["exdates"])
        except RuleError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if isinstance(starts, datetime) and isinstance(ends, datetime):
            zone = local_zone()
            if data.get("all_day"):
                first = starts.astimezone(zone).date()
                last = ends.astimezone(zone).date()
                starts = datetime.combine(first, time(0), tzinfo=zone)
                ends = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
            if ends <= starts:
                self.add_error("ends_at", _("Конец должен быть позже начала."))
            elif ends - starts > MAX_DURATION:
                self.add_error("ends_at", _("Событие длиннее месяца: разбейте его на повторения."))
            data["starts_at"], data["ends_at"] = starts, ends
        check_age_range(self, data)
        if data.get("exdates") and not data.get("rrule"):
            self.add_error("exdates", _("Даты-исключения нужны только повторяющемуся событию."))
        return data

    def event_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}
