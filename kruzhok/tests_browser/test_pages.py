"""Real pages in Debian's chromium: phone and desktop screenshots, axe-core accessibility audit.

Run alone with `pytest -m browser`. Nothing leaves the machine: every request that is not for
the live server is aborted, and map tiles are switched off (the page shows its pin without them).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from kruzhok.catalog.models import Department
from kruzhok.catalog.tests import factories

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run
# next to it without this (the test itself is synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so data must be committed; the taxonomy rows from
    # migrations are put back after each flush so later tests still find them.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# One folder per database: `make test` runs the SQLite and PostgreSQL suites side by side.
ARTIFACTS = Path(
    os.environ.get("KRUZHOK_SHOTS_DIR") or Path(settings.BASE_DIR) / "test-artifacts" / connection.vendor
)
# Screenshots are for a person to look at; SCREENSHOTS=0 skips them (a fifth of a browser test's time).
SCREENSHOTS = os.environ.get("SCREENSHOTS", "1") != "0"
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def catalog(settings):
    settings.MAP_TILE_URL = ""  # no tile server in tests: the page must cope without one
    cache.clear()
    kirovsky = factories.okrug_row("Кировский")
    org = factories.organization(
        name="Дворец творчества «Сибирь»",
        kind="public",
        department=Department.objects.get(slug="education"),
        inn="5501234567",
        phone="+7 (3812) 55-12-34",
        email="info@sibir.example",
        website="https://sibir.example/",
        description="Городской дворец детского творчества: 40 кружков для детей от 5 до 18 лет.",
    )
    venue = factories.venue(
        org,
        address="улица Лукашевича, 14",
        district=kirovsky,
        microdistrict=factories.microdistrict_row("Левобережье", okrug=kirovsky),
    )
    chess = factories.activity(
        organization=org,
        venue=venue,
        title="Шахматная школа «Ладья»",
        categories=["chess"],
        description="Дебюты, тактика и турниры.\n\nПервое занятие — пробное.",
        price_rub=2500,
        price_note="скидка для многодетных",
        ovz=True,
        verified_at=datetime(2026, 3, 12, 10, 0, tzinfo=ZoneInfo("Asia/Omsk")),
        slots=[(0, "15:00", "16:30"), (3, "17:00", "18:30")],
    )
    for i, (title, direction, category) in enumerate(
        [
            ("Робототехника на Lego", "technical", "robotics"),
            ("Акварель и графика", "arts", "drawing"),
            ("Юные экологи", "science", "ecology"),
        ]
    ):
        factories.activity(
            organization=org, venue=venue, title=title, direction_slug=direction, categories=[category],
            price_rub=0 if i % 2 else 1800,
        )  # fmt: skip
    yield {"activity": chess, "organization": org}
    cache.clear()


@pytest.fixture
def browser(catalog, chromium):
    """Chromium, opened once the test data (catalog) exists (see conftest)."""
    return chromium


def screenshot(target, **options) -> None:
    """`target.screenshot(**options)` (a page or a locator) when this run takes screenshots."""
    if SCREENSHOTS:
        target.screenshot(**options)


def _audit(page) -> list[dict]:
    # Evaluated through the DevTools protocol, not as a <script> tag: the page's Content Security
    # Policy stays enforced, so a CSP violation of our own would still show up as a console error.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {', '.join(node['target'])}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


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
    # Content Security Policy violations (an inline style or script slipping in) are console errors.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    response = page.goto(live_server.url + path, wait_until="load")
    return context, page, response, errors, outside


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_key_pages_render_and_pass_axe(browser, live_server, catalog, viewport_name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "home": "/",
        "activity": catalog["activity"].get_absolute_url(),
        "organization": catalog["organization"].get_absolute_url(),
        "openactive": "/openactive/",
    }
    problems = []
    for name, path in pages.items():
        context, page, response, errors, outside = _open(browser, live_server, path, VIEWPORTS[viewport_name])
        try:
            assert response is not None and response.status == 200, (name, response and response.status)
            assert page.locator("html").get_attribute("lang") == "ru"
            assert page.locator("main#main").count() == 1
            screenshot(page, path=str(ARTIFACTS / f"{name}-{viewport_name}.png"), full_page=True)
            assert errors == [], (name, errors)
            assert outside == [], (name, outside)
            # no horizontal scrolling on a phone
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (name, viewport_name, overflow)
            violations = _audit(page)
            if violations:
                problems.append(f"{name} ({viewport_name}):\n{_describe(violations)}")
        finally:
            context.close()
    assert not problems, "axe-core found serious or critical problems:\n" + "\n".join(problems)


def test_activity_map_shows_the_marker_without_tiles(browser, live_server, catalog):
    context, page, response, errors, outside = _open(
        browser, live_server, catalog["activity"].get_absolute_url(), VIEWPORTS["desktop"]
    )
    try:
        map_box = page.locator("[data-map]")
        assert "leaflet-container" in (map_box.get_attribute("class") or "")
        assert page.locator("[data-map] path.leaflet-interactive").count() == 1  # the marker
        assert page.locator("[data-map] img.leaflet-tile").count() == 0
        assert page.get_by_text("улица Лукашевича, 14").first.is_visible()
        assert errors == [] and outside == []
    finally:
        context.close()


def test_skip_link_is_first_and_visible_on_focus(browser, live_server, catalog):
    context, page, *_ = _open(browser, live_server, "/", VIEWPORTS["phone"])
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "#main"
        box = page.locator(".skip-link").bounding_box()
        assert box is not None and box["y"] >= 0
    finally:
        context.close()


def test_language_switch_works_with_a_click(browser, live_server, catalog):
    context, page, *_ = _open(browser, live_server, "/", VIEWPORTS["desktop"])
    try:
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_text("Physical culture and sport").count() >= 1
        assert page.url == live_server.url + "/"
    finally:
        context.close()


def test_search_filters_update_results_with_htmx(browser, live_server, catalog):
    context, page, _response, errors, outside = _open(browser, live_server, "/search/", VIEWPORTS["desktop"])
    try:
        page.get_by_label("Только бесплатные").check()
        page.wait_for_url("**/search/?*free=1*")
        page.wait_for_function(
            "() => document.querySelector('#results-title').textContent.includes('Найдено 1')"
        )
        assert page.locator("#results .card").count() == 1
        assert errors == [] and outside == []
    finally:
        context.close()


@pytest.fixture
def citizen_session(catalog, django_user_model) -> str:
    """A signed-in citizen's session cookie, made before the browser opens (see `browser`)."""
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    user = django_user_model.objects.create_user(
        "olga", "olga@example.org", "s3cret-пароль", first_name="Ольга"
    )
    django_user_model.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=90))
    signed_in = Client()
    signed_in.force_login(user)
    return signed_in.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_a_citizen_rates_and_reviews_an_activity(
    citizen_session, browser, live_server, catalog, viewport_name
):
    path = catalog["activity"].get_absolute_url()
    context, page, _response, errors, outside = _open(browser, live_server, path, VIEWPORTS[viewport_name])
    try:
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": citizen_session, "url": live_server.url}]
        )
        page.reload(wait_until="load")
        page.get_by_label("Оценка").select_option("5")
        page.get_by_label("Ваш отзыв").fill("Сын ходит второй год, тренер объясняет спокойно и понятно.")
        page.get_by_role("button", name="Отправить", exact=True).click()
        page.wait_for_load_state("load")
        assert page.url.endswith("#comments")
        comments = page.locator("#comments")
        assert page.get_by_text("Спасибо! Отзыв опубликован.").count() == 1  # the site's flash, once
        assert comments.get_by_text("тренер объясняет спокойно").is_visible()
        assert "5,0" in comments.locator(".rating-summary").inner_text()
        screenshot(page, path=str(ARTIFACTS / f"activity-reviewed-{viewport_name}.png"), full_page=True)
        assert errors == [] and outside == []
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        violations = _audit(page)
        assert not violations, _describe(violations)
    finally:
        context.close()
