"""Problem reports and the review cycle in Debian's chromium: an anonymous visitor reports a
problem from an activity page; a provider opens the mailed «всё верно» link and confirms; the
editor's report and review pages. Screenshots at 390 and 1280 px, axe-core on each page, CSP
enforced, no sideways scrolling. Same rules as test_pages.py (ORM work before chromium opens)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


from kruzhok.accounts.tests import factories as people  # noqa: E402
from kruzhok.catalog.models import Activity  # noqa: E402
from kruzhok.catalog.tests import factories  # noqa: E402
from kruzhok.moderation import review_cycle  # noqa: E402
from kruzhok.moderation.models import ProblemReport  # noqa: E402
from kruzhok.tests_browser.test_pages import ARTIFACTS, _audit, _describe, screenshot  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 800}}
SHOTS = ARTIFACTS


@pytest.fixture
def scene(settings, live_server):
    """Everything the pages need, committed before chromium opens (see test_pages.browser)."""
    settings.MAP_TILE_URL = ""
    settings.SITE_URL = live_server.url
    cache.clear()
    org = factories.organization(name="Дворец творчества «Сибирь»", phone="+7 (3812) 55-12-34")
    people.provider(org, role="owner", email="owner@sibir.example", display_name="Ольга Петровна")
    swimming = factories.activity(
        organization=org, title="Секция плавания «Дельфин»", categories=["swimming"], price_rub=1800
    )
    chess = factories.activity(organization=org, title="Шахматная школа «Ладья»", categories=["chess"])
    requested = timezone.now().replace(microsecond=0) - timedelta(days=10)
    Activity.objects.filter(pk=chess.pk).update(
        review_requested_at=requested, verified_at=requested - timedelta(days=200)
    )
    chess.refresh_from_db()
    ownerless = factories.activity(title="Футбол во дворе", categories=["football"])
    Activity.objects.filter(pk=ownerless.pk).update(
        review_requested_at=timezone.now() - timedelta(days=40),
        verified_at=timezone.now() - timedelta(days=400),
    )
    report = ProblemReport.objects.create(
        activity=swimming,
        problem="closed",
        text="Бассейн закрыли на ремонт до осени, **секция не работает**. Объявление: [здесь](https://sibir.example/news)",
        reporter_email="mama@example.org",
    )
    ProblemReport.objects.create(activity=swimming, problem="phone", text="Не отвечают.")
    editor = people.user("editor@example.org", is_editor=True, display_name="Редактор Ирина")
    people.enrol_totp(editor)
    signed_in = Client()
    signed_in.force_login(editor)
    yield {
        "swimming": swimming,
        "confirm_path": "/review/" + review_cycle.confirm_token(chess) + "/",
        "chess_url": chess.get_absolute_url(),
        "report_path": f"/moderation/reports/{report.pk}/",
        "review_path": f"/moderation/review/{ownerless.pk}/",
        "outdated_url": ownerless.get_absolute_url(),
        "editor_session": signed_in.cookies[settings.SESSION_COOKIE_NAME].value,
        "live": live_server.url,
    }
    cache.clear()


@pytest.fixture
def browser(scene, chromium):
    """Chromium, opened once the test data (scene) exists (see conftest)."""
    return chromium


class Visit:
    """One browser context: only the live server is reachable; page errors and CSP violations
    (console errors) are collected."""

    def __init__(self, browser, live: str, viewport: str, session: str | None = None) -> None:
        self.live, self.viewport = live, viewport
        self.context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ru-RU")
        if session:
            self.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live}])
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.problems: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        # Refused forms answer 400 and dead links 400/410 on purpose (the tests check the status);
        # anything else on the console, a CSP violation above all, is a failure.
        if message.type == "error" and not message.text.startswith(
            "Failed to load resource: the server responded with a status of 4"
        ):
            self.errors.append(message.text)

    def _route(self, route) -> None:
        if route.request.url.startswith(self.live):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def go(self, path: str):
        return self.page.goto(self.live + path, wait_until="load")

    def check(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        screenshot(self.page, path=str(SHOTS / f"{name}-{self.viewport}.png"), full_page=True)
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, self.viewport, overflow)
        violations = _audit(self.page)
        if violations:
            self.problems.append(f"{name} ({self.viewport}):\n{_describe(violations)}")

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside
        assert not self.problems, "axe-core found serious or critical problems:\n" + "\n".join(self.problems)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_anonymous_visitor_reports_a_problem(scene, browser, viewport):
    visit = Visit(browser, scene["live"], viewport)
    try:
        visit.go(scene["swimming"].get_absolute_url())
        visit.page.get_by_role("link", name="Сообщить о проблеме").click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url.endswith(f"/activities/{scene['swimming'].pk}/report/")
        # A mistake first: «другое» without details keeps what was typed and says why.
        visit.page.get_by_label("другое").check()
        visit.page.get_by_label("Эл. почта для ответа").fill("papa@example.org")
        visit.page.get_by_role("button", name="Отправить").click()
        visit.page.wait_for_load_state("load")
        assert visit.page.get_by_text("Опишите, что не так").is_visible()
        assert visit.page.get_by_label("Эл. почта для ответа").input_value() == "papa@example.org"
        visit.check("report-form-error")
        visit.page.get_by_label("неверный телефон или контакты").check()
        visit.page.get_by_label("Подробности").fill(
            "Телефон +7 (3812) 55-12-34 не отвечает, новый — на сайте."
        )
        visit.check("report-form")
        visit.page.get_by_role("button", name="Отправить").click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url == scene["live"] + scene["swimming"].get_absolute_url()
        assert visit.page.get_by_text(
            "Спасибо! Редакторы проверят сообщение и исправят занятие."
        ).is_visible()
    finally:
        visit.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_provider_confirms_with_the_mailed_link(scene, browser, viewport):
    visit = Visit(browser, scene["live"], viewport)
    try:
        response = visit.go(scene["confirm_path"])
        assert response is not None and response.status == 200
        assert visit.page.get_by_role("heading", name="Подтвердите данные занятия").is_visible()
        assert visit.page.get_by_text("Шахматная школа «Ладья»").first.is_visible()
        visit.check("review-confirm")
        visit.page.get_by_role("button", name="Всё верно, подтвердить").click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url == scene["live"] + scene["chess_url"]
        assert visit.page.get_by_text("Спасибо! Данные занятия подтверждены.").is_visible()
        assert visit.page.get_by_text("Данные проверены").is_visible()
        # The same link again: a clear page, not an error.
        visit.go(scene["confirm_path"])
        assert visit.page.get_by_role("heading", name="Данные уже подтверждены").is_visible()
        visit.check("review-confirm-done")
        response = visit.go(scene["confirm_path"][:-6] + "XXXXX/")
        assert response is not None and response.status == 400
        assert visit.page.get_by_role("heading", name="Ссылка не работает").is_visible()
        visit.check("review-link-broken")
    finally:
        visit.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_editor_report_and_review_pages(scene, browser, viewport):
    visit = Visit(browser, scene["live"], viewport, session=scene["editor_session"])
    try:
        response = visit.go(scene["report_path"])
        assert response is not None and response.status == 200
        assert visit.page.get_by_text("Бассейн закрыли на ремонт до осени").is_visible()
        assert visit.page.locator(".user-text strong").inner_text() == "секция не работает"
        assert visit.page.get_by_role("link", name="№", exact=False).count() >= 1  # the other open report
        visit.check("moderation-report")
        response = visit.go(scene["review_path"])
        assert response is not None and response.status == 200
        assert visit.page.get_by_text("некому — в организации нет участников.").is_visible()
        visit.check("moderation-review")
        visit.page.get_by_label("Убрать занятие в архив").check()
        visit.page.get_by_role("button", name="Сохранить решение").click()
        visit.page.wait_for_load_state("load")
        assert visit.page.get_by_text("Напишите, почему занятие убрано в архив.").is_visible()
        visit.check("moderation-review-error")
        visit.go(scene["outdated_url"])
        assert visit.page.get_by_text("Данные могут быть устаревшими").is_visible()
        visit.check("activity-outdated")
    finally:
        visit.close()
