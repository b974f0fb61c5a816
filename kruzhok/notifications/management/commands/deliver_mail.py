"""`manage.py deliver_mail [--once]` — send every due outbox mail, and the ones whose worker died.

For cron (`--once`: sweep until nothing is due, then exit) and as a worker of its own (without
`--once`: sweep every `--interval` seconds). Safe to run twice, and at the same time as the task
worker: each mail is claimed by one conditional UPDATE.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kruzhok.notifications.outbox import mail_deliver_due


class Command(BaseCommand):
    help = "Deliver due and abandoned outbox mails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Sweep until nothing is due, then exit.")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between sweeps.")
        parser.add_argument("--batch", type=int, default=100, help="Mails claimed per sweep.")

    def handle(self, *args: Any, once: bool, interval: float, batch: int, **options: Any) -> None:
        total: Counter[str] = Counter()
        while True:
            outcomes = mail_deliver_due(limit=batch)
            total += outcomes
            # Skipped rows were taken by another worker; only rows this sweep settled mean more
            # may be waiting right now.
            if outcomes.total() - outcomes["skipped"] > 0:
                continue
            if once:
                break
            time.sleep(interval)
        summary = ", ".join(f"{name} {count}" for name, count in sorted(total.items())) or "nothing due"
        self.stdout.write(summary)
