"""Subscribing in Debian's chromium: an anonymous parent asks for news of a search from /search/
(htmx answers in place), confirms by the link the mail carries, manages and leaves; and the same
widget without JavaScript on an activity page. Phone (390 px) and desktop (1280 px) screenshots
into test-artifacts/; no console or CSP errors, no sideways scrolling, axe-core clean."""

from __future__ import annotations

import os
import re

import pytest
from django.core.cache import cache

from kruzhok.catalog.tests import factories
from kruzhok.events.tests.factories import event
from kruzhok.notifications.models import OutboxMail, Subscription

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from kruzhok.tests_browser.test_pages import ARTIFACTS, _audit, _describe, screenshot  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def chess_catalog(settings):
    settings.MAP_TILE_URL = ""
    cache.clear()
    kirovsky = factories.okrug_row("Кировский")
    org = factories.organization(name="Дворец творчества «Сибирь»")
    venue = factories.venue(org, address="улица Лукашевича, 14", district=kirovsky)
    return {
        "chess": factories.activity(
            organization=org, venue=venue, title="Шахматный клуб «Ладья»", categories=["chess"]
        ),
        "draughts": factories.activity(
            organization=org, venue=venue, title="Шашки для малышей", categories=["chess"]
        ),
        "tournament": event(
            org,
            title="Турнир по быстрым шахматам",
            venue=venue,
            starts="2027-03-06T11:00",
            ends="2027-03-06T14:00",
        ),
    }


@pytest.fixture
def browser(chess_catalog, chromium):
    """Chromium, opened once the test data exists (see conftest)."""
    return chromium


def _open(browser, live_server, path: str, viewport: dict, *, javascript: bool = True):
    context = browser.new_context(viewport=viewport, locale="ru-RU", java_script_enabled=javascript)
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
    page.set_default_timeout(20_000)
    page.goto(live_server.url + path, wait_until="load")
    return context, page, errors, outside


