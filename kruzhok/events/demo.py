"""Demo events for `seed_demo`: a few hundred open days, competitions, concerts and master
classes around the demo activities, some recurring; the same for the same seed and date."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from kruzhok.catalog.models import Activity
from kruzhok.events.models import Event
from kruzhok.events.recurrence import local_zone
from kruzhok.events.services import repeats_until
from kruzhok.search.index import next_seq

EVENTS_PER_ACTIVITY = 0.2
KINDS_BY_DIRECTION = {
    "sport": ("competition", "competition", "open_day", "master_class"),
    "arts": ("concert", "concert", "master_class", "open_day"),
    "technical": ("master_class", "competition", "open_day"),
    "science": ("master_class", "open_day", "competition"),
    "tourism": ("competition", "open_day", "other"),
    "social": ("open_day", "master_class", "other"),
}
TITLES = {
    "competition": (
        "Открытое первенство: {title}",
        "Турнир для начинающих: {title}",
        "Городские соревнования: {title}",
    ),
    "concert": ("Отчётный концерт: {title}", "Новогодний концерт: {title}", "Весенний концерт: {title}"),
    "master_class": ("Мастер-класс: {title}", "Открытое занятие: {title}", "Пробное занятие: {title}"),
    "open_day": ("День открытых дверей: {title}", "Знакомство с кружком: {title}"),
    "other": ("Экскурсия: {title}", "Встреча с родителями: {title}", "Праздник: {title}"),
}
DESCRIPTIONS = {
    "competition": "Участвуют воспитанники секций города. Зрители — бесплатно, участникам нужна заявка.",
    "concert": "Выступают ученики всех групп. Вход свободный, приходите всей семьёй.",
    "master_class": "Педагог покажет, как проходят занятия; всё нужное выдадим на месте.",
    "open_day": "Расскажем о группах и расписании, ответим на вопросы, запишем на пробное занятие.",
    "other": "Подробности — по телефону организации.",
}


def demo_events_seed(*, seed: int, as_of: date, source: str) -> int:
    """Create about one event per five live activities of `source`; returns how many."""
    rng = random.Random(f"events-{seed}")  # noqa: S311 — reproducible demo data  # nosec B311
    zone = local_zone()
    rows = list(
        Activity.objects.filter(source=source, status="published")
        .order_by("id")
        .values_list(
            "id", "organization_id", "venue_id", "title", "age_min", "age_max", "direction__slug", "price_rub"
        )
    )
    events: list[Event] = []
    # One number of the catalog's commit-ordered sequence for the whole batch: the OpenActive
    # feed orders events by it (kruzhok/api/openactive_selectors.py).
    feed_seq = next_seq()
    for activity_id, org_id, venue_id, title, age_min, age_max, direction, price in rows:
        if rng.random() >= EVENTS_PER_ACTIVITY:
            continue
        kind = rng.choice(KINDS_BY_DIRECTION.get(direction or "", ("open_day",)))
        day = as_of + timedelta(days=rng.randint(-14, 120))
        if kind in ("competition", "concert", "open_day") and rng.random() < 0.7:
            day += timedelta(days=(5 - day.weekday()) % 7)  # mostly on Saturdays
        starts = datetime.combine(
            day, time(rng.choice((10, 11, 12, 14, 15, 16, 17, 18)), rng.choice((0, 30))), tzinfo=zone
        )
        hours = {"competition": 4, "concert": 2, "master_class": 1.5, "open_day": 3, "other": 2}[kind]
        ends = starts + timedelta(hours=hours)
        rule, exdates, all_day = "", [], False
        roll = rng.random()
        if kind == "master_class" and roll < 0.35:
            rule = f"FREQ=WEEKLY;COUNT={rng.randint(4, 8)}"
            if rng.random() < 0.3:
                exdates = [(day + timedelta(weeks=2)).isoformat()]
        elif kind == "open_day" and roll < 0.25:
            rule = "FREQ=MONTHLY;BYDAY=1SA;COUNT=6"
            starts = datetime.combine(day, time(11, 0), tzinfo=zone)
            ends = starts + timedelta(hours=3)
        elif kind == "competition" and roll < 0.15:
            all_day = True
            starts = datetime.combine(day, time(0), tzinfo=zone)
            ends = starts + timedelta(days=rng.choice((1, 2)))
        events.append(
            Event(
                title=rng.choice(TITLES[kind]).format(title=title)[:200],
                description=DESCRIPTIONS[kind],
                kind=kind,
                organization_id=org_id,
                activity_id=activity_id,
                venue_id=venue_id,
                starts_at=starts,
                ends_at=ends,
                all_day=all_day,
                rrule=rule,
                exdates=exdates,
                feed_seq=feed_seq,
                repeats_until=repeats_until(starts_at=starts, ends_at=ends, rule=rule),
                age_min=age_min,
                age_max=age_max,
                price_rub=0
                if kind in ("open_day", "master_class") or rng.random() < 0.6
                else min(price, 500) or 200,
            )
        )
    Event.objects.bulk_create(events, batch_size=1000)
    return len(events)
