"""`manage.py ad_report --campaign ID [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: the advertiser's
CSV (the same as the admin's download) on standard output."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kruzhok.promotion.ads import report
from kruzhok.promotion.models import AdCampaign


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Print an ad campaign's impressions, clicks and CTR by day, with a total, as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, required=True)
        parser.add_argument("--from", dest="start", type=_date)
        parser.add_argument("--to", dest="end", type=_date)

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = AdCampaign.objects.select_related("advertiser").filter(pk=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"no campaign {options['campaign']}")
        out = io.StringIO()
        report.write_csv(out, [campaign], start=options["start"], end=options["end"])
        self.stdout.write(out.getvalue(), ending="")
