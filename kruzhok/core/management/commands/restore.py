"""manage.py restore — replace the database's contents with a backup made by `manage.py backup`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from kruzhok.core import backups


class Command(BaseCommand):
    help = (
        "Восстанавливает базу из копии manage.py backup. ЗАМЕНЯЕТ все данные в базе; сначала "
        "проверяет файл. Остановите сайт и воркер на время восстановления."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="файл копии (.sqlite3 или .dump)")
        parser.add_argument("--yes", action="store_true", help="да, заменить данные в базе (без вопроса)")
        parser.add_argument("--database", default="default", help="псевдоним базы в DATABASES")

    def handle(self, *args: Any, **options: Any) -> None:
        settings_dict = connections[options["database"]].settings_dict
        path = Path(options["path"])
        target = settings_dict["NAME"]
        try:
            backups.check_file(settings_dict, path)
            if not options["yes"] and not self._confirmed(path, target):
                raise CommandError(
                    f"Восстановление из {path} заменит ВСЕ данные в базе {target}; ничего не изменено. "
                    "Остановите сайт и воркер и повторите с --yes."
                )
            # Django's own connection must not hold the database open (SQLite locks, PostgreSQL DROP).
            connections[options["database"]].close()
            self.stdout.write(
                f"Восстановление {path} → {target} (сайт и воркер должны быть остановлены: их записи "
                "во время восстановления пропадут)"
            )
            result = backups.restore(settings_dict, path, progress=self.stdout.write)
        except (backups.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Готово за {result.seconds:.1f} с. Строк: {backups.format_counts(result.counts)} — "
                "сравните с тем, что напечатал backup."
            )
        )
        self.stdout.write(
            "  Поисковый индекс восстановлен вместе с базой; его номер поколения увеличен, так что "
            "работающие процессы перечитают его сами. Перезапустите процессы сайта и воркер (кэш "
            "Django мог сохранить старые счётчики на несколько минут). rebuild_search_index не нужен."
        )

    def _confirmed(self, path: Path, target: str) -> bool:
        if not sys.stdin.isatty():
            return False
        answer = input(f"Заменить все данные в базе {target} копией {path}? Введите «yes»: ")
        return answer.strip().lower() == "yes"
