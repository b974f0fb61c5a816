"""Providers in the browser: edit an activity's price and schedule, see it public; an editor
reverts it from the history. Screenshots of every page of the part at 390 and 1280 px."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from kruzhok.accounts.tests import factories as accounts
from kruzhok.catalog.tests import factories
from kruzhok.community.models import Comment, CommentReport
from kruzhok.moderation import claims

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


from kruzhok.tests_browser.test_pages import ARTIFACTS, _audit, _describe, screenshot  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 900}}


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def world(settings):
    settings.MAP_TILE_URL = ""
    cache.clear()
    org = factories.organization(name="Дворец творчества «Сибирь»", phone="+7 (3812) 55-12-34")
    venue = factories.venue(org, address="улица Лукашевича, 14")
    chess = factories.activity(
        organization=org,
        venue=venue,
        title="Шахматная школа «Ладья»",
        categories=["chess"],
        price_rub=2500,
        slots=[(0, "15:00", "16:30"), (3, "17:00", "18:30")],
    )
    factories.activity(organization=org, venue=venue, title="Акварель и графика", direction_slug="arts",
                       categories=["drawing"])  # fmt: skip
    provider = accounts.provider(
        org, role="owner", email="director@sibir.example", display_name="Ольга Петровна"
    )
    editor = accounts.user("editor@example.org", is_editor=True, display_name="Редактор Ева")
    accounts.enrol_totp(editor)
    parent = accounts.user("anna@example.org", display_name="Анна")
    other = factories.organization(name="Клуб «Ферзь»")
    claim = claims.claim_submit(
        user=parent,
        organization=other,
        position="Тренер",
        phone="+7 913 000-00-00",
        message="Веду секцию с 2020 года.",
    )
    held = Comment.objects.create(
        activity=chess,
        author=parent,
        text="Подробности на www.example.ru — **очень** советую!",
        status="held",
    )
    hidden = Comment.objects.create(activity=chess, author=parent, text="Тренер опаздывает.", status="hidden")
    for n in range(3):
        CommentReport.objects.create(
            comment=hidden, reporter=accounts.user(f"r{n}@example.org"), reason="неправда"
        )
    Comment.objects.create(activity=chess, author=parent, text="Сын в восторге, спасибо тренеру!")
    # one direct edit already, so the history page has a diff to show
    from kruzhok.catalog.services import ActivityData, activity_update

    activity_update(
        activity=chess,
        actor=provider,
        data=ActivityData(
            fields={"price_rub": 2700, "price_note": "скидка для многодетных"},
            direction=chess.direction,
            categories=list(chess.categories.all()),
            venue=venue,
        ),
    )
    first_version = chess.versions.get(number=1).pk
    yield {
        "first_version": first_version,
        "group": chess.groups.get(),
        "org": org,
        "other": other,
        "activity": chess,
        "claim": claim,
        "held": held,
        "hidden": hidden,
        "provider": _session(provider),
        "editor": _session(editor),
        "parent": _session(parent),
    }
    cache.clear()


@pytest.fixture
def browser(world, chromium):
    """Chromium, opened once the test data (world) exists (see conftest)."""
    return chromium


def _context(browser, live_server, session: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="ru-RU")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(live_server.url) else route.abort(),
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page, errors


def _shoot(page, name: str, viewport_name: str, problems: list[str]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, path=str(ARTIFACTS / f"provider-{name}-{viewport_name}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{name} ({viewport_name}): scrolls sideways by {overflow}px")
    violations = _audit(page)
    if violations:
        problems.append(f"{name} ({viewport_name}):\n{_describe(violations)}")


def test_provider_edits_price_and_schedule_and_the_public_page_shows_them(browser, live_server, world):
    activity = world["activity"]
    context, page, errors = _context(browser, live_server, world["provider"], VIEWPORTS["1280"])
    try:
        page.goto(live_server.url + "/manage/")
        page.get_by_role("link", name="Дворец творчества «Сибирь»").click()
        page.locator(".manage-activity", has_text="Шахматная").get_by_role(
            "link", name="Править", exact=True
        ).click()
        page.wait_for_url(f"**/manage/activities/{activity.pk}/")
        page.get_by_label("Цена в месяц, ₽").fill("3200")
        page.get_by_role("button", name="Сохранить").click()
        page.wait_for_load_state("load")
        assert page.get_by_text("Изменения сохранены и уже видны на сайте.").is_visible()

        page.goto(live_server.url + f"/manage/activities/{activity.pk}/groups/")
        page.get_by_role("link", name="Править группу").click()
        rows = page.locator(".slot-row")
        rows.nth(1).locator("input[type=checkbox]").check()  # drop Thursday
        rows.nth(2).get_by_label("День").select_option("5")
        rows.nth(2).get_by_label("Начало").fill("10:00")
        rows.nth(2).get_by_label("Конец").fill("11:30")
        page.get_by_role("button", name="Сохранить группу").click()
        page.wait_for_load_state("load")
        assert page.get_by_text("Группа и расписание сохранены").is_visible()

        page.goto(live_server.url + activity.get_absolute_url())
        body = page.locator("main").inner_text().replace("\xa0", " ").replace("\u202f", " ")
        assert "3 200" in body or "3200" in body
        assert "10:00" in body and "17:00" not in body
        assert errors == []
    finally:
        context.close()


def test_editor_reverts_from_the_history(browser, live_server, world):
    activity = world["activity"]
    context, page, errors = _context(browser, live_server, world["editor"], VIEWPORTS["1280"])
    try:
        page.goto(live_server.url + activity.get_absolute_url())
        assert "2 700" in page.locator("main").inner_text().replace("\xa0", " ")  # the provider's edit
        page.goto(live_server.url + f"/moderation/activities/{activity.pk}/history/")
        assert page.get_by_text("изменено поставщиком").first.is_visible()
        page.get_by_role("link", name="Вернуть версию 1").click()
        page.wait_for_url(f"**/moderation/versions/{world['first_version']}/revert/")
        assert page.get_by_role("heading", name="Вернуть версию 1?").is_visible()
        page.get_by_role("button", name="Вернуть эту версию").click()
        page.wait_for_url(f"**/moderation/activities/{activity.pk}/history/")
        assert page.get_by_text("возвращено к версии 1").is_visible()
        assert page.get_by_text("возврат к версии").first.is_visible()
        page.goto(live_server.url + activity.get_absolute_url())
        body = page.locator("main").inner_text().replace("\xa0", " ")
        assert "2 500" in body and "2 700" not in body
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_screenshots_of_the_provider_and_moderation_pages(browser, live_server, world, viewport_name):
    activity, org = world["activity"], world["org"]
    group = world["group"]
    provider_pages = {
        "manage": "/manage/",
        "manage-organization": f"/manage/organizations/{org.pk}/",
        "manage-activity": f"/manage/activities/{activity.pk}/",
        "manage-groups": f"/manage/activities/{activity.pk}/groups/",
        "manage-group": f"/manage/groups/{group.pk}/",
        "manage-members": f"/manage/organizations/{org.pk}/members/",
        "manage-organization-edit": f"/manage/organizations/{org.pk}/edit/",
        "history": f"/moderation/activities/{activity.pk}/history/",
        "activity-answer-form": activity.get_absolute_url(),
    }
    editor_pages = {
        "claim": f"/moderation/claims/{world['claim'].pk}/",
        "comment-held": f"/moderation/comments/{world['held'].pk}/",
        "comment-hidden": f"/moderation/comments/{world['hidden'].pk}/",
    }
    parent_pages = {"claim-new": f"/organizations/{world['other'].pk}/claim/"}
    problems: list[str] = []
    for session, pages in (
        (world["provider"], provider_pages),
        (world["editor"], editor_pages),
        (world["parent"], parent_pages),
    ):
        context, page, errors = _context(browser, live_server, session, VIEWPORTS[viewport_name])
        try:
            for name, path in pages.items():
                response = page.goto(live_server.url + path, wait_until="load")
                assert response is not None and response.status == 200, (name, response and response.status)
                if name == "activity-answer-form":
                    page.locator(".comment-answer-form summary").first.click()
                _shoot(page, name, viewport_name, problems)
            assert errors == [], errors
        finally:
            context.close()
    assert not problems, "\n".join(problems)
