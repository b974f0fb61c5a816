"""`manage.py send_alerts [--now ISO-datetime] [--kind search|activity|organization|event]` — queue
every alert that is due: new activities and events for saved searches, changes of followed
activities and organizations, reminders of tomorrow's events (kruzhok/notifications/alerts.py).

For cron, every 5 minutes: a run that finds nothing queues nothing, two runs at once mail once,
and a run that did not happen is caught up by the next. The mails go to the outbox; the worker (or
`deliver_mail`) sends them. Progress of a long run goes to stderr, the summary to stdout; with
`-v 0` only errors are printed (so cron mails only those).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kruzhok.events.recurrence import local_zone
from kruzhok.notifications.alerts import send_alerts
from kruzhok.notifications.models import Subscription


class Command(BaseCommand):
    help = "Queue the alert mails that are due (saved searches, follows, event reminders)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="Run as if it were this moment (ISO, e.g. 2026-11-30T08:05; Omsk time unless it has an "
            "offset): for tests and to backfill daily/weekly mails.",
        )
        parser.add_argument(
            "--kind",
            action="append",
            choices=Subscription.Kind.values,
            help="Only these subscriptions (repeatable); all by default.",
        )

    def handle(self, *args: Any, now: str | None, kind: list[str] | None, **options: Any) -> None:
        if not 0 <= settings.ALERTS_DAILY_HOUR <= 23:
            raise CommandError(
                f"ALERTS_DAILY_HOUR is {settings.ALERTS_DAILY_HOUR}: set it to an hour from 0 to 23."
            )
        moment = _moment(now) if now else None
        verbose = int(options.get("verbosity", 1)) >= 1

        def progress(message: str) -> None:
            if verbose:
                self.stderr.write(message)
                self.stderr.flush()

        summary = send_alerts(now=moment, kinds=kind, progress=progress)
        kinds = kind or Subscription.Kind.values
        parts = [f"{name}: {summary.checked[name]} checked, {summary.mailed[name]} mailed" for name in kinds]
        if verbose:
            self.stdout.write(f"{'; '.join(parts)}; {summary.seconds:.1f} s")
        if summary.errors:
            raise CommandError(
                f"{summary.errors} alert mails could not be queued (the log says why); their "
                "subscriptions were not moved on, so the next run tries them again."
            )


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--now {text!r} is not a date and time: write it as 2026-11-30T08:05 (Omsk time) or "
            "2026-11-30T02:05+00:00."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    return moment
