"""The ad slot on /search/ and on the direction, category and okrug pages: labelled as the law
asks, one at most, outside the organic list (whose order it never changes), counted for people."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from kruzhok.analytics import collect
from kruzhok.catalog.tests import factories
from kruzhok.promotion.models import AdDailyStat

from .ad_factories import campaign

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"}
HTMX = {"HTTP_HX_REQUEST": "true", **BROWSER}
AD_BLOCK = re.compile(r'<div class="ad-slot" id="ad-slot"[^>]*>(.*?)</div>', re.S)


@pytest.fixture
def catalog():
    kirovsky = factories.okrug_row("Кировский")
    org = factories.organization(name="Дворец творчества «Сибирь»")
    venue = factories.venue(org, district=kirovsky)
    return [
        factories.activity(
            organization=org, venue=venue, title=f"Футбол для начинающих {n}", categories=["football"]
        )
        for n in range(4)
    ] + [factories.activity(organization=org, venue=venue, title="Шахматы", categories=["chess"])]


def impressions() -> int:
    return sum(collect.pending_ad_impressions(timezone.localdate()).values())


def card_ids(html: str) -> list[str]:
    return re.findall(r'<article class="card" data-id="(\d+)"', html)


def list_links(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="([^"]+)"', html)


def slot(html: str) -> str:
    found = AD_BLOCK.findall(html)
    assert len(found) == 1, "exactly one ad slot on the page"
    return found[0]


def test_search_page_shows_the_ad_with_label_advertiser_and_erid(client, catalog):
    ad = campaign(erid="2VtzqxYz7Kp", text="Бассейн «Дельфин»: первое занятие бесплатно")
    html = client.get("/search/", {"q": "футбол"}, **BROWSER).content.decode()
    shown = slot(html)
    assert "Реклама" in shown
    assert ad.advertiser.name.replace("«", "&laquo;") in shown or ad.advertiser.name in shown
    assert "erid: 2VtzqxYz7Kp" in shown
    assert "Бассейн «Дельфин»" in shown
    link = re.search(r'<a class="ad-body" href="([^"]+)" rel="sponsored noopener">', shown)
    assert link and link.group(1).startswith(f"/ads/{ad.pk}/click/?t=")
    # Beside the results, not inside them.
    results = html.split('<section id="results"', 1)[1].split("</section>", 1)[0]
    assert "ad-slot" not in results and "Реклама" not in results


def test_ad_text_and_names_are_escaped(client, catalog):
    campaign(text="<script>alert(1)</script>", advertiser=factories.organization(name="<b>Хакер</b>"))
    html = client.get("/search/", **BROWSER).content.decode()
    assert "<script>alert(1)" not in html and "<b>Хакер" not in html
    assert "&lt;script&gt;" in slot(html)


def test_never_two_ads_on_a_page(client, catalog):
    campaign()
    campaign()
    campaign(categories=("football",))
    html = client.get("/search/", {"category": "football"}, **BROWSER).content.decode()
    assert html.count('<section class="ad"') == 1
    assert html.count("erid:") == 1
    assert impressions() == 1


def test_no_ad_leaves_an_empty_slot(client, catalog):
    campaign(categories=("chess",))
    html = client.get("/search/", {"category": "football"}, **BROWSER).content.decode()
    assert slot(html) == ""
    assert impressions() == 0


def test_organic_order_is_the_same_with_and_without_ads(client, catalog):
    without = card_ids(client.get("/search/", {"q": "футбол"}, **BROWSER).content.decode())
    page_without = list_links(client.get("/categories/football/", **BROWSER).content.decode())
    cache.clear()
    campaign()
    campaign(categories=("football",), advertiser=catalog[0].organization)
    html = client.get("/search/", {"q": "футбол"}, **BROWSER).content.decode()
    category_html = client.get("/categories/football/", **BROWSER).content.decode()
    assert 'class="ad"' in html and 'class="ad"' in category_html
    assert card_ids(html) == without and len(without) == 4
    assert list_links(category_html) == page_without and len(page_without) == 4


def test_cached_results_still_get_an_ad_chosen_for_each_request(client, catalog):
    ad = campaign(daily_impression_cap=2)
    for _ in range(2):
        assert "erid:" in client.get("/search/", {"q": "футбол"}, **BROWSER).content.decode()
    # The results column comes from the cache now; the slot does not.
    assert "erid:" not in client.get("/search/", {"q": "футбол"}, **BROWSER).content.decode()
    assert collect.pending_ad_impressions(timezone.localdate())[ad.pk] == 2


def test_live_update_sends_the_ad_out_of_band(client, catalog):
    campaign(categories=("football",))
    html = client.get("/search/", {"category": "football"}, **HTMX).content.decode()
    assert '<div class="ad-slot" id="ad-slot" hx-swap-oob="true">' in html
    assert "erid:" in html
    # A live update to a page the campaign does not target empties the slot.
    html = client.get("/search/", {"category": "chess"}, **HTMX).content.decode()
    assert '<div class="ad-slot" id="ad-slot" hx-swap-oob="true"></div>' in html


def test_live_update_keeps_the_ad_already_shown_and_does_not_count_it_again(client, catalog):
    ad = campaign(categories=("football",))
    shown = {"HTTP_X_AD_SHOWN": str(ad.pk), **HTMX}
    html = client.get("/search/", {"category": "football", "age": "9"}, **shown).content.decode()
    assert 'id="ad-slot"' not in html  # the slot on the page stays as it is
    assert impressions() == 0
    other = {"HTTP_X_AD_SHOWN": str(ad.pk + 1000), **HTMX}
    html = client.get("/search/", {"category": "football", "age": "10"}, **other).content.decode()
    assert f'data-ad="{ad.pk}"' in html
    assert impressions() == 1
    # The same page to a visitor who says the slot is empty now: empty it.
    html = client.get("/search/", {"category": "chess"}, **shown).content.decode()
    assert '<div class="ad-slot" id="ad-slot" hx-swap-oob="true"></div>' in html


def test_impressions_are_counted_for_people_only(client, catalog):
    ad = campaign()
    client.get("/search/", **BROWSER)
    client.get("/search/", HTTP_USER_AGENT="Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)")
    client.get("/search/", HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)")
    client.get("/search/")  # no browser string: a script
    client.get("/search/", HTTP_SEC_PURPOSE="prefetch", **BROWSER)
    client.head("/search/", **BROWSER)
    client.get("/categories/football/", HTTP_USER_AGENT="curl/8.5.0 (x86_64-pc-linux-gnu)")
    assert collect.pending_ad_impressions(timezone.localdate()) == {ad.pk: 1}
    collect.flush()
    stat = AdDailyStat.objects.get(campaign=ad)
    assert (stat.day, stat.impressions, stat.clicks) == (timezone.localdate(), 1, 0)


@pytest.mark.parametrize(
    ("targeting", "path"),
    [
        ({"categories": ("football",)}, "/categories/football/"),
        ({"directions": ("sport",)}, "/categories/football/"),
        ({"directions": ("sport",)}, "/directions/sport/"),
        ({"okrugs": ("Кировский",)}, "district"),
    ],
)
def test_list_pages_show_a_targeted_ad(client, catalog, targeting, path):
    if path == "district":
        path = f"/districts/{factories.okrug_row('Кировский').slug}/"
    campaign(**targeting)
    html = client.get(path, **BROWSER).content.decode()
    assert html.count('<section class="ad"') == 1
    assert impressions() == 1


@pytest.mark.parametrize(
    ("targeting", "path"),
    [
        ({"categories": ("football",)}, "/directions/sport/"),
        ({"categories": ("chess",)}, "/categories/football/"),
        ({"okrugs": ("Кировский",)}, "/categories/football/"),
        ({"age_min": 5, "age_max": 9}, "/directions/sport/"),
    ],
)
def test_list_pages_do_not_show_an_ad_aimed_elsewhere(client, catalog, targeting, path):
    campaign(**targeting)
    html = client.get(path, **BROWSER).content.decode()
    assert slot(html) == ""


def test_organization_page_has_no_ad_slot(client, catalog):
    campaign()
    html = client.get(catalog[0].organization.get_absolute_url(), **BROWSER).content.decode()
    assert "ad-slot" not in html


def test_english_pages_keep_the_russian_word_the_law_asks_for(client, catalog):
    campaign(erid="2VtzqxYz7Kp")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    shown = slot(client.get("/search/", **BROWSER).content.decode())
    assert "Advertisement («Реклама»)" in shown and "erid: 2VtzqxYz7Kp" in shown
