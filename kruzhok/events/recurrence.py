"""RRULE parsing and bounded expansion in Asia/Omsk wall-clock time.

Rules are expanded in local time (an event at 18:00 stays at 18:00 whatever the offset) and
converted to UTC afterwards. Every expansion is capped: a rule typed by a person must never turn
a page view into a runaway loop.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.conf import settings
from django.utils.translation import gettext as _

MAX_RULE_LENGTH = 300
MAX_OCCURRENCES = 500  # per event per query window
MAX_EXDATES = 200
_FORBIDDEN_PARTS = ("DTSTART", "BYSECOND", "BYMINUTE", "BYHOUR", "BYSETPOS", "BYEASTER")
_ALLOWED_FREQ = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


class RuleError(ValueError):
    pass


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def normalize_rule(text: str) -> str:
    """The canonical RRULE body (no «RRULE:» prefix, upper case) or RuleError in the user's
    language. Sub-daily frequencies and DTSTART are refused: events start at the event's time."""
    body = "".join(text.split()).upper()
    if body.startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body:
        return ""
    if len(body) > MAX_RULE_LENGTH:
        raise RuleError(_("Правило повторения слишком длинное."))
    parts = rule_parts(body)
    if any(name in parts for name in _FORBIDDEN_PARTS):
        raise RuleError(_("В правиле повторения не используйте DTSTART, BYHOUR, BYMINUTE и подобные части."))
    if parts.get("FREQ") not in _ALLOWED_FREQ:
        raise RuleError(_("Повторять можно ежедневно, еженедельно, ежемесячно или ежегодно (FREQ)."))
    try:
        interval = int(parts.get("INTERVAL", "1"))
    except ValueError:
        raise RuleError(_("INTERVAL — целое число.")) from None
    if not 1 <= interval <= 365:
        raise RuleError(_("INTERVAL — от 1 до 365."))
    if "UNTIL" in parts and not _until_ok(parts["UNTIL"]):
        raise RuleError(_("UNTIL — дата в виде ГГГГММДД или ГГГГММДДTЧЧММССZ."))
    body = join_parts(parts)
    try:
        rrulestr(body, dtstart=datetime(2000, 1, 1), forceset=False)  # noqa: DTZ001 (syntax check only)
    except (ValueError, TypeError, OverflowError, IndexError, KeyError) as error:
        raise RuleError(
            _("Правило повторения не разобрано: %(error)s") % {"error": str(error)[:120]}
        ) from None
    if not _some_day_fits(parts):
        raise RuleError(_("Правило повторения не даёт ни одной даты: его части противоречат друг другу."))
    return body


_CALENDAR_CYCLE_DAYS = 28 * 365 + 7  # the Gregorian weekday-and-date pattern repeats every 28 years


def _some_day_fits(parts: dict[str, str]) -> bool:
    """Whether some day of a 28-year calendar cycle (every weekday on every date, leap years too)
    passes all of the rule's month, day-of-month, day-of-year and weekday parts at once. A rule
    none passes (BYMONTH=1 with BYYEARDAY=100) has no occurrence, and dateutil would walk to the
    year 9999 looking for one: seconds of CPU on every calendar page that shows the event.
    Ordinals (2MO) and BYWEEKNO are not checked, so a True says nothing more."""

    def numbers(name: str) -> set[int] | None:
        return {int(value) for value in parts[name].split(",")} if name in parts else None

    months, month_days, year_days = numbers("BYMONTH"), numbers("BYMONTHDAY"), numbers("BYYEARDAY")
    weekdays = _weekdays(parts)
    if months is None and month_days is None and year_days is None:
        return True  # a weekday alone always comes round
    for offset in range(_CALENDAR_CYCLE_DAYS):
        day = date(2024, 1, 1) + timedelta(days=offset)
        if months is not None and day.month not in months:
            continue
        if weekdays is not None and day.weekday() not in weekdays:
            continue
        if month_days is not None:
            length = calendar.monthrange(day.year, day.month)[1]
            if day.day not in month_days and day.day - length - 1 not in month_days:
                continue
        if year_days is not None:
            number, length = day.timetuple().tm_yday, 366 if calendar.isleap(day.year) else 365
            if number not in year_days and number - length - 1 not in year_days:
                continue
        return True
    return False


def _until_ok(value: str) -> bool:
    for pattern in ("%Y%m%d", "%Y%m%dT%H%M%SZ"):
        try:
            datetime.strptime(value, pattern)  # noqa: DTZ007 (format check only)
        except ValueError:
            continue
        return True
    return False


def rule_parts(body: str) -> dict[str, str]:
    """A canonical rule body as its NAME=VALUE parts, in order."""
    return dict(part.partition("=")[::2] for part in body.split(";") if part)


def join_parts(parts: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in parts.items())


def until_local(value: str) -> datetime:
    """UNTIL as naive local wall time: a UTC date-time (…Z) moved to Omsk, a bare date meaning
    «through that local day»."""
    if value.endswith("Z"):
        moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
        return moment.astimezone(local_zone()).replace(tzinfo=None)
    return datetime.strptime(value, "%Y%m%d").replace(hour=23, minute=59, second=59)  # noqa: DTZ007


