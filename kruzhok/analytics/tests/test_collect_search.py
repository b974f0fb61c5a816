"""Searches logged by the /search/ page and the API: the words, the filters, never the place."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kruzhok.analytics import collect
from kruzhok.analytics.models import QUERY_MAX
from kruzhok.analytics.tests.helpers import BROWSER, all_values, searches
from kruzhok.catalog.tests import factories
from kruzhok.search import views as search_views

pytestmark = pytest.mark.django_db

HOME = "улица Лукашевича, 10"


@pytest.fixture
def football(db):
    return factories.activity(title="Секция футбола «Иртыш»", categories=["football"])


def test_a_search_on_the_page_is_logged_with_its_words_count_and_filters(client, football):
    client.get(
        "/search/?q=Футбол&age=8&direction=sport&category=football&free=1&day=mon&after=15:00", **BROWSER
    )
    (search,) = searches()
    assert (search.source, search.query, search.results, search.corrected) == ("page", "Футбол", 1, False)
    assert search.filters == {
        "direction": "sport",
        "categories": ["football"],
        "age": 8,
        "free": True,
        "days": ["mon"],
        "after": "15:00",
    }
    assert search.has_location is False


def test_a_search_that_finds_nothing_is_logged_with_zero(client, football):
    client.get("/search/?q=квиддич", **BROWSER)
    assert [(s.query, s.results) for s in searches()] == [("квиддич", 0)]


def test_a_corrected_search_is_marked(client, football):
    client.get("/search/?q=футбл", **BROWSER)
    (search,) = searches()
    assert search.corrected is True
    assert search.query == "футбл"  # as typed: the gap is in what people type


def test_the_place_is_never_stored_only_that_one_was_given(client, football):
    client.get(f"/search/?q=футбол&where={HOME}&radius_km=3&sort=near", **BROWSER)
    client.get("/search/?q=футбол&lat=54.995776&lon=73.271767", **BROWSER)
    client.get(f"/api/v1/search?q=футбол&where={HOME}", **BROWSER)
    rows = searches()
    assert [(s.source, s.has_location) for s in rows] == [("page", True), ("page", True), ("api", True)]
    assert rows[0].filters == {"sort": "near"}
    stored = all_values(rows)
    for place in ("Лукашевича", "54.99", "73.27", "radius"):
        assert place not in stored


def test_the_htmx_searches_while_typing_are_logged(client, football):
    for typed in ("фут", "футб", "футбол"):
        client.get(f"/search/?q={typed}", HTTP_HX_REQUEST="true", **BROWSER)
    assert [s.query for s in searches()] == ["фут", "футб", "футбол"]


def test_the_next_pages_of_a_search_and_an_empty_search_are_not_logged(client, football):
    client.get("/search/?q=футбол&page=2", **BROWSER)
    client.get("/search/", **BROWSER)
    client.get("/search/?sort=price", **BROWSER)
    client.get("/api/v1/search?q=футбол&page=2", **BROWSER)
    assert searches() == []


def test_robots_searches_are_not_logged(client, football):
    client.get("/search/?q=футбол", HTTP_USER_AGENT="Mozilla/5.0 (compatible; YandexBot/3.0)")
    client.get("/search/?q=футбол", HTTP_USER_AGENT="python-requests/2.32.3")
    client.get("/api/v1/search?q=футбол", HTTP_USER_AGENT="Mozilla/5.0 (compatible; YandexBot/3.0)")
    client.get("/api/v1/search?q=футбол", HTTP_USER_AGENT="Mozilla/5.0 (compatible; bingbot/2.0)")
    client.get("/api/v1/search?q=футбол", HTTP_USER_AGENT="Mozilla/5.0 AhrefsSpider")
    assert searches() == []


@pytest.mark.parametrize(
    "agent",
    ["okhttp/4.12.0", "axios/1.7.2", "python-requests/2.32.3", "Java/17.0.2", "Go-http-client/2.0", ""],
)
def test_apps_using_the_api_are_counted_though_they_are_programs(client, football, agent):
    client.get("/api/v1/search?q=футбол", HTTP_USER_AGENT=agent)
    assert [s.source for s in searches()] == ["api"]


def test_an_api_search_is_logged_as_api(client, football):
    response = client.get("/api/v1/search?q=футбол&ovz=0&district=Кировский", **BROWSER)
    assert response.status_code == 200
    (search,) = searches()
    assert (search.source, search.query, search.results) == ("api", "футбол", 1)
    assert search.filters == {"district": "Кировский"}


def test_an_invalid_api_search_is_not_logged(client, football):
    assert client.get("/api/v1/search?q=футбол&age=abc", **BROWSER).status_code == 422
    assert searches() == []


def test_hostile_words_are_stored_as_text_and_cut_to_the_limit(client, football):
    client.get("/search/?q=" + "<script>alert(1)</script>\x00" + "ф" * 150, **BROWSER)
    client.get("/search/?q=" + "ф" * 250, **BROWSER)  # over the limit: refused, searched without it
    rows = searches()
    assert rows[0].query.startswith("<script>alert(1)</script> ")
    assert len(rows[0].query) <= QUERY_MAX
    assert "\x00" not in rows[0].query
    assert len(rows) == 1


def test_no_address_or_browser_is_stored_with_a_search(client, football):
    client.get("/search/?q=футбол", **BROWSER)
    stored = all_values(searches())
    assert "203.0.113.7" not in stored
    assert "Firefox" not in stored


def test_a_search_answered_from_the_results_cache_is_logged_with_the_same_numbers(
    client, football, monkeypatch
):
    """The page keeps rendered results for a while; the log must not depend on a cache miss.
    (The page caches only outside a transaction, which the test's rollback is: it is told it is
    outside one.)"""
    monkeypatch.setattr(search_views, "connection", SimpleNamespace(in_atomic_block=False))
    rendered = []
    real_results = search_views._results
    monkeypatch.setattr(search_views, "_results", lambda *args: rendered.append(1) or real_results(*args))
    client.get("/search/?q=футбл", **BROWSER)
    client.get("/search/?q=футбл", **BROWSER)
    client.get("/search/?q=квиддич", **BROWSER)
    client.get("/search/?q=квиддич", HTTP_HX_REQUEST="true", **BROWSER)

    assert len(rendered) == 2  # the repeats came from the cache
    assert [(s.query, s.results, s.corrected) for s in searches()] == [
        ("футбл", 1, True),
        ("футбл", 1, True),
        ("квиддич", 0, False),
        ("квиддич", 0, False),
    ]


def test_a_cached_entry_without_the_numbers_is_not_logged_as_zero(rf, football):
    request = rf.get("/search/?q=футбол", HTTP_USER_AGENT=BROWSER["HTTP_USER_AGENT"])
    from kruzhok.search.params import parse_params

    params, _errors = parse_params(request.GET)
    collect.count_search(request, source="page", params=params, results=None, corrected=False)
    assert searches() == []
