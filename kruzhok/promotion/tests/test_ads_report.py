"""The advertiser's CSV: every day of the campaign, zeros included, a total, CTR; formula-safe;
the same from the admin (one campaign or several) and from `manage.py ad_report`."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kruzhok.analytics import collect
from kruzhok.catalog.tests import factories
from kruzhok.promotion.models import AdDailyStat

from .ad_factories import campaign

pytestmark = pytest.mark.django_db

HEADER = ["кампания", "рекламодатель", "erid", "дата", "показы", "переходы", "CTR, %"]


@pytest.fixture
def swimming():
    """Four days so far: 200/5, nothing, 50/0, and today 150/3 written plus 10 impressions and
    one click still in the buffer. Total: 410 impressions, 9 clicks, CTR 2.20 %."""
    today = timezone.localdate()
    ad = campaign(
        name='=HYPERLINK("http://evil.example")',
        advertiser=factories.organization(name="+Дельфин"),
        erid="2VtzqwAbC7x",
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=20),
    )
    AdDailyStat.objects.create(campaign=ad, day=today - timedelta(days=3), impressions=200, clicks=5)
    AdDailyStat.objects.create(campaign=ad, day=today - timedelta(days=1), impressions=50, clicks=0)
    AdDailyStat.objects.create(campaign=ad, day=today, impressions=150, clicks=3)
    AdDailyStat.objects.create(campaign=campaign(), day=today, impressions=7, clicks=7)  # someone else's
    for _ in range(10):
        collect.record_ad(ad.pk, "impressions")
    collect.record_ad(ad.pk, "clicks")
    return ad


def rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def expected(ad) -> list[list[str]]:
    today = timezone.localdate()
    texts = ['\'=HYPERLINK("http://evil.example")', "'+Дельфин", "2VtzqwAbC7x"]
    return [
        HEADER,
        [*texts, (today - timedelta(days=3)).isoformat(), "200", "5", "2.50"],
        [*texts, (today - timedelta(days=2)).isoformat(), "0", "0", ""],
        [*texts, (today - timedelta(days=1)).isoformat(), "50", "0", "0.00"],
        [*texts, today.isoformat(), "160", "4", "2.50"],
        [*texts, "итого", "410", "9", "2.20"],
    ]


def test_report_from_the_change_page_matches_hand_counts(admin_client, swimming):
    response = admin_client.get(f"/admin/promotion/adcampaign/{swimming.pk}/report.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="ad-campaign-{swimming.pk}.csv"' in response["Content-Disposition"]
    assert rows(response.content) == expected(swimming)
    assert b"\r\n" in response.content


def test_report_can_be_narrowed_to_days_and_ignores_bad_dates(admin_client, swimming):
    today = timezone.localdate()
    url = f"/admin/promotion/adcampaign/{swimming.pk}/report.csv"
    got = rows(admin_client.get(url, {"from": (today - timedelta(days=1)).isoformat(), "to": "junk"}).content)
    assert [r[3:] for r in got[1:]] == [
        [(today - timedelta(days=1)).isoformat(), "50", "0", "0.00"],
        [today.isoformat(), "160", "4", "2.50"],
        ["итого", "210", "4", "1.90"],
    ]


def test_admin_action_reports_each_selected_campaign(admin_client, swimming):
    other = campaign(name="Шахматы", starts_on=timezone.localdate(), erid="OTHER1")
    response = admin_client.post(
        "/admin/promotion/adcampaign/",
        {"action": "download_report", "_selected_action": [swimming.pk, other.pk]},
    )
    assert response.status_code == 200
    got = rows(response.content)
    assert got[: len(expected(swimming))] == expected(swimming)
    assert [r[2:] for r in got[len(expected(swimming)) :]] == [
        ["OTHER1", timezone.localdate().isoformat(), "0", "0", ""],
        ["OTHER1", "итого", "0", "0", ""],
    ]


def test_a_campaign_not_started_yet_has_only_a_total(admin_client):
    today = timezone.localdate()
    ad = campaign(starts_on=today + timedelta(days=2), ends_on=today + timedelta(days=5))
    got = rows(admin_client.get(f"/admin/promotion/adcampaign/{ad.pk}/report.csv").content)
    assert [r[3:] for r in got[1:]] == [["итого", "0", "0", ""]]


def test_unknown_campaign_report_is_404(admin_client):
    assert admin_client.get("/admin/promotion/adcampaign/999999/report.csv").status_code == 404


def test_management_command_prints_the_same(swimming, capsys):
    collect.flush()
    out = io.StringIO()
    call_command("ad_report", "--campaign", str(swimming.pk), stdout=out)
    assert rows(out.getvalue().encode()) == expected(swimming)


def test_management_command_refuses_unknown_campaign_and_bad_dates(db):
    with pytest.raises(CommandError):
        call_command("ad_report", "--campaign", "999999")
    ad = campaign()
    with pytest.raises(CommandError):
        call_command("ad_report", "--campaign", str(ad.pk), "--from", "yesterday")
