"""`manage.py aggregate_analytics`: the daily roll-up of traffic and searches, and the end of raw
events after RAW_RETENTION_DAYS (see kruzhok.analytics.services.analytics_aggregate)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from kruzhok.analytics.models import RAW_RETENTION_DAYS
from kruzhok.analytics.services import DaySummary, analytics_aggregate


class Command(BaseCommand):
    help = (
        "Сводит сырые просмотры и поиски в дневные таблицы показателей и удаляет сырые события "
        f"старше {RAW_RETENTION_DAYS} дней и соли прошедших дней. Повторный запуск даёт те же числа. "
        "Запускать из cron каждый час."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="пересчитать только последние N дней (по умолчанию — все дни с сырыми событиями)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError(gettext("--days: нужно целое число от 1."))
        verbose = options["verbosity"] >= 1

        def progress(day: DaySummary) -> None:
            if verbose:
                self.stdout.write(
                    "  "
                    + gettext(
                        "{day}: просмотров {views}, посетителей {visitors}, поисков {searches} "
                        "(из {raw} запросов по мере ввода), без результатов {zero}"
                    ).format(
                        day=day.day.isoformat(),
                        views=day.page_views,
                        visitors=day.visitors,
                        searches=day.searches,
                        raw=day.raw_searches,
                        zero=day.zero_result_searches,
                    )
                )

        summary = analytics_aggregate(days=days, progress=progress)
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(
                    gettext(
                        "Готово: дней сведено {days}; удалено сырых просмотров {views}, поисков "
                        "{searches}, солей {salts}."
                    ).format(
                        days=len(summary.days),
                        views=summary.page_views_deleted,
                        searches=summary.searches_deleted,
                        salts=summary.salts_deleted,
                    )
                )
            )
