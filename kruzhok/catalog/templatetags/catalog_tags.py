"""Formatting for catalog pages: ages, prices, counts with plurals, localized names.

Russian has three plural forms; the Russian msgids give two, so locale/ru holds the plural
entries (and only those) with all three forms.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.translation import get_language, gettext, ngettext

from kruzhok.catalog import selectors
from kruzhok.catalog.models import Activity, ScheduleSlot

register = template.Library()


def _is_russian() -> bool:
    return (get_language() or "ru").split("-")[0] == "ru"


def _counted(form: str, n: int) -> str:
    return form % {"n": _group_digits(n)}


@register.filter
def loc_name(obj: Any) -> str:
    """`name_en` in English when there is one, else the Russian name."""
    if not _is_russian() and getattr(obj, "name_en", None):
        return str(obj.name_en)
    return str(getattr(obj, "name_ru", None) or obj)


def _group_digits(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def price_text(price_rub: int, *, monthly: bool = True) -> str:
    """«бесплатно», «1 300 ₽/мес» (an activity's monthly price) or «500 ₽» (an event's)."""
    if price_rub == 0:
        return gettext("бесплатно")
    if monthly:
        return gettext("%(price)s ₽/мес") % {"price": _group_digits(price_rub)}
    return f"{_group_digits(price_rub)} ₽"


@register.filter
def price(activity: Activity) -> str:
    return price_text(activity.price_rub)


@register.filter
def event_price(price_rub: int) -> str:
    return price_text(price_rub, monthly=False)


@register.simple_tag
def ages(age_min: int | None, age_max: int | None) -> str:
    """«7–12 лет», «3–4 года», «от 5 лет»; English «7–12 years»."""
    if age_min is None and age_max is None:
        return ""
    if age_max is None:
        n = age_min or 0
        return _counted(ngettext("от %(n)s года", "от %(n)s лет", n), n)
    words = _counted(ngettext("%(n)s год", "%(n)s лет", age_max), age_max)
    if age_min is None or age_min == age_max:
        return words
    return f"{age_min}–{words}"


@register.simple_tag
def count_activities(n: int) -> str:
    return _counted(ngettext("%(n)s занятие", "%(n)s занятий", n), n)


@register.simple_tag
def count_found(n: int) -> str:
    return _counted(ngettext("Найдено %(n)s занятие", "Найдено %(n)s занятий", n), n)


@register.simple_tag
def upcoming(activity: Activity, limit: int = 2) -> list[datetime]:
    return selectors.next_sessions(activity, limit=limit)


@register.filter
def weekday_short(value: datetime) -> str:
    return str(ScheduleSlot.Weekday(value.weekday()).label)


@register.filter
def slot_times(slot: ScheduleSlot) -> str:
    return f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"


@register.filter
def tel_href(phone: str) -> str:
    """`+7 (3812) 55-12-34` → `+73812551234` for a tel: link."""
    digits = "".join(ch for ch in str(phone) if ch.isdigit())
    if str(phone).strip().startswith("+"):
        return "+" + digits
    if len(digits) == 11 and digits[0] == "8":
        return "+7" + digits[1:]
    return digits


@register.filter
def website_label(url: str) -> str:
    """The host and path without the scheme: shorter to read, same link."""
    text = str(url)
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text.removeprefix("www.").rstrip("/")
