"""/ads/<id>/click/: a genuine link counts one click and leads to the advertiser; a forged,
stale or dead one never counts and never fails with a 500."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.utils import timezone

from kruzhok.analytics import collect
from kruzhok.promotion.ads import views
from kruzhok.promotion.models import AdDailyStat

from .ad_factories import campaign

pytestmark = pytest.mark.django_db

BROWSER = {
    "HTTP_USER_AGENT": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15"
}


def clicks() -> dict[int, int]:
    collect.flush()
    return {s.campaign_id: s.clicks for s in AdDailyStat.objects.all()}


def test_click_counts_and_redirects_to_the_advertiser(client):
    ad = campaign(link="https://delfin.example/nabor?utm_source=kruzhok")
    response = client.get(views.click_url(ad.pk), **BROWSER)
    assert response.status_code == 302
    assert response["Location"] == "https://delfin.example/nabor?utm_source=kruzhok"
    assert clicks() == {ad.pk: 1}
    assert AdDailyStat.objects.get(campaign=ad).impressions == 0


def test_the_link_on_the_page_is_the_one_that_counts(client):
    ad = campaign()
    html = client.get("/search/", **BROWSER).content.decode()
    href = html.split('class="ad-body" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert client.get(href, **BROWSER).status_code == 302
    assert clicks() == {ad.pk: 1}


def test_robots_and_head_requests_are_not_counted_but_still_redirected(client):
    ad = campaign()
    url = views.click_url(ad.pk)
    assert client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (compatible; bingbot/2.0)").status_code == 302
    assert client.get(url).status_code == 302
    assert client.head(url, **BROWSER).status_code == 302
    assert clicks() == {}


def test_a_token_for_one_campaign_does_not_count_for_another(client):
    mine, other = campaign(), campaign()
    token = views.click_token(mine.pk)
    response = client.get(f"/ads/{other.pk}/click/?t={token}", **BROWSER)
    assert response.status_code == 404
    assert "повреждена" in response.content.decode()
    assert clicks() == {}


@pytest.mark.parametrize(
    "forge",
    [
        lambda pk: "",
        lambda pk: str(pk),
        lambda pk: f"{pk}:garbage:garbage",
        lambda pk: "<script>alert(1)</script>",
        lambda pk: "x" * 5000,
        lambda pk: signing.TimestampSigner(salt="another.salt").sign(str(pk)),
        lambda pk: signing.TimestampSigner(
            key="not-our-secret-key-0123456789abcdef", salt=views.CLICK_SALT
        ).sign(str(pk)),
        lambda pk: signing.Signer(salt=views.CLICK_SALT).sign(str(pk)),  # no timestamp
    ],
)
def test_forged_tokens_are_refused_with_a_russian_404(client, forge):
    ad = campaign()
    response = client.get(f"/ads/{ad.pk}/click/", {"t": forge(ad.pk)}, **BROWSER)
    assert response.status_code == 404
    assert "Объявление недоступно" in response.content.decode()
    assert clicks() == {}


def test_an_expired_token_still_leads_to_the_advertiser_uncounted(client):
    ad = campaign()
    url = views.click_url(ad.pk)
    later = timezone.now() + timedelta(seconds=views.CLICK_TOKEN_MAX_AGE + 60)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = client.get(url, **BROWSER)
    assert response.status_code == 302 and response["Location"] == ad.link
    assert clicks() == {}


@pytest.mark.parametrize("change", [{"is_active": False}, "ended", "unknown"])
def test_dead_or_unknown_campaigns_answer_404_with_a_message(client, change):
    ad = campaign()
    url = views.click_url(ad.pk)
    if change == "ended":
        ad.starts_on = ad.ends_on = timezone.localdate() - timedelta(days=1)
        ad.save()
    elif change == "unknown":
        url = views.click_url(ad.pk + 1000)
    else:
        ad.is_active = False
        ad.save()
    response = client.get(url, **BROWSER)
    assert response.status_code == 404
    assert "больше не показывается" in response.content.decode()
    assert clicks() == {}


def test_click_accepts_no_post(client):
    ad = campaign()
    assert client.post(views.click_url(ad.pk), **BROWSER).status_code == 405


def test_robots_txt_keeps_crawlers_away_from_ad_links(client):
    assert "Disallow: /ads/\n" in client.get("/robots.txt").content.decode()