def _check(page, name: str, viewport_name: str, problems: list[str]) -> None:
    """Screenshot, no sideways scrolling, no serious accessibility problem."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, path=str(ARTIFACTS / f"subscriptions-{name}-{viewport_name}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{name} ({viewport_name}) scrolls sideways by {overflow}px")
    violations = _audit(page)
    if violations:
        problems.append(f"{name} ({viewport_name}):\n{_describe(violations)}")


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_anonymous_parent_subscribes_to_a_search_confirms_by_mail_and_manages(
    browser, live_server, chess_catalog, viewport_name
):
    email = f"olga-{viewport_name}@example.org"
    problems: list[str] = []
    context, page, errors, outside = _open(
        browser, live_server, "/search/?q=шахматы", VIEWPORTS[viewport_name]
    )
    try:
        widget = page.locator("#subscribe-search")
        assert widget.get_by_text("«шахматы»").is_visible()
        _check(page, "search", viewport_name, problems)
        widget.scroll_into_view_if_needed()
        screenshot(widget, path=str(ARTIFACTS / f"subscriptions-search-widget-{viewport_name}.png"))
        search_url = page.url
        widget.get_by_label("Эл. почта").fill(email)
        widget.get_by_label("Как часто").select_option("weekly")
        widget.get_by_role("button", name="Подписаться").click()
        # htmx swaps the answer in place: the page itself stays where it was.
        done = page.locator("#subscribe-search.subscribe-done")
        done.wait_for()
        assert f"Мы отправили письмо на {email}" in done.inner_text()
        assert page.url == search_url
        screenshot(done, path=str(ARTIFACTS / f"subscriptions-search-answer-{viewport_name}.png"))

        subscription = Subscription.objects.get(email=email)
        assert (subscription.status, subscription.frequency) == ("pending", "weekly")
        mail = OutboxMail.objects.get(recipient=email)
        link = re.search(r"https?://\S+(/subscriptions/confirm/[\w-]+/)", mail.body_text)
        assert link, mail.body_text

        page.goto(live_server.url + link.group(1), wait_until="load")
        assert page.get_by_role("heading", name="Подтвердите подписку").is_visible()
        _check(page, "confirm", viewport_name, problems)
        subscription.refresh_from_db()
        assert subscription.status == "pending"  # opening the link changed nothing
        page.get_by_role("button", name="Подтвердить подписку").click()
        page.get_by_role("heading", name="Подписка подтверждена").wait_for()
        subscription.refresh_from_db()
        assert subscription.status == "active"

        page.get_by_role("link", name="Управлять подписками").click()
        page.get_by_role("heading", name="Мои подписки").wait_for()
        assert page.get_by_role("link", name="Поиск: «шахматы»").is_visible()
        assert page.locator(f"#frequency-{subscription.pk}").input_value() == "weekly"
        _check(page, "manage", viewport_name, problems)

        page.goto(live_server.url + f"/subscriptions/unsubscribe/{subscription.token}/", wait_until="load")
        _check(page, "unsubscribe", viewport_name, problems)
        page.get_by_role("button", name="Отписаться").click()
        page.get_by_role("heading", name="Вы отписались").wait_for()
        _check(page, "unsubscribed", viewport_name, problems)
        subscription.refresh_from_db()
        assert subscription.status == "cancelled"
        assert errors == [], errors
        assert outside == [], outside
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_follow_widgets_and_following_an_activity_without_javascript(
    browser, live_server, chess_catalog, viewport_name
):
    chess = chess_catalog["chess"]
    email = f"boris-{viewport_name}@example.org"
    problems: list[str] = []
    pages = {
        "activity": chess.get_absolute_url(),
        "organization": chess.organization.get_absolute_url(),
        "event": chess_catalog["tournament"].get_absolute_url(),
        "events": "/events/?q=шахматы&from=2027-03-01",
    }
    for name, path in pages.items():
        context, page, errors, outside = _open(browser, live_server, path, VIEWPORTS[viewport_name])
        try:
            widget = page.locator("#subscribe-search" if name == "events" else f"#subscribe-{name}")
            widget.scroll_into_view_if_needed()
            screenshot(widget, path=str(ARTIFACTS / f"subscriptions-{name}-widget-{viewport_name}.png"))
            _check(page, name, viewport_name, problems)
            assert errors == [] and outside == [], (name, errors, outside)
        finally:
            context.close()
    # No page script may run now (Playwright's evaluate would wait for ever): the form alone.
    context, page, errors, outside = _open(
        browser, live_server, chess.get_absolute_url(), VIEWPORTS[viewport_name], javascript=False
    )
    try:
        widget = page.locator("#subscribe-activity")
        widget.get_by_label("Эл. почта").fill(email)
        widget.get_by_role("button", name="Следить").click()
        page.wait_for_load_state("load")
        # Back on the activity page, with the answer at the top.
        assert page.url.endswith(chess.get_absolute_url())
        assert f"Мы отправили письмо на {email}" in page.locator(".flash").inner_text()
        assert Subscription.objects.get(email=email).activity_id == chess.pk
        assert errors == [] and outside == []
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_journey_subscribe_confirm_then_a_published_match_arrives_with_the_next_run(
    browser, live_server, chess_catalog, settings
):
    """The issue's journey: subscribe to a search, confirm by the mail's link, an editor publishes a
    matching activity, the next `send_alerts` run mails it — and only it — and its link opens."""
    from django.core.management import call_command

    from kruzhok.catalog.models import Status

    settings.ALERTS_SETTLE_S = 0
    email = "parent-journey@example.org"
    context, page, errors, outside = _open(browser, live_server, "/search/?q=шахматы", VIEWPORTS["desktop"])
    try:
        widget = page.locator("#subscribe-search")
        widget.get_by_label("Эл. почта").fill(email)
        widget.get_by_label("Как часто").select_option("immediate")
        widget.get_by_role("button", name="Подписаться").click()
        page.locator("#subscribe-search.subscribe-done").wait_for()
        confirm = OutboxMail.objects.get(recipient=email, key__startswith="subscription_confirm:")
        link = re.search(r"https?://\S+(/subscriptions/confirm/[\w-]+/)", confirm.body_text)
        assert link, confirm.body_text
        page.goto(live_server.url + link.group(1), wait_until="load")
        page.get_by_role("button", name="Подтвердить подписку").click()
        page.get_by_role("heading", name="Подписка подтверждена").wait_for()

        # A citizen's entry waits for review: not public, so not news yet.
        org = chess_catalog["chess"].organization
        new = factories.activity(
            organization=org,
            title="Шахматы для начинающих «Е2–Е4»",
            categories=["chess"],
            status=Status.PENDING,
        )
        factories.activity(organization=org, title="Футбол во дворе", categories=["football"])  # no match
        call_command("send_alerts", verbosity=0)
        assert not OutboxMail.objects.filter(recipient=email, key__startswith="alert:").exists()

        new.status = Status.PUBLISHED  # the editor accepts it
        new.save()
        call_command("send_alerts", verbosity=0)
        (alert,) = OutboxMail.objects.filter(recipient=email, key__startswith="alert:")
        assert "Шахматы для начинающих" in alert.body_text and "Футбол во дворе" not in alert.body_text
        assert "Ладья" not in alert.body_text  # there before the subscription: not new
        assert alert.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        call_command("send_alerts", verbosity=0)  # the next run has nothing new
        assert OutboxMail.objects.filter(recipient=email, key__startswith="alert:").count() == 1

        found = re.search(r"https?://[^/\s]+(/activities/\d+-[\w-]+/)", alert.body_text)
        assert found, alert.body_text
        page.goto(live_server.url + found.group(1), wait_until="load")
        assert page.get_by_role("heading", name="Шахматы для начинающих «Е2–Е4»").is_visible()
        assert errors == [] and outside == [], (errors, outside)
    finally:
        context.close()
