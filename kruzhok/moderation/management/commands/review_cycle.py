"""`manage.py review_cycle`: the daily pass of the review cycle (see kruzhok.moderation.review_cycle)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext

from kruzhok.moderation.review_cycle import review_cycle_run


def _moment(value: str) -> datetime:
    """ISO date or date-time; a naive value is read in the site's time zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(gettext("--now: ожидается дата ГГГГ-ММ-ДД или дата и время ISO 8601.")) from exc
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Проверка актуальности: занятия, не подтверждённые REVIEW_AFTER_DAYS дней, получают запрос "
        "организации (письмо со ссылкой «всё верно»). Запускать раз в день; повторный запуск ничего не "
        "отправляет дважды."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", default=None, help="считать, что сейчас этот момент (ISO 8601), для проверки"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = _moment(options["now"]) if options["now"] else timezone.now()
        self.stdout.write(gettext("Проверка актуальности на {moment}…").format(moment=now.isoformat()))

        def progress(line: str) -> None:
            self.stdout.write("  " + line)

        summary = review_cycle_run(now=now, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                gettext(
                    "Готово: к проверке {due}, запрошено {requested} (организаций: {organizations}), "
                    "писем {mails}, сразу редакторам {to_editors}; в очереди устаревших {outdated}."
                ).format(
                    due=summary.due,
                    requested=summary.requested,
                    organizations=len(summary.organizations),
                    mails=summary.mails,
                    to_editors=summary.to_editors,
                    outdated=summary.outdated,
                )
            )
        )
