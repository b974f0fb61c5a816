"""Validation of the public search parameters (DESIGN.md «Search parameters»).

Bad values never raise: each becomes a Russian message shown above the results, and the
filter it belonged to is left out while the valid ones still apply.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog import selectors
from kruzhok.catalog.models import AGE_MAX, AGE_MIN, Category, Direction, ScheduleSlot
from kruzhok.places.models import District

_FLAG_TRUE = {"1", "on", "true", "yes", "да"}
_FLAG_FALSE = {"", "0", "off", "false", "no", "нет"}


class FlagField(forms.Field):
    """A `free=1` style switch: 1/0 (and on/off from a checkbox); anything else is an error."""

    default_error_messages = {"invalid": _("Значение «%(value)s» не подходит: укажите 1 или 0.")}

    def to_python(self, value: Any) -> bool:
        text = str(value or "").strip().lower()
        if text in _FLAG_TRUE:
            return True
        if text in _FLAG_FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Чем хочет заниматься ребёнок"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Запрос слишком длинный: не больше %(limit_value)d символов.")},
    )
    where = forms.CharField(
        label=_("Где"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Место слишком длинное: не больше %(limit_value)d символов.")},
    )
    age = forms.IntegerField(
        label=_("Возраст ребёнка"),
        required=False,
        min_value=AGE_MIN,
        max_value=AGE_MAX,
        error_messages={
            "invalid": _("Возраст — целое число лет от 0 до 18."),
            "min_value": _("Возраст — целое число лет от 0 до 18."),
            "max_value": _("Возраст — целое число лет от 0 до 18: в каталоге занятия для детей до 18 лет."),
        },
    )
    direction = forms.ChoiceField(
        label=_("Направленность"),
        required=False,
        error_messages={"invalid_choice": _("Нет такой направленности: «%(value)s».")},
    )
    category = forms.MultipleChoiceField(
        label=_("Категория"),
        required=False,
        error_messages={"invalid_choice": _("Нет такой категории: «%(value)s».")},
    )
    district = forms.CharField(label=_("Округ"), required=False, max_length=100)
    free = FlagField(label=_("Только бесплатные"), required=False)
    ovz = FlagField(label=_("Для детей с ОВЗ"), required=False)
    day = forms.MultipleChoiceField(
        label=_("Дни занятий"),
        required=False,
        choices=list(zip(selectors.WEEKDAY_CODES, ScheduleSlot.Weekday.labels, strict=True)),
        error_messages={"invalid_choice": _("Нет такого дня недели: «%(value)s». Используйте mon…sun.")},
    )
    page = forms.IntegerField(
        label=_("Страница"),
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("Номер страницы — целое число от 1."),
            "min_value": _("Номер страницы — целое число от 1."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.direction_rows = selectors.directions()
        self.category_groups = selectors.categories_by_direction()
        self.okrug_rows = selectors.okrugs()
        self.fields["direction"].choices = [("", "")] + [(d.slug, d.name_ru) for d in self.direction_rows]  # type: ignore[attr-defined]
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            (c.slug, c.name_ru) for _direction, cats in self.category_groups for c in cats
        ]

    def clean_district(self) -> list[District]:
        value = self.cleaned_data.get("district", "")
        if not value:
            return []
        found = [d for d in selectors.districts_matching(value) if d.kind == District.Kind.OKRUG]
        if not found:
            raise forms.ValidationError(_("Нет такого округа: «%(value)s»."), params={"value": value})
        return found

    def clean_where(self) -> str:
        return " ".join(self.cleaned_data.get("where", "").split())

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data.get("q", "").split())

    def where_districts(self) -> list[District]:
        """The okrugs / microdistricts `where` names; empty when it names none we know."""
        where = self.cleaned_data.get("where", "")
        return selectors.districts_matching(where) if where else []

    def to_filters(self) -> selectors.ActivityFilters:
        """The valid part of the input as filters; call after is_valid(), whatever it returned."""
        data = self.cleaned_data
        by_slug_direction: dict[str, Direction] = {d.slug: d for d in self.direction_rows}
        by_slug_category: dict[str, Category] = {c.slug: c for _d, cats in self.category_groups for c in cats}
        return selectors.ActivityFilters(
            q=data.get("q", ""),
            age=data.get("age"),
            direction=by_slug_direction.get(data.get("direction") or ""),
            categories=tuple(
                by_slug_category[s] for s in data.get("category") or [] if s in by_slug_category
            ),
            districts=tuple(data.get("district") or []),
            places=tuple(self.where_districts()),
            free=bool(data.get("free")),
            ovz=bool(data.get("ovz")),
            weekdays=tuple(sorted({selectors.WEEKDAY_CODES.index(code) for code in data.get("day") or []})),
        )
