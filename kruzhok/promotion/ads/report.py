"""The advertiser's report: impressions, clicks and CTR of a campaign by day, with a total.

CSV in UTF-8 with a BOM (Russian Excel opens it right) and every text cell formula-safe, like
the catalog export (kruzhok.imports.export)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TextIO

from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.core.spreadsheet import excel_csv_writer
from kruzhok.imports.export import escape_formula
from kruzhok.promotion.models import AdCampaign, AdDailyStat


@dataclass(frozen=True)
class DayRow:
    day: date | None  # None: the total
    impressions: int
    clicks: int

    @property
    def ctr(self) -> str:
        """Clicks per hundred impressions, two decimals; empty without impressions."""
        return f"{self.clicks * 100 / self.impressions:.2f}" if self.impressions else ""


def campaign_days(
    campaign: AdCampaign, *, start: date | None = None, end: date | None = None
) -> list[DayRow]:
    """Every day from `start` (default: the campaign's first) to `end` (default: its last, or
    today if it is still running), zeros included, then the total row."""
    start = max(start or campaign.starts_on, campaign.starts_on)
    end = min(end or campaign.ends_on, campaign.ends_on, timezone.localdate())
    stats = {
        day: (impressions, clicks)
        for day, impressions, clicks in AdDailyStat.objects.filter(
            campaign=campaign, day__gte=start, day__lte=end
        ).values_list("day", "impressions", "clicks")
    }
    rows = []
    day = start
    while day <= end:
        impressions, clicks = stats.get(day, (0, 0))
        rows.append(DayRow(day, impressions, clicks))
        day += timedelta(days=1)
    rows.append(DayRow(None, sum(r.impressions for r in rows), sum(r.clicks for r in rows)))
    return rows


def header() -> list[str]:
    return [_("кампания"), _("рекламодатель"), "erid", _("дата"), _("показы"), _("переходы"), "CTR, %"]


def write_csv(
    handle: TextIO, campaigns: Iterable[AdCampaign], *, start: date | None = None, end: date | None = None
) -> None:
    writer = excel_csv_writer(handle)
    writer.writerow(header())
    for campaign in campaigns:
        texts = [escape_formula(v) for v in (campaign.name, campaign.advertiser.name, campaign.erid)]
        for row in campaign_days(campaign, start=start, end=end):
            label = row.day.isoformat() if row.day else _("итого")
            writer.writerow([*texts, label, row.impressions, row.clicks, row.ctr])
