"""The ad slot in Debian's chromium at 390 and 1280 px: labelled, beside the results, axe-clean,
no CSP errors, no sideways scrolling; a live filter change swaps it out of band; its link leads
through the counted redirect to the advertiser; it works without JavaScript."""

from __future__ import annotations

import io
import os

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from kruzhok.analytics import collect
from kruzhok.catalog.models import Department
from kruzhok.catalog.tests import factories
from kruzhok.promotion.tests.ad_factories import campaign
from kruzhok.tests_browser.test_pages import ARTIFACTS, AXE_JS, BLOCKING_IMPACTS, _describe, screenshot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
# A person's browser: Playwright's own «HeadlessChrome» is (rightly) a robot to the counters.
PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def _png() -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", (160, 160), (255, 214, 102))
    for x in range(40, 120):
        for y in range(40, 120):
            picture.putpixel((x, y), (15, 107, 99))
    picture.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def advertised(settings, tmp_path):
    settings.MAP_TILE_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    kirovsky = factories.okrug_row("Кировский")
    org = factories.organization(
        name="Дворец творчества «Сибирь»", department=Department.objects.get(slug="education")
    )
    venue = factories.venue(org, address="улица Лукашевича, 14", district=kirovsky)
    for title, category in [
        ("Шахматная школа «Ладья»", "chess"),
        ("Шахматы для малышей", "chess"),
        ("Футбольная секция «Старт»", "football"),
    ]:
        factories.activity(organization=org, venue=venue, title=title, categories=[category])
    ad = campaign(
        advertiser=factories.organization(name="Шахматный клуб «Гамбит»"),
        text="Турнир для начинающих в субботу: запись открыта, первое занятие бесплатно.",
        link="https://gambit.example/turnir",
        erid="2VtzqwAbC7xKp",
        categories=("chess",),
    )
    ad.image.save("gambit.png", ContentFile(_png()), save=False)
    ad.image_width = ad.image_height = 160
    ad.save()
    yield ad
    cache.clear()


@pytest.fixture
def browser(advertised, chromium):
    return chromium


def _open(browser, live_server, path: str, viewport: dict, *, javascript: bool = True):
    context = browser.new_context(
        viewport=viewport, locale="ru-RU", user_agent=PERSON, java_script_enabled=javascript
    )
    outside: list[str] = []

    def only_live_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_live_server)
    # Uploaded files are served by the web server in production, not by the test server.
    context.route("**/media/ads/**", lambda route: route.fulfill(body=_png(), content_type="image/png"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    response = page.goto(live_server.url + path, wait_until="load")
    return context, page, response, errors, outside


def _axe(page) -> list[dict]:
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_search_page_with_an_ad(browser, live_server, advertised, viewport_name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context, page, response, errors, outside = _open(
        browser, live_server, "/search/?category=chess", VIEWPORTS[viewport_name]
    )
    try:
        assert response is not None and response.status == 200
        ad = page.locator("#ad-slot .ad")
        assert ad.count() == 1 and ad.is_visible()
        assert page.locator("#results .ad").count() == 0
        label = page.locator(".ad-label").inner_text()
        assert "Реклама" in label and "Шахматный клуб «Гамбит»" in label
        assert page.locator(".ad-erid").inner_text() == "erid: 2VtzqwAbC7xKp"
        assert page.locator(".ad-image").get_attribute("alt") == "Шахматный клуб «Гамбит»"
        assert page.locator(".ad-body").get_attribute("rel") == "sponsored noopener"
        page.locator("#ad-slot").scroll_into_view_if_needed()
        screenshot(page, path=str(ARTIFACTS / f"ads-search-{viewport_name}.png"), full_page=True)
        screenshot(page.locator("#ad-slot"), path=str(ARTIFACTS / f"ads-slot-{viewport_name}.png"))
        assert errors == [] and outside == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        violations = _axe(page)
        assert not violations, _describe(violations)
        assert collect.pending_ad_impressions(timezone.localdate()) == {advertised.pk: 1}
    finally:
        context.close()


def test_live_filter_change_swaps_the_slot_and_the_click_reaches_the_advertiser(
    browser, live_server, advertised
):
    context, page, _response, errors, outside = _open(
        browser, live_server, "/search/?category=chess", VIEWPORTS["desktop"]
    )
    try:
        assert page.locator("#ad-slot .ad").count() == 1
        with page.expect_response(
            lambda r: "/search/" in r.url and r.request.headers.get("hx-request") == "true"
        ):
            page.select_option("#id_category", "football")
        page.wait_for_function("() => document.querySelector('#ad-slot .ad') === null")
        assert page.locator("#ad-slot").count() == 1
        with page.expect_response(
            lambda r: "/search/" in r.url and r.request.headers.get("hx-request") == "true"
        ):
            page.select_option("#id_category", "chess")
        page.wait_for_selector("#ad-slot .ad")
        assert page.locator(".ad").count() == 1
        # A change that keeps the same ad leaves the slot alone: not shown, not counted, again.
        with page.expect_response(
            lambda r: "/search/" in r.url and r.request.headers.get("hx-request") == "true"
        ):
            page.fill("#id_age", "9")
        page.wait_for_function("() => !document.querySelector('#results[aria-busy]')")
        assert page.locator(".ad").count() == 1
        assert errors == [] and outside == []
        with page.expect_response(lambda r: "/click/" in r.url) as clicked:
            page.locator(".ad-body").click(no_wait_after=True)
        assert clicked.value.status == 302
        assert clicked.value.headers["location"] == "https://gambit.example/turnir"
        counted = collect.pending_ad_impressions(timezone.localdate())
        assert counted == {advertised.pk: 2}  # the first page and the live update that brought it back
        collect.flush()
        stat = advertised.stats.get()
        assert (stat.impressions, stat.clicks) == (2, 1)
    finally:
        context.close()


def test_category_page_ad_without_javascript(browser, live_server, advertised):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context, page, response, errors, _outside = _open(
        browser, live_server, "/categories/chess/", VIEWPORTS["phone"], javascript=False
    )
    try:
        assert response is not None and response.status == 200
        assert page.locator(".ad").count() == 1
        screenshot(page, path=str(ARTIFACTS / "ads-category-phone.png"), full_page=True)
        href = page.locator(".ad-body").get_attribute("href")
        assert href and href.startswith(f"/ads/{advertised.pk}/click/?t=")
    finally:
        context.close()
