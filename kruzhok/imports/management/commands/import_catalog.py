"""`manage.py import_catalog PATH [--dry-run] [--source NAME]` — the format is in DESIGN.md."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from kruzhok.imports.services import DEFAULT_SOURCE, catalog_import


class Command(BaseCommand):
    help = "Import activities from a CSV, XLSX or JSON catalog file; nothing is written if any row is wrong."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="catalog file: .csv (UTF-8 or Windows-1251), .xlsx or .json")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument(
            "--source",
            default=DEFAULT_SOURCE,
            help="name of the data source; re-imports match activities by (source, external_id)",
        )
        parser.add_argument(
            "--lang",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the report (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        def progress(message: str) -> None:
            self.stderr.write(message)

        report = catalog_import(
            path_or_file=options["path"],
            source=options["source"],
            dry_run=options["dry_run"],
            progress=progress,
        )
        if not report.ok:
            for line in report.lines()[:-1]:
                self.stderr.write(line)
            raise CommandError(report.summary(), returncode=1)
        for warning in report.lines()[:-1]:
            self.stderr.write(_("предупреждение: %(line)s") % {"line": warning})
        self.stdout.write(self.style.SUCCESS(report.summary()))
        self.stderr.write(_("время: %(s).1f с") % {"s": report.seconds})
