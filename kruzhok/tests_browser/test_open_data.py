"""/data/ and an activity page in Debian's chromium at 390 and 1280 px: screenshots into
test-artifacts/, no console or CSP errors (the JSON-LD block is data, not script), no sideways
scrolling, axe-core clean, the structured data readable by the page, a download that arrives."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from kruzhok.catalog.models import Department
from kruzhok.catalog.tests import factories
from kruzhok.tests_browser.test_pages import ARTIFACTS, screenshot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def published(settings):
    settings.MAP_TILE_URL = ""
    cache.clear()
    kirovsky = factories.okrug_row("Кировский")
    org = factories.organization(
        name="Дворец творчества «Сибирь»",
        department=Department.objects.get(slug="education"),
        phone="+7 (3812) 55-12-34",
        website="https://sibir.example/",
    )
    venue = factories.venue(org, address="проспект Карла Маркса, 12", district=kirovsky)
    chess = factories.activity(
        organization=org,
        venue=venue,
        title="Шахматная школа «Ладья»",
        categories=["chess"],
        price_rub=2500,
        slots=[(0, "15:00", "16:30"), (3, "17:00", "18:30")],
    )
    for title in ("Робототехника на Lego", "Акварель и графика"):
        factories.activity(organization=org, venue=venue, title=title)
    call_command("export_open_data", verbosity=0)
    yield {"activity": chess}
    cache.clear()


@pytest.fixture
def browser(published, chromium):
    return chromium


def _open(browser, live_server, path: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="ru-RU", accept_downloads=True)
    outside: list[str] = []

    def only_live_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A CSP violation (an inline script or style) is a console error.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    response = page.goto(live_server.url + path, wait_until="load")
    return context, page, response, errors, outside


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_data_page_and_activity_page_render_cleanly(browser, live_server, published, viewport_name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = {"open-data": "/data/", "activity-seo": published["activity"].get_absolute_url()}
    problems = []
    for name, path in pages.items():
        context, page, response, errors, outside = _open(browser, live_server, path, VIEWPORTS[viewport_name])
        try:
            assert response is not None and response.status == 200
            screenshot(page, path=str(ARTIFACTS / f"{name}-{viewport_name}.png"), full_page=True)
            assert errors == [], (name, errors)
            assert outside == [], (name, outside)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (name, viewport_name, overflow)
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            bad = [v["id"] for v in result["violations"] if v.get("impact") in ("serious", "critical")]
            if bad:
                problems.append(f"{name} ({viewport_name}): {bad}")
            blocks = page.locator('script[type="application/ld+json"]')
            assert blocks.count() == 1
            data = json.loads(blocks.text_content() or "")
            assert data["@type"] == ("Dataset" if name == "open-data" else "Course")
            if name == "open-data":
                assert page.get_by_role("link", name="Скачать CSV").is_visible()
                with page.expect_download() as download:
                    page.get_by_role("link", name="Скачать CSV").click()
                assert download.value.suggested_filename == "kruzhok-catalog.csv"
            else:
                assert (
                    page.locator('meta[property="og:title"]').get_attribute("content")
                    == "Шахматная школа «Ладья»"
                )
        finally:
            context.close()
    assert not problems, "\n".join(problems)
