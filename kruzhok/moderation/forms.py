"""Forms of contribution and moderation. They validate and turn input into the JSON payloads
documented in `kruzhok.moderation.models`; they save nothing."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.forms import check_age_range
from kruzhok.catalog.models import AGE_MAX, AGE_MIN, Activity, Category, Direction, Organization
from kruzhok.catalog.selectors import venue_at
from kruzhok.core.abuse import HoneypotMixin
from kruzhok.imports.schedule import MAX_SCHEDULE_LENGTH, ScheduleError, format_schedule, parse_schedule
from kruzhok.moderation import selectors
from kruzhok.moderation.models import EDITABLE_FIELDS
from kruzhok.places import gazetteer

MAX_DESCRIPTION = 5000
MAX_NOTE = 2000
MAX_PRICE = 1_000_000
_PHONE = re.compile(r"^[0-9+()\-–.,\s]*(?:доб\.?\s*[0-9]+)?$")
_SPACES_IN_NUMBER = re.compile(r"[\s\-]")


def _text(label: Any, max_length: int, *, required: bool = False, **kw: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required, **kw)


class CategoryField(forms.MultipleChoiceField):
    def __init__(self, **kw: Any) -> None:
        super().__init__(required=False, label=_("Категории"), **kw)
        self.widget = forms.SelectMultiple(attrs={"size": 8})

    def refresh(self) -> None:
        groups: dict[str, list[tuple[str, str]]] = {}
        for category in Category.objects.select_related("direction"):
            groups.setdefault(category.direction.name_ru, []).append((category.slug, category.name_ru))
        self.choices = list(groups.items())


class ActivityFieldsForm(forms.Form):
    """The fields of an activity a citizen can fill in and an editor can correct."""

    title = _text(_("Название занятия"), 300, required=True)
    direction = forms.ChoiceField(label=_("Направленность"))
    categories = CategoryField(help_text=_("Можно выбрать несколько (Ctrl или ⌘ + щелчок)."))
    age_min = forms.IntegerField(label=_("Возраст от, лет"), min_value=AGE_MIN, max_value=AGE_MAX)
    age_max = forms.IntegerField(label=_("Возраст до, лет"), min_value=AGE_MIN, max_value=AGE_MAX)
    price_rub = forms.IntegerField(
        label=_("Цена в месяц, ₽"),
        min_value=0,
        max_value=MAX_PRICE,
        required=False,
        help_text=_("0 или пусто — бесплатно."),
    )
    price_note = _text(_("О цене"), 300, help_text=_("Например: «первое занятие бесплатно»."))
    format = forms.ChoiceField(
        label=_("Формат"), choices=Activity.Format.choices, initial=Activity.Format.GROUP
    )
    enrollment = forms.ChoiceField(
        label=_("Набор"), choices=Activity.Enrollment.choices, initial=Activity.Enrollment.OPEN
    )
    ovz = forms.BooleanField(label=_("Подходит детям с ОВЗ"), required=False)
    description = _text(_("Описание"), MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 5}))
    schedule = _text(
        _("Расписание"),
        MAX_SCHEDULE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Например: «Пн,Ср 15:00-16:30; Сб 10:00-11:30»."),
    )
    phone = _text(_("Телефон"), 50)
    email = forms.EmailField(label=_("Эл. почта"), required=False, max_length=254)
    website = forms.URLField(label=_("Сайт"), required=False, max_length=200, assume_scheme="https")

    activity_fields = (
        "title",
        "direction",
        "categories",
        "age_min",
        "age_max",
        "price_rub",
        "price_note",
        "format",
        "enrollment",
        "ovz",
        "description",
        "schedule",
        "phone",
        "email",
        "website",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["direction"]).choices = [("", "—")] + [
            (d.slug, d.name_ru) for d in Direction.objects.order_by("position")
        ]
        cast(CategoryField, self.fields["categories"]).refresh()

    def clean_website(self) -> str:
        value = self.cleaned_data.get("website", "")
        if value:
            URLValidator(schemes=["http", "https"])(value)
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "")
        if value and (not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 5):
            raise forms.ValidationError(_("Телефон — это цифры, пробелы, «+», скобки и дефисы."))
        return value

    def clean_schedule(self) -> str:
        value = self.cleaned_data.get("schedule", "")
        if not value:
            return ""
        try:
            slots = parse_schedule(value)
        except ScheduleError as error:
            raise forms.ValidationError(error.message) from error
        return format_schedule(slots)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_age_range(self, cleaned)
        return cleaned

    def activity_data(self) -> dict[str, Any]:
        """The cleaned activity fields as the JSON the payload stores."""
        data = {name: self.cleaned_data.get(name) for name in self.activity_fields}
        data["categories"] = sorted(data["categories"] or [])
        data["ovz"] = bool(data["ovz"])
        data["price_rub"] = data["price_rub"] or 0
        for name in ("price_note", "description", "schedule", "phone", "email", "website"):
            data[name] = data[name] or ""
        return data

    @staticmethod
    def initial_from(activity: dict[str, Any]) -> dict[str, Any]:
        return {name: activity.get(name) for name in ActivityFieldsForm.activity_fields}


class ContributeForm(HoneypotMixin, ActivityFieldsForm):
    """A new activity with its organization (existing or new) and venue (existing or new address)."""

    organization = _text(
        _("Организация"),
        300,
        required=True,
        help_text=_(
            "Начните вводить название: если организация уже есть на сайте, выберите её из подсказок."
        ),
    )
    organization_kind = forms.ChoiceField(
        label=_("Вид организации (если её ещё нет на сайте)"),
        choices=Organization.Kind.choices,
        initial=Organization.Kind.PUBLIC,
    )
    organization_inn = _text(_("ИНН организации"), 20, help_text=_("10 цифр (организация) или 12 (ИП)."))
    address = _text(
        _("Адрес занятия"),
        300,
        help_text=_("Улица и дом в городе. Для онлайн-занятий можно оставить пустым."),
    )
    note = _text(_("Комментарий для редактора"), MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resolved_organization: Organization | None = None
        self.geocoded: gazetteer.Geocoded | None = None
        for name, attrs in {
            "organization": {"list": "organization-options", "autocomplete": "off"},
            "address": {"list": "address-options", "autocomplete": "off"},
            "organization_inn": {"inputmode": "numeric"},
        }.items():
            self.fields[name].widget.attrs.update(attrs)

    def clean_organization_inn(self) -> str:
        value = _SPACES_IN_NUMBER.sub("", self.cleaned_data.get("organization_inn", ""))
        if value and not re.fullmatch(r"\d{10}|\d{12}", value):
            raise forms.ValidationError(
                _("ИНН — это 10 цифр (организация) или 12 цифр (ИП), а не «%(value)s»"),
                params={"value": value[:30]},
            )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        name = cleaned.get("organization")
        if name:
            found, same = selectors.organization_named(name, inn=cleaned.get("organization_inn", ""))
            if found is None and len(same) > 1:
                self.add_error(
                    "organization_inn",
                    _("На сайте несколько организаций с таким названием: укажите ИНН, чтобы выбрать нужную."),
                )
            self.resolved_organization = found
        address = cleaned.get("address", "")
        if not address and cleaned.get("format") != Activity.Format.ONLINE:
            self.add_error("address", _("Укажите адрес, где проходят занятия."))
        if address:
            geocoded = gazetteer.geocode(address)
            if geocoded is not None and geocoded.precision != gazetteer.Precision.DISTRICT:
                self.geocoded = geocoded
        return cleaned

    def payload(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        activity = self.activity_data()
        org = self.resolved_organization
        organization: dict[str, Any]
        if org is not None:
            organization = {"id": org.pk}
        else:
            organization = {
                "name": cleaned["organization"],
                "kind": cleaned["organization_kind"],
                "inn": cleaned.get("organization_inn", ""),
                "phone": activity["phone"],
                "email": activity["email"],
                "website": activity["website"],
            }
        venue: dict[str, Any] = {}
        address = cleaned.get("address", "")
        existing = venue_at(org, address) if org is not None and address else None
        if existing is not None:
            venue = {"id": existing.pk}
        elif address:
            venue = {
                "address": address,
                "lat": self.geocoded.lat if self.geocoded else None,
                "lon": self.geocoded.lon if self.geocoded else None,
            }
        return {"activity": activity, "organization": organization, "venue": venue}


class SuggestEditForm(HoneypotMixin, ActivityFieldsForm):
    """Every editable field prefilled; only what the citizen changed becomes the suggestion."""

    address = _text(_("Адрес"), 300)
    note = _text(
        _("Комментарий для редактора"),
        MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Откуда вы знаете: сайт организации, объявление, личный опыт."),
    )

    def __init__(self, *args: Any, current: dict[str, Any], **kwargs: Any) -> None:
        self.current = current
        kwargs.setdefault("initial", {name: current.get(name) for name in EDITABLE_FIELDS})
        super().__init__(*args, **kwargs)

    def changes(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(proposed values, their current values) of the fields that differ from now."""
        proposed = self.activity_data()
        proposed["address"] = self.cleaned_data.get("address", "")
        data, original = {}, {}
        for name in EDITABLE_FIELDS:
            now = self.current.get(name)
            new = proposed.get(name)
            if _same(name, now, new):
                continue
            data[name], original[name] = new, now
        return data, original

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not self.changes()[0]:
            raise forms.ValidationError(
                _("Вы ничего не изменили. Исправьте значения, которые неверны, и отправьте ещё раз.")
            )
        return cleaned


def _same(name: str, now: Any, new: Any) -> bool:
    if name == "categories":
        return sorted(now or []) == sorted(new or [])
    if name in ("age_min", "age_max", "price_rub", "ovz"):
        return now == new
    return (now or "") == (new or "")


class AcceptEditForm(forms.Form):
    """Which proposed fields the editor accepts."""

    accepted = forms.MultipleChoiceField(
        label=_("Принять поля"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Отметьте хотя бы одно поле или отклоните правку.")},
    )

    def __init__(self, *args: Any, proposed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["accepted"])
        field.choices = [(name, selectors.field_label(name)) for name in proposed]
        field.initial = proposed


class CorrectionsForm(ActivityFieldsForm):
    """A new entry's activity fields as the editor will publish them (prefilled with the proposal)."""

    def corrections(self, proposed: dict[str, Any]) -> dict[str, Any]:
        data = self.activity_data()
        return {name: value for name, value in data.items() if not _same(name, proposed.get(name), value)}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина отказа"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Её получит автор предложения."),
        error_messages={"required": _("Напишите причину: автор получит её письмом.")},
    )
