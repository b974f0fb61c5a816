"""The search page's live parts in Debian's chromium: Back through htmx history, the map and the
cards in step, «рядом со мной», address suggestions, facet counts, the phone map; axe-core on
every state (results, nothing found, a corrected query) at phone and desktop widths.

Same rules as test_pages.py: only the live server is reachable, no map tiles, CSP enforced (a
violation is a console error and fails the test). The whole journey (type, filter, open a card,
come back) is test_search_journey.py.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from kruzhok.catalog.tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


from kruzhok.tests_browser.test_pages import (  # noqa: E402
    ARTIFACTS,
    VIEWPORTS,
    _audit,
    _describe,
    _open,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LENINA_10 = (54.972372, 73.379134)  # the gazetteer's point for «улица Ленина, 10»
TITLE = "() => (document.querySelector('#results-title')?.textContent || '')"


@pytest.fixture
def city(settings):
    settings.MAP_TILE_URL = ""
    centre = factories.okrug_row("Центральный")
    kirovsky = factories.okrug_row("Кировский")
    near = factories.venue(
        address="улица Ленина, 12", lat=LENINA_10[0] + 0.002, lon=LENINA_10[1], district=centre
    )
    mid = factories.venue(
        address="улица Гагарина, 3", lat=LENINA_10[0] - 0.01, lon=LENINA_10[1] + 0.01, district=centre
    )
    far = factories.venue(address="улица Лукашевича, 14", lat=54.9947, lon=73.2739, district=kirovsky)
    return {
        "near": factories.activity(title="Футбол для начинающих", categories=["football"], age_min=7, age_max=9, venue=near, price_rub=0),
        "mid": factories.activity(title="Мини-футбол «Старт»", categories=["football"], age_min=6, age_max=10, venue=mid, price_rub=1500),
        "far": factories.activity(title="Футбольная школа «Иртыш»", categories=["football"], age_min=8, age_max=12, venue=far, price_rub=2000),
        "young": factories.activity(title="Футбол для малышей", categories=["football"], age_min=4, age_max=6, venue=near),
        "drawing": factories.activity(title="Изостудия «Палитра»", direction_slug="arts", categories=["drawing"], venue=mid, slots=[(2, "15:00", "16:30")]),
        "chess": factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"], venue=far, ovz=True),
    }  # fmt: skip


@pytest.fixture
def browser(city, chromium):
    """Chromium, opened once the test data (city) exists (see conftest)."""
    return chromium


def _wait_for_count(page, count: int) -> None:
    page.wait_for_function(f"{TITLE}.includes('Найдено {count} ')")


def _titles(page) -> list[str]:
    return page.locator("#results .card-title").all_text_contents()


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _markers(page):
    return page.locator("#search-map path.result-marker")


def test_back_through_live_updates_restores_fields_results_and_map(browser, live_server):
    context, page, _response, errors, outside = _open(browser, live_server, "/search/", VIEWPORTS["desktop"])
    try:
        page.get_by_label("Чем хочет заниматься ребёнок").fill("футбол")
        _wait_for_count(page, 4)
        page.get_by_label("Возраст ребёнка").fill("6")
        _wait_for_count(page, 2)
        assert _query(page) == {"q": ["футбол"], "age": ["6"]}
        page.get_by_label("Только бесплатные").check()
        _wait_for_count(page, 1)

        page.go_back()  # htmx asks the server for the whole page of the previous URL
        page.wait_for_function("() => !location.search.includes('free=1')")
        _wait_for_count(page, 2)
        assert not page.get_by_label("Только бесплатные").is_checked()
        assert page.get_by_label("Возраст ребёнка").input_value() == "6"
        assert sorted(_titles(page)) == ["Мини-футбол «Старт»", "Футбол для малышей"]
        page.wait_for_function(
            "() => document.querySelectorAll('#search-map path.result-marker').length === 2"
        )

        page.go_back()
        _wait_for_count(page, 4)
        assert page.get_by_label("Возраст ребёнка").input_value() == ""
        assert page.get_by_label("Чем хочет заниматься ребёнок").input_value() == "футбол"
        # The restored page is live again: a change still searches without a reload.
        page.get_by_label("Для детей с ОВЗ").check()
        _wait_for_count(page, 0)
        assert _query(page) == {"q": ["футбол"], "ovz": ["1"]}
        assert errors == [] and outside == []
    finally:
        context.close()


def test_card_and_marker_highlight_each_other(browser, live_server):
    path = "/search/?" + urlencode({"q": "футбол", "age": "8"})  # three venues kilometres apart
    context, page, _response, errors, outside = _open(browser, live_server, path, VIEWPORTS["desktop"])
    try:
        page.wait_for_function(
            "() => document.querySelectorAll('#search-map path.result-marker').length >= 3"
        )
        first = page.locator("#results .card").first
        fills_before = _markers(page).evaluate_all("(ps) => ps.map((p) => p.getAttribute('fill'))")
        first.hover()
        assert "is-highlighted" in (first.get_attribute("class") or "")
        fills_after = _markers(page).evaluate_all("(ps) => ps.map((p) => p.getAttribute('fill'))")
        assert fills_after.count("#1d4ed8") == 1 and "#1d4ed8" not in fills_before
        page.mouse.move(5, 5)
        assert "is-highlighted" not in (first.get_attribute("class") or "")

        # Keyboard: focusing a card's link highlights its marker too.
        page.locator("#results .card-title a").nth(1).focus()
        assert "is-highlighted" in (page.locator("#results .card").nth(1).get_attribute("class") or "")

        # And the other way: pointing at the far marker lights up its card.
        far = page.locator("#results .card", has_text="Футбольная школа «Иртыш»")
        marker_boxes = [m.bounding_box() for m in _markers(page).all()]
        for marker_box in marker_boxes:
            assert marker_box is not None
            page.mouse.move(
                marker_box["x"] + marker_box["width"] / 2, marker_box["y"] + marker_box["height"] / 2
            )
            if "is-highlighted" in (far.get_attribute("class") or ""):
                break
        else:
            pytest.fail("no marker highlighted the far card")
        assert errors == [] and outside == []
    finally:
        context.close()


def test_near_me_searches_around_the_browsers_position(browser, live_server):
    context = browser.new_context(
        viewport=VIEWPORTS["phone"],
        locale="ru-RU",
        geolocation={"latitude": LENINA_10[0], "longitude": LENINA_10[1]},
        permissions=["geolocation"],
    )
    try:
        context.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith(live_server.url) else r.abort()
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(live_server.url + "/search/?q=футбол")
        radius = page.get_by_label("Радиус")
        assert not radius.is_visible()  # no place yet: no radius to choose
        assert page.locator('#id_sort option[value="near"]').is_disabled()
        page.get_by_role("button", name="Рядом со мной").click()
        page.wait_for_function("() => location.search.includes('lat=')")
        query = _query(page)
        assert query["lat"] == [f"{LENINA_10[0]:.6f}"] and query["lon"] == [f"{LENINA_10[1]:.6f}"]
        page.wait_for_function(f"{TITLE}.includes('км')")
        assert _titles(page)[0] in {"Футбол для начинающих", "Футбол для малышей"}  # 200 m away
        assert page.locator("#results .fact-distance").first.text_content() == "0,2 км"
        assert radius.is_visible() and radius.is_enabled()
        assert page.get_by_label("Где").get_attribute("placeholder") == "рядом с вами (по геолокации)"
        assert not page.locator('#id_sort option[value="near"]').is_disabled()

        # Typing an address replaces the position.
        page.get_by_label("Где").fill("улица Лукашевича, 14")
        page.wait_for_function(
            "() => location.search.includes('where=') && !location.search.includes('lat=')"
        )
        page.wait_for_function(f"{TITLE}.includes('Лукашевича')")
        assert _titles(page)[0] == "Футбольная школа «Иртыш»"
        assert errors == []
    finally:
        context.close()


def test_address_suggestions_come_from_the_gazetteer(browser, live_server):
    context, page, _response, errors, outside = _open(browser, live_server, "/search/", VIEWPORTS["desktop"])
    try:
        page.get_by_label("Где").press_sequentially("лукаш", delay=30)
        page.wait_for_function("() => document.querySelectorAll('#where-options option').length > 0")
        options = page.locator("#where-options option").evaluate_all("(os) => os.map((o) => o.value)")
        assert "ул. Лукашевича" in options
        assert urlsplit(page.url).path == "/search/"  # the suggestions never become the page URL
        assert errors == [] and outside == []
    finally:
        context.close()


def test_filter_options_show_live_counts_and_keep_the_choice(browser, live_server):
    context, page, _response, errors, outside = _open(browser, live_server, "/search/", VIEWPORTS["desktop"])
    try:
        direction = page.get_by_label("Направленность")
        assert "Физкультурно-спортивная (5)" in direction.inner_text()
        page.get_by_label("Чем хочет заниматься ребёнок").fill("футбол")
        _wait_for_count(page, 4)
        page.wait_for_function(
            "() => document.querySelector('#id_direction option[value=sport]').textContent.endsWith('(4)')"
        )
        assert page.locator("#id_direction option[value=arts]").text_content().endswith("(0)")
        district = page.get_by_label("Округ")
        district.select_option("Кировский")
        _wait_for_count(page, 1)
        assert district.input_value() == "Кировский"  # the refreshed options keep what was chosen
        assert direction.input_value() == ""
        assert page.locator("#id_district option[value=Центральный]").text_content() == "Центральный (3)"
        assert _query(page) == {"q": ["футбол"], "district": ["Кировский"]}
        assert errors == [] and outside == []
    finally:
        context.close()


def test_phone_shows_the_list_first_and_the_map_behind_a_button(browser, live_server):
    path = "/search/?" + urlencode({"q": "футбол"})
    context, page, _response, errors, outside = _open(browser, live_server, path, VIEWPORTS["phone"])
    try:
        assert page.locator("#results .card").first.is_visible()
        assert not page.locator("#search-map").is_visible()
        toggle = page.get_by_role("button", name="Карта")
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        page.wait_for_function(
            # Two of the four share a venue: a cluster of two or, zoomed in, two markers.
            "() => document.querySelectorAll('#search-map path.result-marker, #search-map .marker-cluster').length >= 2"
        )
        map_box = page.locator("#search-map").bounding_box()
        first_card = page.locator("#results .card").first.bounding_box()
        assert map_box and first_card and map_box["y"] < first_card["y"]  # the opened map comes first
        toggle.click()
        assert not page.locator("#search-map").is_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert errors == [] and outside == []
    finally:
        context.close()


STATES = {
    "results": {"q": "футбол", "where": "улица Ленина, 10", "age": "8"},
    "nothing": {"q": "футбол", "age": "15", "free": "1"},
    "corrected": {"q": "футбл"},
    "errors": {"age": "сто", "day": "someday"},
}


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_every_state_of_the_page_passes_axe(browser, live_server, viewport_name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for state, params in STATES.items():
        path = "/search/?" + urlencode(params)
        context, page, response, errors, outside = _open(browser, live_server, path, VIEWPORTS[viewport_name])
        try:
            assert response is not None and response.status == 200
            if state == "nothing":
                assert page.locator(".empty .relaxations a").count() >= 1
            if state == "corrected":
                assert "Показаны результаты для «футбол»" in page.locator(".notice-correction").inner_text()
            if viewport_name == "phone":
                page.get_by_role("button", name="Карта").click()
            screenshot(page, path=str(ARTIFACTS / f"search-{state}-{viewport_name}.png"), full_page=True)
            violations = _audit(page)
            if violations:
                problems.append(f"{state} ({viewport_name}):\n{_describe(violations)}")
            assert errors == [] and outside == [], (state, errors, outside)
        finally:
            context.close()
    assert not problems, "axe-core found serious or critical problems:\n" + "\n".join(problems)


def test_without_javascript_relaxations_and_pages_are_plain_links(browser, live_server, settings):
    settings.CATALOG_PAGE_SIZE = 2
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False, locale="ru-RU")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/search/?" + urlencode({"q": "футбол", "age": "15"}))
        assert page.locator("#results .card").count() == 0
        assert not page.get_by_role("button", name="Рядом со мной").is_visible()  # needs JavaScript
        assert not page.get_by_role("button", name="Карта").is_visible()
        page.locator(".relaxations a").first.click()
        page.wait_for_load_state("load")
        assert page.locator("#results .card").count() == 2
        assert "Страница 1 из 2" in page.locator(".pagination").inner_text()
        page.get_by_role("link", name="Дальше →").click()
        page.wait_for_load_state("load")
        assert _query(page)["page"] == ["2"] and _query(page)["q"] == ["футбол"]
        assert page.get_by_label("Чем хочет заниматься ребёнок").input_value() == "футбол"
        assert page.locator("#results .card").count() == 2
    finally:
        context.close()
