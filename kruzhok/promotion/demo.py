"""Demo promotion for `seed_demo`: editors' picks on the home page and on each direction's page,
and a few news posts by demo organizations; the same for the same seed and date."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from kruzhok.catalog.models import Activity, Direction, Organization
from kruzhok.events.models import Event
from kruzhok.events.recurrence import local_zone
from kruzhok.events.selectors import local_midnight
from kruzhok.promotion.models import Featured, OrganizationPost

HOME_ACTIVITIES = 4
HOME_EVENTS = 2
PER_DIRECTION = 2
POSTS = 24
PICK_DAYS = 30
POST_TEMPLATES = (
    (
        "Открыт набор в новые группы",
        "В {org} открыт набор детей в новые группы. Запись по телефону или на первом занятии — "
        "приходите знакомиться, первое занятие бесплатно.",
    ),
    (
        "Итоги городских соревнований",
        "Воспитанники {org} заняли призовые места на городских соревнованиях. Поздравляем ребят и "
        "тренеров и благодарим родителей за поддержку!",
    ),
    (
        "Отчётный концерт",
        "Приглашаем семьи на отчётный концерт {org}. Вход свободный; программа и время — в разделе событий.",
    ),
    (
        "Каникулы: расписание на время праздников",
        "В дни школьных каникул занятия в {org} идут по особому расписанию. Уточняйте время у "
        "педагогов своих групп.",
    ),
    (
        "Новое оборудование",
        "{org} получил(а) новое оборудование для занятий: ждём ребят на обновлённых занятиях.",
    ),
)


def demo_promotion_seed(*, seed: int, as_of: date, source: str) -> tuple[int, int]:
    """Picks shown from `as_of` for PICK_DAYS days and news posts of the last weeks, among the
    live rows of `source`; returns (picks, posts)."""
    rng = random.Random(f"promotion-{seed}")  # noqa: S311 — reproducible demo data  # nosec B311
    live = Activity.objects.live().filter(source=source).order_by("id")
    window = {"starts_on": as_of, "ends_on": as_of + timedelta(days=PICK_DAYS)}
    picks: list[Featured] = []
    activity_ids = list(live.values_list("id", flat=True))
    for position, activity_id in enumerate(rng.sample(activity_ids, min(HOME_ACTIVITIES, len(activity_ids)))):
        picks.append(Featured(activity_id=activity_id, position=position, **window))
    zone = local_zone()
    event_ids = list(
        Event.objects.published()
        .filter(organization__source=source, starts_at__gte=local_midnight(as_of))
        .order_by("id")
        .values_list("id", flat=True)
    )
    for position, event_id in enumerate(rng.sample(event_ids, min(HOME_EVENTS, len(event_ids)))):
        picks.append(Featured(event_id=event_id, position=HOME_ACTIVITIES + position, **window))
    for direction in Direction.objects.order_by("position"):
        ids = list(live.filter(direction=direction).values_list("id", flat=True))
        for position, activity_id in enumerate(rng.sample(ids, min(PER_DIRECTION, len(ids)))):
            picks.append(Featured(direction=direction, activity_id=activity_id, position=position, **window))
    Featured.objects.bulk_create(picks)

    organizations = list(
        Organization.objects.live().filter(source=source).order_by("id").values_list("id", "name")
    )
    posts = []
    for org_id, name in rng.sample(organizations, min(POSTS, len(organizations))):
        title, body = rng.choice(POST_TEMPLATES)
        day = as_of - timedelta(days=rng.randint(0, 40))
        published = datetime.combine(day, time(rng.randint(9, 19), rng.choice((0, 15, 30, 45))), tzinfo=zone)
        posts.append(
            OrganizationPost(
                organization_id=org_id, title=title, body=body.format(org=name), published_at=published
            )
        )
    OrganizationPost.objects.bulk_create(posts)
    return len(picks), len(posts)
