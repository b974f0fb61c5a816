"""manage.py rebuild_search_index — build the whole index again from the catalog."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from kruzhok.search import index
from kruzhok.search.models import SearchTerm


class Command(BaseCommand):
    help = "Перестраивает поисковый индекс по всему каталогу (в одной транзакции: поиск работает всё время)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="перестроить, только если в индексе не все занятия каталога (для make run)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_missing"]:
            from kruzhok.catalog.models import Activity
            from kruzhok.search.models import SearchDocument

            if SearchDocument.objects.count() == Activity.objects.count():
                self.stdout.write("Поисковый индекс в порядке: перестраивать не нужно.")
                return
        started = time.monotonic()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 2 or done == total:
                last[0] = now
                self.stdout.write(f"  {done:,} / {total:,}".replace(",", " "))

        total = index.rebuild(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Индекс перестроен: {total:,} занятий, {SearchTerm.objects.count():,} слов, "
                f"{time.monotonic() - started:.1f} с.".replace(",", " ")
            )
        )
