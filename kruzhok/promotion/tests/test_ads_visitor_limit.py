"""One visitor cannot inflate an advertiser's figures or burn a rival's daily cap: at most one
click and ADS_IMPRESSIONS_PER_VISITOR impressions per campaign per day are counted for them
(the ad is still shown and the link still leads on); other visitors count as before."""

from __future__ import annotations

import pytest

from kruzhok.analytics import collect
from kruzhok.promotion.ads import views
from kruzhok.promotion.models import AdDailyStat
from kruzhok.search import views as search_views

from .ad_factories import campaign

pytestmark = pytest.mark.django_db

SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def stat(ad) -> tuple[int, int]:
    collect.flush()
    row = AdDailyStat.objects.filter(campaign=ad).first()
    return (row.impressions, row.clicks) if row else (0, 0)


def test_a_replayed_click_link_counts_once_but_still_redirects(client):
    ad = campaign()
    url = views.click_url(ad.pk)
    for _ in range(5):
        assert client.get(url, HTTP_USER_AGENT=SAFARI).status_code == 302
    assert stat(ad) == (0, 1)


def test_another_visitor_clicking_the_same_link_counts(client):
    ad = campaign()
    url = views.click_url(ad.pk)
    client.get(url, HTTP_USER_AGENT=SAFARI)
    client.get(url, HTTP_USER_AGENT=FIREFOX)
    client.get(url, HTTP_USER_AGENT=SAFARI, REMOTE_ADDR="203.0.113.7")
    assert stat(ad) == (0, 3)


def test_reloading_a_page_stops_counting_impressions_but_keeps_the_ad(client, settings):
    settings.ADS_IMPRESSIONS_PER_VISITOR = 3
    ad = campaign(daily_impression_cap=5)
    for _ in range(6):
        assert "erid:" in client.get("/search/", HTTP_USER_AGENT=SAFARI).content.decode()
    assert stat(ad) == (3, 0)
    # The rival's cap is not burnt: another visitor still sees (and counts) the ad.
    assert "erid:" in client.get("/search/", HTTP_USER_AGENT=FIREFOX).content.decode()
    assert stat(ad) == (4, 0)


def test_the_visitor_key_holds_no_address_or_browser_string(client):
    from django.core.cache import cache

    ad = campaign()
    client.get(views.click_url(ad.pk), HTTP_USER_AGENT=SAFARI, REMOTE_ADDR="198.51.100.23")
    keys = [str(k) for k in cache._cache]  # type: ignore[attr-defined]  # local-memory backend
    assert any(f"ads:clicks:{ad.pk}:" in k for k in keys)
    assert not any("198.51.100.23" in k or "Safari" in k for k in keys)


def test_a_failing_cache_lets_the_count_through(client, monkeypatch):
    ad = campaign()

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(views.cache, "add", broken)
    client.get(views.click_url(ad.pk), HTTP_USER_AGENT=SAFARI)
    assert stat(ad) == (0, 1)


def test_a_cached_page_without_the_slot_mark_counts_no_impression(client, monkeypatch):
    ad = campaign()
    real = search_views._page_parts

    def from_an_old_cache(*args, **kwargs):
        parts = real(*args, **kwargs)
        return {**parts, "content": str(parts["content"]).replace(search_views.AD_SLOT_MARK, "")}

    monkeypatch.setattr(search_views, "_page_parts", from_an_old_cache)
    response = client.get("/search/", HTTP_USER_AGENT=SAFARI)
    assert response.status_code == 200
    assert "erid:" not in response.content.decode()
    assert stat(ad) == (0, 0)
