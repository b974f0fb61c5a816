"""`manage.py export_catalog PATH` — writes the import format; the extension picks CSV, XLSX or JSON."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kruzhok.imports.export import ExportFormatError, catalog_export


class Command(BaseCommand):
    help = "Export the catalog in the import format (.csv UTF-8 with BOM, .xlsx or .json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="output file; .csv, .xlsx or .json")
        parser.add_argument("--source", default=None, help="only activities from this import source")
        parser.add_argument("--include-archived", action="store_true", help="also archived activities")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = catalog_export(
                path=options["path"],
                source=options["source"],
                include_archived=options["include_archived"],
                progress=lambda rows: self.stderr.write(_("записано строк: %(rows)s…") % {"rows": rows}),
            )
        except ExportFormatError as exc:
            raise CommandError(
                _("не знаю формат «%(ext)s»: имя файла должно оканчиваться на .csv, .xlsx или .json")
                % {"ext": str(exc) or options["path"]}
            ) from exc
        except OSError as exc:
            raise CommandError(
                _("не удаётся записать %(path)s: %(reason)s")
                % {"path": options["path"], "reason": exc.strerror}
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("%(path)s: записано строк: %(rows)s") % {"path": result.path, "rows": result.rows}
            )
        )
