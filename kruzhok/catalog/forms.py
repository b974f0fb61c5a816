"""Forms of the provider area: they validate and hand clean values to `catalog.services`."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import (
    AGE_MAX,
    AGE_MIN,
    Activity,
    Category,
    Direction,
    Organization,
    ScheduleSlot,
    Venue,
)
from kruzhok.catalog.services import ACTIVITY_FIELDS, ActivityData
from kruzhok.catalog.templatetags.catalog_tags import loc_name

MAX_DESCRIPTION = 10_000
MAX_PRICE = 1_000_000
MAX_SLOTS_PER_GROUP = 21
PHONE = re.compile(r"^[0-9+()\-.,;\s]{5,50}$")


def plain(value: str) -> str:
    """Text as typed, minus control and format characters (zero-width, bidi overrides)."""
    kept = (c for c in value if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    return "".join(kept).replace("\r", "").strip()


def one_line(value: str) -> str:
    return " ".join(plain(value).split())


def phone_value(value: str) -> str:
    value = one_line(value)
    if value and not PHONE.match(value):
        raise forms.ValidationError(
            _("Телефон: цифры, пробелы, «+», «-» и скобки, например +7 (3812) 12-34-56.")
        )
    return value


def _website(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise forms.ValidationError(_("Адрес сайта начинается с http:// или https://."))
    return value


class LocalizedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return loc_name(obj)


class LocalizedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return loc_name(obj)


def check_age_range(form: forms.Form, data: dict[str, Any]) -> None:
    """«Возраст до» below «возраст от» is an error on «до», in every form that asks for both."""
    age_min, age_max = data.get("age_min"), data.get("age_max")
    if age_min is not None and age_max is not None and age_min > age_max:
        form.add_error("age_max", _("«Возраст до» не может быть меньше «возраста от»."))


class TextCleaningMixin:
    """One-line fields lose inner runs of spaces; long texts keep their lines."""

    one_line_fields: tuple[str, ...] = ()
    text_fields: tuple[str, ...] = ()

    def _clean_texts(self, data: dict[str, Any]) -> None:
        for name in self.one_line_fields:
            if isinstance(data.get(name), str):
                data[name] = one_line(data[name])
        for name in self.text_fields:
            if isinstance(data.get(name), str):
                data[name] = plain(data[name])


class ContactsMixin(forms.Form):
    """Phone, email and website, cleaned the same way for an activity and an organization."""

    phone = forms.CharField(label=_("Телефон"), required=False, max_length=50)
    email = forms.EmailField(label=_("Эл. почта"), required=False, max_length=254)
    website = forms.URLField(label=_("Сайт"), required=False, max_length=200, assume_scheme="https")

    def clean_phone(self) -> str:
        return phone_value(self.cleaned_data.get("phone", ""))

    def clean_website(self) -> str:
        return _website(self.cleaned_data.get("website", ""))


class ActivityForm(TextCleaningMixin, ContactsMixin, forms.Form):
    one_line_fields = ("title", "price_note", "new_address")
    text_fields = ("description",)

    title = forms.CharField(label=_("Название"), max_length=300)
    description = forms.CharField(
        label=_("Описание"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Обычный текст; можно **жирный**, *курсив* и списки с «- »."),
    )
    direction = LocalizedChoiceField(
        label=_("Направленность"), queryset=Direction.objects.order_by("position"), empty_label=None
    )
    categories = LocalizedMultipleChoiceField(
        label=_("Категории"),
        queryset=Category.objects.select_related("direction").order_by("direction__position", "name_ru"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    age_min = forms.IntegerField(label=_("Возраст от, лет"), min_value=AGE_MIN, max_value=AGE_MAX)
    age_max = forms.IntegerField(label=_("Возраст до, лет"), min_value=AGE_MIN, max_value=AGE_MAX)
    price_rub = forms.IntegerField(
        label=_("Цена в месяц, ₽"), min_value=0, max_value=MAX_PRICE, help_text=_("0 — бесплатно.")
    )
    price_note = forms.CharField(label=_("О цене"), required=False, max_length=300)
    format = forms.ChoiceField(label=_("Формат"), choices=Activity.Format.choices)
    ovz = forms.BooleanField(label=_("Подходит детям с ОВЗ"), required=False)
    enrollment = forms.ChoiceField(label=_("Набор"), choices=Activity.Enrollment.choices)
    venue: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Адрес"),
        queryset=Venue.objects.none(),
        required=False,
        empty_label=_("— другой адрес (впишите ниже) —"),
    )
    new_address = forms.CharField(
        label=_("Новый адрес"),
        required=False,
        max_length=300,
        help_text=_("Улица и дом, например «улица Лукашевича, 10»."),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["venue"].queryset = organization.venues.order_by("address")  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
        initial["direction"] = activity.direction_id
        initial["categories"] = list(activity.categories.values_list("pk", flat=True))
        initial["venue"] = activity.venue_id
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_texts(data)
        if not data.get("title") and "title" not in self.errors:
            self.add_error("title", _("Напишите название занятия."))
        check_age_range(self, data)
        if (
            not data.get("venue")
            and not data.get("new_address")
            and data.get("format") != Activity.Format.ONLINE
            and "venue" not in self.errors
        ):
            self.add_error(
                "new_address",
                _("Выберите адрес из списка или впишите новый (онлайн-занятию адрес не нужен)."),
            )
        return data

    def activity_data(self) -> ActivityData:
        data = self.cleaned_data
        return ActivityData(
            fields={name: data[name] for name in ACTIVITY_FIELDS},
            direction=data["direction"],
            categories=list(data.get("categories") or []),
            venue=data.get("venue"),
            new_address=data.get("new_address", ""),
        )


class OrganizationForm(TextCleaningMixin, ContactsMixin, forms.Form):
    field_order = ("description", "phone", "email", "website")
    text_fields = ("description",)

    description = forms.CharField(
        label=_("Об организации"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_texts(data)
        return data


class GroupForm(TextCleaningMixin, forms.Form):
    one_line_fields = ("name", "teacher")

    name = forms.CharField(label=_("Название группы"), required=False, max_length=200)
    age_min = forms.IntegerField(label=_("Возраст от"), required=False, min_value=AGE_MIN, max_value=AGE_MAX)
    age_max = forms.IntegerField(label=_("Возраст до"), required=False, min_value=AGE_MIN, max_value=AGE_MAX)
    teacher = forms.CharField(label=_("Педагог"), required=False, max_length=200)
    capacity = forms.IntegerField(label=_("Мест в группе"), required=False, min_value=1, max_value=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_texts(data)
        check_age_range(self, data)
        return data


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("День"), choices=[("", "—"), *ScheduleSlot.Weekday.choices], coerce=int, required=False
    )
    starts_at = forms.TimeField(
        label=_("Начало"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=_("Конец"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        weekday, start, end = data.get("weekday"), data.get("starts_at"), data.get("ends_at")
        filled = [v for v in (weekday, start, end) if v not in (None, "")]
        if filled and len(filled) < 3:
            raise forms.ValidationError(_("Укажите день, начало и конец — или оставьте строку пустой."))
        if start and end and end <= start:
            self.add_error("ends_at", _("Конец занятия должен быть позже начала."))
        return data


class BaseSlotFormSet(forms.BaseFormSet):
    def slots(self) -> list[tuple[int, Any, Any]]:
        found = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or data.get("weekday") in (None, ""):
                continue
            found.append((data["weekday"], data["starts_at"], data["ends_at"]))
        return found

    def clean(self) -> None:
        if any(self.errors):
            return
        slots = sorted(self.slots())
        if len(slots) > MAX_SLOTS_PER_GROUP:
            raise forms.ValidationError(
                _("Не больше %(n)s занятий в неделю у одной группы.") % {"n": MAX_SLOTS_PER_GROUP}
            )
        days = dict(ScheduleSlot.Weekday.choices)
        for (day1, start1, end1), (day2, start2, end2) in zip(slots, slots[1:], strict=False):
            if day1 == day2 and start2 < end1:
                raise forms.ValidationError(
                    _(
                        "%(day)s: время %(a)s и %(b)s пересекается — у группы не может быть двух занятий сразу."
                    )
                    % {
                        "day": days[day1],
                        "a": f"{start1:%H:%M}–{end1:%H:%M}",
                        "b": f"{start2:%H:%M}–{end2:%H:%M}",
                    }
                )


SlotFormSet = forms.formset_factory(
    SlotForm, formset=BaseSlotFormSet, extra=2, can_delete=True, max_num=MAX_SLOTS_PER_GROUP, absolute_max=60
)
