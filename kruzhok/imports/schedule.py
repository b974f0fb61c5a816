"""The weekly schedule column: `Пн,Ср 15:00-16:30; Сб 10:00-11:30` and what people really type.

Accepted: Russian and English day abbreviations or full names (`Пн`, `пон.`, `понедельник`,
`среду`, `mon`, `Wednesday`), day ranges (`Пн-Пт`, `пн–пт`), `будни`, `выходные`,
`ежедневно`/`daily`; times as `15:00`, `15.00` or `9:00`, ranges with `-`, `–`, `—` or
`с 15:00 до 16:30`. Days apply to the time ranges that follow them until the next day, so both
`Пн,Ср 15:00-16:30; Сб 10:00-11:30` and `Пн 15:00-16:30, Ср 17:00-18:00` work.

`parse_schedule` raises only `ScheduleError` (a ValueError with a Russian message naming the
fragment it did not understand); `format_schedule` writes the canonical form the export uses,
which parses back to the same slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import NamedTuple

from django.utils.translation import gettext as _

# Long enough for any real timetable, short enough that a hostile cell costs nothing.
MAX_SCHEDULE_LENGTH = 1000
MAX_SLOTS = 70

DAY_ABBR = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]

_DAY_WORDS: dict[str, tuple[int, ...]] = {}
for _index, _names in enumerate(
    [
        ("пн", "пон", "понед", "понедельник", "понедельникам", "mo", "mon", "monday"),
        ("вт", "втр", "вторник", "вторникам", "tu", "tue", "tues", "tuesday"),
        ("ср", "сре", "среда", "среду", "средам", "we", "wed", "wednesday"),
        ("чт", "чет", "четв", "четверг", "четвергам", "th", "thu", "thur", "thurs", "thursday"),
        ("пт", "пят", "пятн", "пятница", "пятницу", "пятницам", "fr", "fri", "friday"),
        ("сб", "суб", "субб", "суббота", "субботу", "субботам", "sa", "sat", "saturday"),
        ("вс", "вск", "воскр", "воскресенье", "воскресеньям", "su", "sun", "sunday"),
    ]
):
    for _name in _names:
        _DAY_WORDS[_name] = (_index,)
_DAY_WORDS.update(
    {
        "будни": (0, 1, 2, 3, 4),
        "будням": (0, 1, 2, 3, 4),
        "weekdays": (0, 1, 2, 3, 4),
        "выходные": (5, 6),
        "выходным": (5, 6),
        "weekends": (5, 6),
        "weekend": (5, 6),
        "ежедневно": (0, 1, 2, 3, 4, 5, 6),
        "daily": (0, 1, 2, 3, 4, 5, 6),
    }
)
# Words that carry no meaning between days and times: «по вторникам и четвергам с 15:00 до 16:30».
_FILLER = {"и", "с", "по", "and", "from", "в", "at", "on"}

_DASH = r"[-‐‑‒–—−]"
_CLOCK = r"(\d{1,2})\s*[:.]\s*(\d{2})"
_TOKENS = re.compile(
    rf"(?P<range>{_CLOCK}\s*(?:{_DASH}|до|to)\s*{_CLOCK})"
    rf"|(?P<clock>\d{{1,2}}\s*[:.]\s*\d{{2}}|\d+)"
    rf"|(?P<dayrange>(?P<d1>[a-zа-я]+)\.?\s*{_DASH}\s*(?P<d2>[a-zа-я]+)\.?)"
    r"|(?P<word>[a-zа-я]+)\.?"
    r"|(?P<sep>[\s;,/+]+)"
)


class ScheduleError(ValueError):
    """The schedule text is not understood; the message says which part and what to write."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Slot(NamedTuple):
    weekday: int  # 0 = Monday, as ScheduleSlot.weekday
    starts_at: time
    ends_at: time


@dataclass
class _State:
    days: list[int]
    days_used: bool


def _clock(hours: str, minutes: str, fragment: str) -> time:
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        raise ScheduleError(
            _("время «%(fragment)s» не существует: часы от 0 до 23, минуты от 0 до 59")
            % {"fragment": fragment}
        )
    return time(h, m)


def _days_of(word: str) -> tuple[int, ...] | None:
    return _DAY_WORDS.get(word.rstrip("."))


