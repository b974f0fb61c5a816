"""`manage.py kpi_report --month YYYY-MM [--department SLUG]` — the dashboard's tables as text."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kruzhok.analytics import selectors
from kruzhok.catalog.models import Department


def render_table(table: selectors.Table) -> list[str]:
    """The table as aligned columns: text left, numbers right; an empty cell is «—»."""
    cells = [[value or "—" for value in row] for row in table.cells()]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in table.rows)
        for i in range(len(table.headers))
    ]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(table.headers)]

    def line(values: list[str]) -> str:
        parts = [
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    lines = [table.caption, "=" * len(table.caption), line(table.headers)]
    lines += [line(row) for row in cells] or [_("нет данных")]
    return lines


class Command(BaseCommand):
    help = "Print the KPI dashboard's figures for one month (the whole city, or one department's network)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--department", default="", help="department slug: only its network")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = selectors.month_period(options["month"])
        except selectors.PeriodError as error:
            raise CommandError(str(error)) from error
        department = None
        if options["department"]:
            department = Department.objects.filter(slug=options["department"]).first()
            if department is None:
                raise CommandError(_("Нет департамента «%(slug)s».") % {"slug": options["department"][:40]})
        scope = selectors.Scope(period=period, department=department)
        where = department.name if department else _("весь город")
        self.stdout.write(_("Показатели за %(month)s — %(where)s") % {"month": period.month, "where": where})
        for slug in selectors.TABLES:
            self.stdout.write("")
            for text in render_table(selectors.table(slug, scope)):
                self.stdout.write(text)
