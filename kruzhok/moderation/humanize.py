"""Activity fields as people read them: their labels, and stored values with names instead of
slugs — one vocabulary for the suggestion diff, the version history and the mails."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kruzhok.catalog.models import Activity, Category, Direction, ScheduleSlot, Status

FIELD_LABELS = {
    "title": gettext_lazy("Название"),
    "description": gettext_lazy("Описание"),
    "direction": gettext_lazy("Направленность"),
    "categories": gettext_lazy("Категории"),
    "age_min": gettext_lazy("Возраст от"),
    "age_max": gettext_lazy("Возраст до"),
    "price_rub": gettext_lazy("Цена в месяц, ₽"),
    "price_note": gettext_lazy("О цене"),
    "format": gettext_lazy("Формат"),
    "ovz": gettext_lazy("Для детей с ОВЗ"),
    "enrollment": gettext_lazy("Набор"),
    "phone": gettext_lazy("Телефон"),
    "email": gettext_lazy("Эл. почта"),
    "website": gettext_lazy("Сайт"),
    "address": gettext_lazy("Адрес"),
    "schedule": gettext_lazy("Расписание"),
    "status": gettext_lazy("Статус"),
    "tags": gettext_lazy("Метки"),
    "groups": gettext_lazy("Группы и расписание"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def groups_text(groups: list[dict[str, Any]]) -> str:
    days = dict(ScheduleSlot.Weekday.choices)
    lines = []
    for group in groups:
        slots = ", ".join(f"{days.get(day, day)} {start}–{end}" for day, start, end in group.get("slots", []))
        ages = ""
        if group.get("age_min") is not None or group.get("age_max") is not None:
            ages = f" ({group.get('age_min') if group.get('age_min') is not None else '…'}–"
            ages += f"{group.get('age_max') if group.get('age_max') is not None else '…'})"
        name = group.get("name") or _("группа")
        teacher = f"; {group['teacher']}" if group.get("teacher") else ""
        lines.append(f"{name}{ages}{teacher}: {slots or _('без расписания')}")
    return "\n".join(lines)


class Humanizer:
    """Slugs and codes as people read them; the names are looked up once per instance (a page)."""

    def __init__(self) -> None:
        self.directions = dict(Direction.objects.values_list("slug", "name_ru"))
        self.categories = dict(Category.objects.values_list("slug", "name_ru"))
        self.choices: dict[str, dict[Any, str]] = {
            "format": {k: str(v) for k, v in Activity.Format.choices},
            "enrollment": {k: str(v) for k, v in Activity.Enrollment.choices},
            "status": {k: str(v) for k, v in Status.choices},
        }

    def __call__(self, name: str, value: Any) -> str:
        """The value as text; "" when empty."""
        if value in (None, "", []):
            return ""
        if name == "direction":
            return self.directions.get(value, str(value))
        if name == "categories":
            return ", ".join(self.categories.get(slug, slug) for slug in value)
        if name == "tags":
            return ", ".join(str(tag) for tag in value)
        if name == "groups":
            return groups_text(value)
        if name == "ovz":
            return _("да") if value else _("нет")
        if name in self.choices:
            return self.choices[name].get(value, str(value))
        return str(value)