def parse_schedule(text: str) -> list[Slot]:
    """Slots sorted by weekday and time, without duplicates; empty text means no schedule."""
    if len(text) > MAX_SCHEDULE_LENGTH:
        raise ScheduleError(
            _("расписание длиннее %(limit)s символов; оставьте только дни и часы занятий")
            % {"limit": MAX_SCHEDULE_LENGTH}
        )
    source = text.lower().replace("ё", "е")
    slots: set[Slot] = set()
    state = _State(days=[], days_used=False)
    position = 0
    while position < len(source):
        match = _TOKENS.match(source, position)
        if match is None or match.end() == position:
            fragment = source[position : position + 20].strip()
            raise ScheduleError(
                _("не понимаю «%(fragment)s»; пишите так: «Пн,Ср 15:00-16:30; Сб 10:00-11:30»")
                % {"fragment": fragment}
            )
        position = match.end()
        fragment = match.group().strip()
        kind = match.lastgroup
        if kind == "sep":
            continue
        if kind == "range":
            if not state.days:
                raise ScheduleError(
                    _("для времени «%(fragment)s» не указан день недели; например «Пн 15:00-16:30»")
                    % {"fragment": fragment}
                )
            h1, m1, h2, m2 = match.group(2, 3, 4, 5)
            start, end = _clock(h1, m1, fragment), _clock(h2, m2, fragment)
            if end <= start:
                raise ScheduleError(
                    _("в «%(fragment)s» конец занятия должен быть позже начала") % {"fragment": fragment}
                )
            slots.update(Slot(day, start, end) for day in state.days)
            state.days_used = True
        elif kind == "clock":
            raise ScheduleError(
                _("у времени «%(fragment)s» нет конца; укажите начало и конец, например «15:00-16:30»")
                % {"fragment": fragment}
            )
        elif kind == "dayrange":
            first, last = _days_of(match.group("d1")), _days_of(match.group("d2"))
            if first is None or last is None or len(first) != 1 or len(last) != 1:
                raise ScheduleError(
                    _("не понимаю дни «%(fragment)s»; пишите так: «Пн-Пт»") % {"fragment": fragment}
                )
            a, b = first[0], last[0]
            span = list(range(a, b + 1)) if a <= b else [*range(a, 7), *range(0, b + 1)]
            _add_days(state, span)
        else:
            word = match.group("word")
            days = _days_of(word)
            if days is None:
                if word in _FILLER:
                    continue
                raise ScheduleError(
                    _("не понимаю «%(fragment)s»: день недели пишите как Пн, Вт, Ср, Чт, Пт, Сб, Вс")
                    % {"fragment": fragment}
                )
            _add_days(state, list(days))
        if len(slots) > MAX_SLOTS:
            raise ScheduleError(_("в расписании больше %(limit)s занятий в неделю") % {"limit": MAX_SLOTS})
    if state.days and not state.days_used:
        names = ",".join(DAY_ABBR[d] for d in state.days)
        raise ScheduleError(
            _("для дней «%(days)s» не указано время; например «%(days)s 15:00-16:30»") % {"days": names}
        )
    return sorted(slots)


def _add_days(state: _State, days: list[int]) -> None:
    # A day after a time range starts a new group: «Пн 15:00-16:00, Ср 17:00-18:00».
    if state.days_used:
        state.days, state.days_used = [], False
    for day in days:
        if day not in state.days:
            state.days.append(day)


def _day_list(days: list[int]) -> str:
    """`Пн,Ср` for scattered days, `Пн-Пт` for a run of three or more."""
    parts: list[str] = []
    run: list[int] = []
    for day in [*days, -10]:
        if run and day == run[-1] + 1:
            run.append(day)
            continue
        if len(run) >= 3:
            parts.append(f"{DAY_ABBR[run[0]]}-{DAY_ABBR[run[-1]]}")
        else:
            parts.extend(DAY_ABBR[d] for d in run)
        run = [day]
    return ",".join(parts)


def format_schedule(slots: list[Slot] | list[tuple[int, time, time]]) -> str:
    """The canonical text: days sharing the same hours together, ordered by the first day."""
    by_hours: dict[tuple[time, time], list[int]] = {}
    for weekday, start, end in sorted(set(slots)):
        by_hours.setdefault((start, end), []).append(weekday)
    groups = sorted(by_hours.items(), key=lambda item: (item[1][0], item[0]))
    return "; ".join(f"{_day_list(days)} {start:%H:%M}-{end:%H:%M}" for (start, end), days in groups)
