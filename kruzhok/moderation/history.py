"""Reads for an activity's version history: the versions, and what each one changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kruzhok.catalog.models import Activity, Category, Direction, ScheduleSlot, Status
from kruzhok.moderation.models import ActivityVersion
from kruzhok.moderation.versions import activity_snapshot

MAX_VERSIONS = 200


def _labels() -> list[tuple[str, str]]:
    return [
        ("title", _("Название")),
        ("description", _("Описание")),
        ("direction", _("Направленность")),
        ("categories", _("Категории")),
        ("age_min", _("Возраст от")),
        ("age_max", _("Возраст до")),
        ("price_rub", _("Цена в месяц, ₽")),
        ("price_note", _("О цене")),
        ("format", _("Формат")),
        ("ovz", _("Для детей с ОВЗ")),
        ("enrollment", _("Набор")),
        ("phone", _("Телефон")),
        ("email", _("Эл. почта")),
        ("website", _("Сайт")),
        ("address", _("Адрес")),
        ("status", _("Статус")),
        ("tags", _("Метки")),
        ("groups", _("Группы и расписание")),
    ]


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class VersionRow:
    version: ActivityVersion
    changes: list[FieldChange]
    is_current: bool


def _groups_text(groups: list[dict[str, Any]]) -> str:
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


class _Humanizer:
    """Slugs and codes as people read them, looked up once per page."""

    def __init__(self) -> None:
        self.directions = dict(Direction.objects.values_list("slug", "name_ru"))
        self.categories = dict(Category.objects.values_list("slug", "name_ru"))
        self.choices: dict[str, dict[Any, str]] = {
            "format": {k: str(v) for k, v in Activity.Format.choices},
            "enrollment": {k: str(v) for k, v in Activity.Enrollment.choices},
            "status": {k: str(v) for k, v in Status.choices},
        }

    def __call__(self, name: str, value: Any) -> str:
        if value in (None, "", []):
            return ""
        if name == "direction":
            return self.directions.get(value, str(value))
        if name == "categories":
            return ", ".join(self.categories.get(slug, slug) for slug in value)
        if name == "tags":
            return ", ".join(str(tag) for tag in value)
        if name == "groups":
            return _groups_text(value)
        if name == "ovz":
            return _("да") if value else _("нет")
        if name in self.choices:
            return self.choices[name].get(value, str(value))
        return str(value)


def version_changes(
    before: dict[str, Any] | None, after: dict[str, Any], human: _Humanizer
) -> list[FieldChange]:
    changes = []
    for name, label in _labels():
        old = before.get(name) if before is not None else None
        new = after.get(name)
        if before is None:
            if new in (None, "", []):
                continue
        elif old == new:
            continue
        changes.append(FieldChange(name, label, human(name, old), human(name, new)))
    return changes


def activity_history(activity: Activity) -> list[VersionRow]:
    """Newest first; each version with the fields it changed against the one before it."""
    versions = list(
        ActivityVersion.objects.filter(activity=activity)
        .select_related("actor")
        .order_by("number")[:MAX_VERSIONS]
    )
    human = _Humanizer()
    rows = []
    previous: dict[str, Any] | None = None
    for index, version in enumerate(versions):
        rows.append(
            VersionRow(
                version=version,
                changes=version_changes(previous, version.data, human),
                is_current=index == len(versions) - 1,
            )
        )
        previous = version.data
    return list(reversed(rows))


def revert_preview(version: ActivityVersion) -> list[FieldChange]:
    """What reverting to `version` would change in the activity as it is now."""
    current = activity_snapshot(Activity.objects.get(pk=version.activity_id))
    return version_changes(current, version.data, _Humanizer())
