"""`manage.py seed_demo`: a realistic, deterministic Omsk catalog for demos and benchmarks."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from kruzhok.catalog.demo.loader import DemoCatalogError, demo_catalog_seed
from kruzhok.catalog.models import Activity

MAX_ACTIVITIES = 2_000_000


def _positive(value: str) -> int:
    number = int(value)
    if not 1 <= number <= MAX_ACTIVITIES:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Загружает демо-каталог Омска: организации, площадки, занятия, группы и расписание. "
        "Одинаковые --activities и --seed дают одинаковый каталог."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--activities", type=_positive, default=1500, help="число занятий (1500)")
        parser.add_argument("--seed", type=int, default=1, help="зерно генератора (1)")
        parser.add_argument(
            "--if-empty", action="store_true", help="ничего не делать, если в каталоге уже есть занятия"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="удалить прежние демо-данные (source=demo) и загрузить заново",
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="дата, от которой отсчитываются даты проверки (по умолчанию сегодня), ГГГГ-ММ-ДД",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Activity.objects.exists():
            self.stdout.write(
                gettext("Каталог не пуст ({count} занятий): демо-данные не загружаются.").format(
                    count=Activity.objects.count()
                )
            )
            return
        activities = options["activities"]
        self.stdout.write(
            gettext("Загружаю демо-каталог: {activities} занятий, seed={seed}…").format(
                activities=activities, seed=options["seed"]
            )
        )
        try:
            summary = demo_catalog_seed(
                activities=activities,
                seed=options["seed"],
                replace=options["replace"],
                as_of=options["as_of"],
                progress=self.stdout.write,
            )
        except DemoCatalogError as exc:
            raise CommandError(str(exc)) from exc
        share = summary.free / summary.activities if summary.activities else 0.0
        self.stdout.write(
            self.style.SUCCESS(
                gettext(
                    "Готово за {seconds:.1f} с: {activities} занятий ({free:.0%} бесплатных), "
                    "{organizations} организаций, {venues} площадок, {groups} групп, {slots} строк расписания, {events} событий, "
                    "{featured} выборов редакции, {posts} новостей организаций."
                ).format(
                    seconds=summary.seconds,
                    activities=summary.activities,
                    free=share,
                    organizations=summary.organizations,
                    venues=summary.venues,
                    groups=summary.groups,
                    slots=summary.slots,
                    events=summary.events,
                    featured=summary.featured,
                    posts=summary.posts,
                )
            )
        )
        for direction, count in summary.per_direction.items():
            self.stdout.write(f"  {direction}: {count}")
