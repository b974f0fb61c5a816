"""Page views counted from real requests through the whole middleware stack."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kruzhok.analytics import collect
from kruzhok.analytics.models import PageView
from kruzhok.analytics.tests.helpers import BROWSER, CHROME_PHONE, all_values, page_views, routes
from kruzhok.events.tests import factories as event_factories

pytestmark = pytest.mark.django_db


def test_a_parents_views_of_activity_organization_and_event_pages_are_counted_with_their_ids(
    client, activity
):
    event = event_factories.event(activity.organization)
    client.get("/", **BROWSER)
    client.get(activity.get_absolute_url(), **BROWSER)
    client.get(activity.organization.get_absolute_url(), **BROWSER)
    client.get(f"/events/{event.pk}/", **BROWSER)
    client.get("/search/?q=футбол", **BROWSER)

    assert routes() == [
        ("catalog:home", "", None),
        ("catalog:activity", "activity", activity.pk),
        ("catalog:organization", "organization", activity.organization_id),
        ("events:event", "event", event.pk),
        ("search:search", "", None),
    ]


def test_a_phone_browser_is_a_visitor_too(client):
    client.get("/", HTTP_USER_AGENT=CHROME_PHONE)
    assert routes() == [("catalog:home", "", None)]


def test_htmx_fragments_are_not_page_views_but_a_history_restore_is(client):
    client.get("/search/?q=футбол", HTTP_HX_REQUEST="true", **BROWSER)
    client.get("/search/?q=футбол", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **BROWSER)
    client.get("/search/places/?where=Лукаш", HTTP_HX_REQUEST="true", **BROWSER)
    assert routes() == [("search:search", "", None)]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"HTTP_USER_AGENT": "curl/8.5.0"},
        {"HTTP_USER_AGENT": "python-requests/2.32.3"},
        {"HTTP_USER_AGENT": "TelegramBot (like TwitterBot)"},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36"},
        {"HTTP_USER_AGENT": ""},
        {},
        {**BROWSER, "HTTP_SEC_PURPOSE": "prefetch"},
        {**BROWSER, "HTTP_SEC_PURPOSE": "prefetch;prerender"},
        {**BROWSER, "HTTP_PURPOSE": "prefetch"},
    ],
    ids=["yandexbot", "googlebot", "curl", "python", "telegram-preview", "headless", "empty", "none",
         "prefetch", "prerender", "purpose-prefetch"],
)  # fmt: skip
def test_robots_scripts_and_prefetches_are_not_counted(client, activity, headers):
    assert client.get(activity.get_absolute_url(), **headers).status_code == 200
    assert page_views() == []


def test_posts_404s_redirects_and_head_requests_are_not_counted(client, activity):
    assert client.post("/search/", {"q": "футбол"}, **BROWSER).status_code == 405
    assert client.get("/activities/999999-net/", **BROWSER).status_code == 404
    assert client.get(f"/activities/{activity.pk}-{activity.slug}", **BROWSER).status_code == 301
    assert client.head(activity.get_absolute_url(), **BROWSER).status_code == 200
    assert page_views() == []


def test_non_pages_are_not_counted(client, activity):
    """Feeds, the API, sitemaps, robots.txt and static files answer 200 but are not pages."""
    for url in (
        "/robots.txt",
        "/sitemap.xml",
        "/events/feed.ics",
        f"/activities/{activity.pk}/schedule.ics",
        "/api/v1/search?q=футбол",
        f"/api/v1/activities/{activity.pk}",
        "/api/v1/docs",
    ):
        client.get(url, **BROWSER)
    assert page_views() == []


def test_the_admin_is_not_counted(admin_client):
    assert admin_client.get("/admin/", **BROWSER).status_code == 200
    assert admin_client.get("/admin/catalog/activity/", **BROWSER).status_code == 200
    assert page_views() == []


def test_the_dashboard_is_not_counted(client, settings):
    settings.ROOT_URLCONF = "kruzhok.analytics.tests.urls_counting"
    assert client.get("/dashboard/", **BROWSER).status_code == 200
    assert client.get("/", **BROWSER).status_code == 200
    assert routes() == [("catalog:home", "", None)]


def test_the_visitor_is_a_hash_of_the_day_not_the_address_or_browser(client, activity):
    client.get(activity.get_absolute_url(), **BROWSER)
    client.get("/", **BROWSER)
    client.get("/", HTTP_USER_AGENT=CHROME_PHONE, REMOTE_ADDR="198.51.100.23")
    first, second, other = page_views()
    assert first.visitor == second.visitor != other.visitor
    stored = all_values([first, second, other])
    for personal in ("203.0.113.7", "198.51.100.23", "Firefox", "Gecko", "Android", "Mozilla"):
        assert personal not in stored


def test_a_forwarded_address_is_the_visitor_only_behind_our_proxy(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    proxy = {"HTTP_USER_AGENT": CHROME_PHONE, "REMOTE_ADDR": "127.0.0.1"}
    client.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    client.get("/", HTTP_X_FORWARDED_FOR="198.51.100.23", **proxy)
    first, second = page_views()
    assert first.visitor != second.visitor


def test_the_referring_site_is_kept_only_when_it_is_another_one(client):
    client.get("/", HTTP_REFERER="https://yandex.ru/search/?text=кружки+омск", **BROWSER)
    client.get("/", HTTP_REFERER="http://testserver/search/?q=футбол", **BROWSER)
    assert [v.referrer_host for v in page_views()] == ["yandex.ru", ""]


def test_counting_adds_no_query_to_the_request(client, activity, settings):
    """The same page with the middleware and without it makes the same queries: counting only
    appends to the buffer (the flush is after the response, and not due here)."""
    url = activity.get_absolute_url()
    client.get(url, **BROWSER)  # warm caches (taxonomy, site frame)

    with CaptureQueriesContext(connection) as counted:
        client.get(url, **BROWSER)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("kruzhok.analytics")]
    with CaptureQueriesContext(connection) as uncounted:
        Client().get(url, **BROWSER)  # a new client loads the middleware again

    assert counted.captured_queries
    assert [q["sql"] for q in counted.captured_queries] == [q["sql"] for q in uncounted.captured_queries]
    assert len(collect._buffer.page_views) == 2


def test_the_buffer_is_written_after_a_response_once_it_is_full(client, monkeypatch):
    monkeypatch.setattr(collect, "BUFFER_SIZE", 3)
    client.get("/", **BROWSER)
    client.get("/", **BROWSER)
    assert PageView.objects.count() == 0
    client.get("/", **BROWSER)
    assert PageView.objects.count() == 3
    assert len(collect._buffer) == 0


def test_the_buffer_is_written_after_a_response_once_its_oldest_event_is_old(client, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(collect.time, "monotonic", lambda: clock[0])
    client.get("/", **BROWSER)
    clock[0] += collect.BUFFER_SECONDS - 1
    client.get("/", **BROWSER)
    assert PageView.objects.count() == 0
    clock[0] += 1
    client.get("/search/", HTTP_USER_AGENT="curl/8.5.0")  # any response, even an uncounted one
    assert PageView.objects.count() == 2


def test_a_failing_write_keeps_the_batch_for_later_and_never_costs_the_page(client, monkeypatch, caplog):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(collect, "BUFFER_SIZE", 1)
    monkeypatch.setattr(PageView.objects, "bulk_create", broken)
    response = client.get("/", **BROWSER)
    assert response.status_code == 200
    assert "kept for the next flush" in caplog.text
    assert len(collect._buffer) == 1


def test_a_counting_error_never_costs_the_page(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(collect, "record_page_view", broken)
    assert client.get("/", **BROWSER).status_code == 200
    assert "could not count" in caplog.text
