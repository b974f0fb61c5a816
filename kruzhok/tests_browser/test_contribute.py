"""A citizen adds an activity in chromium, an editor (signed in with password + TOTP) accepts it
in /moderation/, and it shows up in /search/. Screenshots of /contribute/, the suggest-edit page,
/moderation/ and the suggestion page at 390 and 1280 px go to test-artifacts/ (or
KRUZHOK_SHOTS_DIR); the same rules as test_pages.py: only the live server, CSP on, axe-core."""

from __future__ import annotations

import os

import pytest
from django.core import mail
from django.core.cache import cache

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


from kruzhok.accounts.tests import factories as accounts  # noqa: E402
from kruzhok.catalog.tests import factories as catalog  # noqa: E402
from kruzhok.tests_browser.test_pages import ARTIFACTS, _audit, _describe, _open, screenshot  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = ARTIFACTS
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def people(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.MAP_TILE_URL = ""
    cache.clear()
    mail.outbox = []
    org = catalog.organization(name="Дворец творчества «Сибирь»", inn="5501234567")
    venue = catalog.venue(org, address="улица Лукашевича, 14")
    existing = catalog.activity(
        organization=org, venue=venue, title="Шахматная школа «Ладья»", categories=["chess"]
    )
    citizen = accounts.user("anna@example.org", display_name="Анна")
    editor = accounts.user("editor@example.org", display_name="Редактор", is_editor=True)
    secret = accounts.enrol_totp(editor)
    yield {"existing": existing, "citizen": citizen, "editor": editor, "secret": secret, "site": live_server}
    cache.clear()


@pytest.fixture
def browser(people, chromium):
    """Chromium, opened once the test data (people) exists (see conftest)."""
    return chromium


def _sign_in(page, email: str) -> None:
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль", exact=True).fill(accounts.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state("load")


def _shoot(page, name: str, problems: list[str]) -> None:
    """This page at 1280 and at 390 px (the same tab narrowed, so a POST result is shot too)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        screenshot(page, path=str(SHOTS / f"contribute-{name}-{viewport['width']}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, viewport["width"], overflow)
        violations = _audit(page)
        if violations:
            problems.append(f"{name} ({viewport['width']}):\n{_describe(violations)}")
    page.set_viewport_size(DESKTOP)


def test_citizen_adds_an_activity_editor_accepts_it_and_it_is_found(browser, people):
    site = people["site"]
    problems: list[str] = []
    context, page, _response, errors, outside = _open(browser, site, "/contribute/", DESKTOP)
    try:
        page.wait_for_url("**/account/login/**")
        assert page.get_by_text("Сообщить о проблеме можно и без входа").is_visible()
        _sign_in(page, "anna@example.org")
        page.wait_for_url("**/contribute/")

        page.get_by_label("Название занятия").fill("Клуб юных астрономов «Орбита»")
        page.get_by_label("Направленность").select_option("science")
        page.get_by_label("Категории").select_option(["ecology"])
        page.get_by_label("Возраст от, лет").fill("9")
        page.get_by_label("Возраст до, лет").fill("14")
        page.get_by_label("Цена в месяц, ₽").fill("1200")
        page.get_by_label("Описание").fill("Смотрим в телескоп, собираем модели ракет.")
        page.get_by_label("Расписание").fill("вт, чт 17:00-18:30")
        page.get_by_label("Организация", exact=True).fill("Обсерватория «Звезда»")
        page.get_by_label("Вид организации (если её ещё нет на сайте)").select_option("ngo")
        address = page.get_by_label("Адрес занятия")
        address.fill("улица Лукаш")
        # htmx fills the datalist with the gazetteer's streets while the citizen types
        page.locator("#address-options option").first.wait_for(state="attached")
        address.fill("улица Лукашевича, 14")
        page.get_by_label("Телефон").fill("+7 (3812) 11-22-33")
        page.get_by_role("button", name="Проверить", exact=True).click()
        page.wait_for_load_state("load")
        assert page.get_by_role("heading", name="Проверьте перед отправкой").is_visible()
        assert page.get_by_text("новая, редактор добавит её").is_visible()
        _shoot(page, "check", problems)
        page.get_by_role("button", name="Отправить на проверку").click()
        page.wait_for_url("**/contribute/sent/*/")
        assert page.get_by_role("heading", name="Спасибо! Предложение отправлено").is_visible()

        # nothing public yet
        page.goto(site.url + "/search/?q=астрономов", wait_until="load")
        assert page.get_by_text("Клуб юных астрономов «Орбита»").count() == 0

        page.goto(site.url + "/contribute/", wait_until="load")
        assert page.locator(".my-suggestions").get_by_text("ждёт решения").is_visible()
        _shoot(page, "contribute", problems)
        page.goto(site.url + people["existing"].get_absolute_url(), wait_until="load")
        page.get_by_role("link", name="Предложить правку").click()
        page.wait_for_url("**/suggest/")
        _shoot(page, "suggest-edit", problems)
        page.get_by_role("button", name="Выйти").click()
        page.wait_for_load_state("load")

        # the editor: password, then the code from the authenticator app
        page.goto(site.url + "/moderation/", wait_until="load")
        _sign_in(page, "editor@example.org")
        page.get_by_label("Код").fill(accounts.totp_code(people["secret"]))
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url("**/moderation/")
        assert page.get_by_role("heading", name="Очередь модерации").is_visible()
        _shoot(page, "queue", problems)
        page.get_by_role("link", name="Клуб юных астрономов «Орбита»").click()
        page.wait_for_url("**/moderation/suggestions/*/")
        assert page.get_by_text("Обсерватория «Звезда» — новая").is_visible()
        _shoot(page, "suggestion", problems)
        page.get_by_role("button", name="Принять и опубликовать").click()
        page.wait_for_url("**/moderation/")
        assert page.get_by_text("Занятие опубликовано").is_visible()

        page.goto(site.url + "/search/?q=астрономов", wait_until="load")
        page.get_by_role("link", name="Клуб юных астрономов «Орбита»").first.click()
        page.wait_for_load_state("load")
        assert page.get_by_role("heading", name="Клуб юных астрономов «Орбита»").is_visible()
        assert page.get_by_text("Обсерватория «Звезда»").first.is_visible()
        assert any(m.to == ["anna@example.org"] and "опубликовано" in m.subject for m in mail.outbox)
        assert errors == [], errors
        assert outside == [], outside
    finally:
        context.close()
    assert not problems, "axe-core found serious or critical problems:\n" + "\n".join(problems)
