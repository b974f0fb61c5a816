"""A parent's search in Debian's chromium: type, filter, see cards and markers, open one, come back.

Same rules as test_pages.py: only the live server is reachable, no map tiles, CSP enforced
(a violation is a console error and fails the test), axe-core on the page at both widths.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import pytest

from kruzhok.catalog.tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


from kruzhok.tests_browser.test_pages import ARTIFACTS, VIEWPORTS, _audit, _open, screenshot  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LENINA_10 = (54.9724, 73.3791)


@pytest.fixture
def football_catalog(settings):
    settings.MAP_TILE_URL = ""
    centre = factories.okrug_row("Центральный")
    near = factories.venue(
        address="улица Ленина, 12", lat=LENINA_10[0] + 0.002, lon=LENINA_10[1], district=centre
    )
    other = factories.venue(address="улица Гагарина, 3", lat=LENINA_10[0] - 0.01, lon=LENINA_10[1] + 0.01)
    far = factories.venue(address="улица Лукашевича, 14", lat=54.9947, lon=73.2739)
    return {
        "near": factories.activity(title="Футбол для начинающих", categories=["football"], age_min=7, age_max=9, venue=near),
        "other": factories.activity(title="Мини-футбол «Старт»", categories=["football"], age_min=6, age_max=10, venue=other),
        "far": factories.activity(title="Футбольная школа «Иртыш»", categories=["football"], age_min=8, age_max=12, venue=far),
        "young": factories.activity(title="Футбол для малышей", categories=["football"], age_min=4, age_max=6, venue=near),
        "chess": factories.activity(title="Шахматы", categories=["chess"], age_min=7, age_max=12, venue=near),
    }  # fmt: skip


@pytest.fixture
def browser(football_catalog, chromium):
    """Chromium, opened once the test data (football_catalog) exists (see conftest)."""
    return chromium


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_parent_types_filters_opens_a_card_and_comes_back_to_the_same_search(
    browser, live_server, football_catalog, viewport_name
):
    context, page, _response, errors, outside = _open(
        browser, live_server, "/search/", VIEWPORTS[viewport_name]
    )
    try:
        page.get_by_label("Чем хочет заниматься ребёнок").press_sequentially("футбол", delay=40)
        page.wait_for_url("**/search/?q=*")
        page.get_by_label("Возраст ребёнка").fill("8")
        page.get_by_label("Где").fill("ул. Ленина, 10")
        page.get_by_label("Где").press("Enter")
        page.wait_for_function(
            "() => ['age=8', 'where=', 'q='].every((part) => location.search.includes(part))"
        )
        page.wait_for_function(
            "() => (document.querySelector('#results-title')?.textContent || '').includes('Найдено 2')"
        )
        titles = page.locator("#results .card-title").all_text_contents()
        assert titles[0] == "Футбол для начинающих"  # the nearest fitting one first
        assert set(titles) == {"Футбол для начинающих", "Мини-футбол «Старт»"}
        assert _query(page) == {"q": ["футбол"], "where": ["ул. Ленина, 10"], "age": ["8"]}, page.url
        if viewport_name == "phone":
            page.get_by_role("button", name="Карта").click()
        page.wait_for_selector("#search-map path.leaflet-interactive, #search-map .marker-cluster")
        assert page.locator("#search-map path.leaflet-interactive, #search-map .marker-cluster").count() >= 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screenshot(page, path=str(ARTIFACTS / f"search-journey-{viewport_name}.png"), full_page=True)
        assert _audit(page) == []
        search_url = page.url

        page.locator("#results .card-title a").first.click()
        page.wait_for_url("**/activities/**")
        assert page.locator("h1").text_content() == "Футбол для начинающих"
        page.go_back()
        page.wait_for_url(search_url)
        page.wait_for_function(
            "() => (document.querySelector('#results-title')?.textContent || '').includes('Найдено 2')"
        )
        assert page.get_by_label("Чем хочет заниматься ребёнок").input_value() == "футбол"
        assert page.get_by_label("Возраст ребёнка").input_value() == "8"
        assert page.get_by_label("Где").input_value() == "ул. Ленина, 10"
        assert page.locator("#results .card-title").all_text_contents() == titles
        assert errors == [] and outside == [], (errors, outside)
    finally:
        context.close()


def test_zero_results_explain_and_offer_a_way_out(browser, live_server, football_catalog):
    path = "/search/?q=%D1%84%D1%83%D1%82%D0%B1%D0%BE%D0%BB&age=15"
    context, page, _response, errors, outside = _open(browser, live_server, path, VIEWPORTS["desktop"])
    try:
        assert "возраст 15" in page.locator(".empty").text_content()
        page.locator(".relaxations a").first.click()
        page.wait_for_function("() => !document.querySelector('.empty')")
        assert page.locator("#results .card").count() >= 1
        assert errors == [] and outside == []
    finally:
        context.close()


def test_search_page_works_without_javascript(browser, live_server, football_catalog):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/search/")
        page.get_by_label("Чем хочет заниматься ребёнок").fill("футбол")
        page.get_by_label("Возраст ребёнка").fill("8")
        page.get_by_role("button", name="Показать").click()
        page.wait_for_url("**/search/?*q=*")
        assert page.locator("#results .card").count() == 3
        assert "Футбол для малышей" not in page.locator("#results").text_content()
    finally:
        context.close()
