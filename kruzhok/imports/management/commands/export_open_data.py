"""`manage.py export_open_data [--dir DIR]` — regenerates the open data files served at /data/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kruzhok.imports.open_data import open_data_dir, open_data_generate


class Command(BaseCommand):
    help = (
        "Write the public catalog as CSV, XLSX and JSON (plus manifest.json) into OPEN_DATA_DIR, "
        "replacing the old files atomically."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", default=None, help="output directory (default: the OPEN_DATA_DIR setting)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"]) if options["dir"] else open_data_dir()
        verbose = options["verbosity"] > 0
        try:
            result = open_data_generate(
                directory=directory,
                progress=(lambda rows: self.stderr.write(_("записано строк: %(rows)s…") % {"rows": rows}))
                if verbose
                else None,
            )
        except OSError as exc:
            raise CommandError(
                _(
                    "не удаётся записать в %(path)s: %(reason)s. Проверьте, что каталог существует и доступен на запись."
                )
                % {"path": exc.filename or directory, "reason": exc.strerror or exc}
            ) from exc
        if not verbose:
            return
        for item in result.files:
            self.stdout.write(
                f"  {result.directory / item.name}: {filesizeformat(item.bytes)}, sha256 {item.sha256[:16]}…"
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Открытые данные обновлены: %(rows)s занятий в %(files)s файлах за %(seconds).1f с.")
                % {"rows": result.rows, "files": len(result.files), "seconds": result.seconds}
            )
        )
