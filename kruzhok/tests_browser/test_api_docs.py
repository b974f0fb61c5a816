"""The API docs page (/api/v1/docs) in Debian's chromium on a phone (390 px) and a desktop
(1280 px): Swagger UI drawn from our own static files (every request outside the live server is
aborted, so a CDN would show), every operation listed, no console or CSP errors, a request made
from the page itself, and the site's footer link to it. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from kruzhok.catalog.tests import factories
from kruzhok.tests_browser.test_pages import ARTIFACTS, screenshot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
OPERATIONS = 12


@pytest.fixture
def docs_data(settings):
    settings.MAP_TILE_URL = ""
    cache.clear()
    factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"])


@pytest.fixture
def browser(docs_data, chromium):
    return chromium


def _open(browser, live_server, path: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="ru-RU")
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
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    response = page.goto(live_server.url + path, wait_until="load")
    return context, page, response, errors, outside


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_docs_page_draws_every_operation_from_our_own_files(browser, live_server, viewport_name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context, page, response, errors, outside = _open(
        browser, live_server, "/api/v1/docs", VIEWPORTS[viewport_name]
    )
    try:
        assert response is not None and response.status == 200
        page.locator(".opblock").nth(OPERATIONS - 1).wait_for(timeout=20_000)
        assert page.locator(".opblock").count() == OPERATIONS
        assert page.locator(".info .title").inner_text().startswith("Кружок API")
        screenshot(page, path=str(ARTIFACTS / f"api-docs-{viewport_name}.png"), full_page=True)
        screenshot(page, path=str(ARTIFACTS / f"api-docs-{viewport_name}-first-screen.png"))
        assert errors == [] and outside == []
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, overflow
        # Our own bar (back to the site, the schema) passes axe; Swagger UI itself is not ours.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
        result = page.evaluate("async () => await axe.run('.api-docs-header', {resultTypes: ['violations']})")
        assert [v["id"] for v in result["violations"] if v.get("impact") in ("serious", "critical")] == []
    finally:
        context.close()


def test_try_it_out_calls_the_api_from_the_page(browser, live_server):
    context, page, _response, errors, outside = _open(
        browser, live_server, "/api/v1/docs", VIEWPORTS["desktop"]
    )
    try:
        block = page.locator("#operations-catalog-directions")
        block.locator(".opblock-summary").click()
        block.get_by_role("button", name="Try it out").click()
        block.get_by_role("button", name="Execute").click()
        status = block.locator(".live-responses-table .response .response-col_status").first
        status.wait_for(timeout=20_000)
        assert status.inner_text().strip() == "200"
        assert "technical" in block.locator(".live-responses-table .microlight").first.inner_text()
        screenshot(page, path=str(ARTIFACTS / "api-docs-try-it-out-desktop.png"), full_page=False)
        assert errors == [] and outside == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_the_site_footer_links_to_the_api_docs(browser, live_server, viewport_name):
    context, page, response, errors, _outside = _open(browser, live_server, "/", VIEWPORTS[viewport_name])
    try:
        link = page.locator(".site-footer").get_by_role("link", name="API", exact=True)
        link.scroll_into_view_if_needed()
        screenshot(page.locator(".site-footer"), path=str(ARTIFACTS / f"footer-api-{viewport_name}.png"))
        assert link.get_attribute("href") == "/api/v1/docs"
        link.click()
        page.wait_for_url("**/api/v1/docs")
        assert errors == []
    finally:
        context.close()
