"""The calendar in Debian's chromium: the month view and an event page on a phone (390 px) and a
desktop (1280 px), screenshots into test-artifacts/, no console or CSP errors, no sideways
scrolling, axe-core clean, and the venues' map drawn without tiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from kruzhok.catalog.tests import factories
from kruzhok.events.tests.factories import event
from kruzhok.tests_browser.test_pages import ARTIFACTS, screenshot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def calendar_data(settings):
    settings.MAP_TILE_URL = ""
    cache.clear()
    kirovsky = factories.okrug_row("Кировский")
    org = factories.organization(name="Дворец творчества «Сибирь»")
    # Not the factory's own «улица Лукашевича, N»: the activity factory makes one of those too.
    palace = factories.venue(org, address="проспект Карла Маркса, 12", district=kirovsky)
    hall = factories.venue(org, address="проспект Мира, 25", lat=55.0255, lon=73.2810, district=kirovsky)
    chess = factories.activity(organization=org, venue=palace, title="Шахматный клуб «Ладья»")
    weekly = event(
        org,
        title="Мастер-класс по шахматам для начинающих",
        kind="master_class",
        activity=chess,
        venue=palace,
        starts="2027-02-06T11:00",
        ends="2027-02-06T12:30",
        rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=4",
        exdates=["2027-02-13"],
        age_min=7,
        age_max=12,
        description="Расставим фигуры, разберём первые дебюты и сыграем партию с педагогом.",
    )
    event(
        org,
        title="Отчётный концерт хора",
        kind="concert",
        venue=hall,
        starts="2027-02-14T17:00",
        ends="2027-02-14T19:00",
        price_rub=300,
    )
    event(
        org,
        title="Городской турнир по шахматам",
        kind="competition",
        venue=palace,
        starts="2027-02-20T00:00",
        ends="2027-02-22T00:00",
        all_day=True,
    )
    event(
        org,
        title="День открытых дверей",
        kind="open_day",
        venue=hall,
        starts="2027-02-27T10:00",
        ends="2027-02-27T14:00",
        status="cancelled",
    )
    return {"weekly": weekly}


@pytest.fixture
def browser(calendar_data, chromium):
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
def test_month_view_and_event_page_render_cleanly(browser, live_server, calendar_data, viewport_name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "events-month": "/events/?view=month&from=2027-02-01",
        "event": calendar_data["weekly"].get_absolute_url(),
    }
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
            if name == "events-month":
                assert (
                    page.locator("table.calendar-month tbody tr").count() == 4
                )  # 1 Feb 2027 is a Monday: four whole weeks
                # Saturdays 6, 20 and 27 Feb hold the master class (13 Feb is an exception).
                assert page.locator("table.calendar a", has_text="Мастер-класс").count() == 3
                assert page.locator("#events-map path.leaflet-interactive").count() == 2  # two venues
                assert page.locator(".events-venues li").count() == 2
            else:
                assert page.get_by_role("link", name="Добавить в календарь").is_visible()
                assert page.locator(".event-dates li").count() >= 0
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_add_to_calendar_link_serves_ics(browser, live_server, calendar_data):
    context, page, *_ = _open(
        browser, live_server, calendar_data["weekly"].get_absolute_url(), VIEWPORTS["desktop"]
    )
    try:
        href = page.get_by_role("link", name="Добавить в календарь").get_attribute("href")
        response = context.request.get(live_server.url + href)
        assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
        rrule = next(line for line in response.text().splitlines() if line.startswith("RRULE:"))
        assert set(rrule[len("RRULE:") :].split(";")) == {"FREQ=WEEKLY", "BYDAY=SA", "COUNT=4"}
    finally:
        context.close()
