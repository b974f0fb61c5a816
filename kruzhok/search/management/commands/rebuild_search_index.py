"""manage.py rebuild_search_index — build the whole index again from the catalog."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from kruzhok.search import index
from kruzhok.search.models import SearchTerm


class Command(BaseCommand):
    help = "Перестраивает поисковый индекс по всему каталогу (в одной транзакции: поиск работает всё время)."

    def handle(self, *args: Any, **options: Any) -> None:
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
