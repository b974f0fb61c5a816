"""/dashboard/ with a month of data in Debian's chromium at 390 and 1280 px: the editor's city
view and a department's network view. Screenshots into test-artifacts/; no console or CSP errors
(the charts are inline SVG styled from site.css only); no sideways scrolling; axe-core finds
nothing at all (any impact); the charts keep their text legible on a phone.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from kruzhok.accounts.tests import factories as people  # noqa: E402
from kruzhok.analytics.models import DailyQuery, DailyTraffic  # noqa: E402
from kruzhok.analytics.tests import kpi_city  # noqa: E402
from kruzhok.tests_browser.test_pages import ARTIFACTS, AXE_JS, _describe, _open, screenshot  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def city(settings):
    settings.MAP_TILE_URL = ""
    cache.clear()
    built = kpi_city.build()
    # A whole month of traffic with a weekly rhythm, and more searches, so the charts have shape.
    for n in range(31):
        day = date(2026, 10, 1) + timedelta(days=n)
        views = 380 + 45 * (n % 7) + 6 * n
        DailyTraffic.objects.update_or_create(
            day=day,
            defaults={
                "page_views": views,
                "visitors": views // 3,
                "searches": views // 4,
                "zero_result_searches": 5 + n % 5,
            },
        )
    for n, query in enumerate(
        ["шахматы для дошкольников", "плавание Левобережье", "3D-моделирование", "ушу"]
    ):
        DailyQuery.objects.create(
            day=date(2026, 10, 20), query=query, searches=30 - 5 * n, zero_results=20 - 5 * n
        )
    people.enrol_totp(built.users["editor"])
    yield built
    cache.clear()


@pytest.fixture
def browser(city, chromium):
    return chromium


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _all_violations(page) -> list[dict]:
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")["violations"]


@pytest.mark.parametrize("viewport_name", list(WIDTHS))
@pytest.mark.parametrize("who", ["editor", "member_a"])
def test_dashboard_with_data_is_readable_and_axe_clean(browser, live_server, city, viewport_name, who):
    viewport = WIDTHS[viewport_name]
    cookie = _session(city.users[who])
    context, page, response, errors, outside = _open(browser, live_server, "/", viewport)
    try:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        response = page.goto(f"{live_server.url}/dashboard/?month={kpi_city.MONTH}", wait_until="load")
        assert response.status == 200
        assert page.get_by_role("heading", name="Показатели", exact=True).is_visible()
        if who == "editor":
            assert page.get_by_label("Департамент", exact=True).is_visible()
        else:
            assert page.get_by_text("Департамент образования").first.is_visible()
            assert page.get_by_text("Управление культуры").count() == 0

        charts = page.locator("svg.chart")
        assert charts.count() >= 10
        # A chart's name is its <title>: screen readers announce it.
        assert page.get_by_role("img", name="Запросы без результатов — что добавить в каталог").is_visible()
        # Legible on a phone: the smallest chart text is drawn at least 10 px high.
        smallest = page.evaluate(
            "() => Math.min(...[...document.querySelectorAll('svg.chart text')].map(t => t.getBoundingClientRect().height))"
        )
        assert smallest >= 10, smallest

        # A table opens from its summary, and its CSV link keeps the period.
        page.get_by_text("Таблица: Частые запросы").click()
        assert page.get_by_role("cell", name="8", exact=True).first.is_visible()
        href = page.get_by_role("link", name="Скачать CSV: Частые запросы").get_attribute("href")
        assert href == "/dashboard/queries.csv?month=2026-10" + (
            "&department=education" if who != "editor" else ""
        )

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screenshot(page, path=str(ARTIFACTS / f"dashboard-{who}-{viewport_name}.png"), full_page=True)
        screenshot(
            page.locator("#kpi-traffic"), path=str(ARTIFACTS / f"dashboard-{who}-traffic-{viewport_name}.png")
        )
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, overflow
        violations = _all_violations(page)
        assert not violations, _describe(violations)
        assert not errors, errors
        assert not outside, outside
    finally:
        context.close()


@pytest.mark.parametrize("viewport_name", list(WIDTHS))
def test_city_offer_form_is_axe_clean(browser, live_server, city, viewport_name):
    viewport = WIDTHS[viewport_name]
    cookie = _session(city.users["editor"])
    context, page, _response, errors, _outside = _open(browser, live_server, "/", viewport)
    try:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page.goto(f"{live_server.url}/dashboard/targets/", wait_until="load")
        page.get_by_label("Техническая, Кировский").fill("-3")
        page.get_by_role("button", name="Сохранить").click()
        page.wait_for_load_state("load")
        assert page.get_by_text("Число не может быть отрицательным.").is_visible()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screenshot(page, path=str(ARTIFACTS / f"dashboard-targets-{viewport_name}.png"), full_page=True)
        violations = _all_violations(page)
        assert not violations, _describe(violations)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, overflow
        assert not [e for e in errors if "status of 400" not in e], errors
    finally:
        context.close()