def build_rule(body: str, local_start: datetime) -> rrule:
    """The dateutil rule for a naive local start; UNTIL is given in local wall time, since dateutil
    needs UNTIL and DTSTART to agree about awareness."""
    parts = rule_parts(body)
    until = parts.pop("UNTIL", None)
    rule = rrulestr(join_parts(parts), dtstart=local_start, forceset=False)
    assert isinstance(rule, rrule)  # noqa: S101 (forceset=False and no RDATE: a single rule)  # nosec B101
    if until is not None:
        rule = rule.replace(until=until_local(until))
    return rule


_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7}


def _skip_ahead(body: str, local_start: datetime, low: datetime) -> datetime:
    """A later start with the same occurrences from `low` on, so dateutil does not walk every
    week since an event began years ago: whole periods (INTERVAL days or weeks) are skipped for
    daily and weekly rules. Not with COUNT, which counts from the real start, nor for monthly and
    yearly rules, whose days depend on the month."""
    parts = rule_parts(body)
    days = _PERIOD_DAYS.get(parts.get("FREQ", ""))
    if days is None or "COUNT" in parts or low <= local_start:
        return local_start
    period = timedelta(days=days * int(parts.get("INTERVAL") or 1))
    return local_start + period * ((low - local_start) // period)


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _weekdays(parts: dict[str, str]) -> set[int] | None:
    """The weekdays (0 = Monday) BYDAY names, its ordinals (2MO, -1FR) dropped; None without BYDAY."""
    if "BYDAY" not in parts:
        return None
    return {_WEEKDAYS.index(code[-2:]) for code in parts["BYDAY"].split(",") if code[-2:] in _WEEKDAYS}


def _may_fall_between(parts: dict[str, str], local_start: datetime, low: datetime, high: datetime) -> bool:
    """False when no day from `low` to `high` can hold an occurrence, read off the rule's text
    without building it: its weekdays (BYDAY, or a weekly rule's own weekday) or a monthly rule's
    day of the month. A necessary condition only, so True says nothing; it lets a calendar page
    over thousands of repeating events build the few rules that can fall on its days."""
    if (high - low).days > 31:
        return True
    days = [low.date() + timedelta(days=i) for i in range((high.date() - low.date()).days + 1)]
    weekdays = _weekdays(parts)
    if weekdays is not None:
        return any(day.weekday() in weekdays for day in days)
    freq = parts.get("FREQ")
    # dateutil gives a rule the start's weekday or day of the month only when nothing else says
    # which days: BYMONTHDAY, BYYEARDAY and BYWEEKNO each replace that default.
    if freq == "WEEKLY" and not {"BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"} & parts.keys():
        return any(day.weekday() == local_start.weekday() for day in days)
    if freq == "MONTHLY" and not {"BYYEARDAY", "BYWEEKNO"} & parts.keys():
        raw = parts.get("BYMONTHDAY", str(local_start.day)).split(",")
        if all(value.isdigit() for value in raw):
            return any(day.day in {int(value) for value in raw} for day in days)
    return True


def occurrence_starts(
    *,
    starts_at: datetime,
    duration: timedelta,
    rule: str,
    exdates: Iterable[date],
    window_start: datetime,
    window_end: datetime,
    limit: int = MAX_OCCURRENCES,
) -> Iterator[datetime]:
    """Aware UTC starts of the occurrences that overlap [window_start, window_end)."""
    zone = local_zone()
    if not rule:
        if starts_at < window_end and starts_at + duration > window_start:
            yield starts_at
        return
    local_start = starts_at.astimezone(zone).replace(tzinfo=None)
    skipped = set(exdates)
    # Widen the lower bound by the duration: an occurrence that began earlier may still overlap.
    low = (window_start - duration).astimezone(zone).replace(tzinfo=None)
    high = window_end.astimezone(zone).replace(tzinfo=None)
    count = 0
    if not _may_fall_between(rule_parts(rule), local_start, low, high):
        return
    for local in build_rule(rule, _skip_ahead(rule, local_start, low)).xafter(low, inc=True):
        if local >= high or count >= limit:
            return
        if local.date() in skipped:
            continue
        aware = local.replace(tzinfo=zone)
        if aware + duration > window_start:
            count += 1
            yield aware.astimezone(ZoneInfo("UTC"))


def parse_exdates(text: str) -> list[date]:
    """Dates separated by commas, spaces or lines (ГГГГ-ММ-ДД or ДД.ММ.ГГГГ)."""
    result: list[date] = []
    for token in text.replace(",", " ").replace(";", " ").split():
        for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                result.append(datetime.strptime(token, pattern).date())  # noqa: DTZ007
                break
            except ValueError:
                continue
        else:
            raise RuleError(
                _("Не понятна дата-исключение «%(token)s»: нужна ГГГГ-ММ-ДД.") % {"token": token[:20]}
            )
    if len(result) > MAX_EXDATES:
        raise RuleError(_("Слишком много дат-исключений (не больше %(n)s).") % {"n": MAX_EXDATES})
    return sorted(set(result))
