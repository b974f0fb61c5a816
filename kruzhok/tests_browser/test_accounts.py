"""A parent signs up, follows the link from the mail, and signs in, in Debian's chromium.

Same rules as test_pages.py: only the live server is reachable, CSP enforced (a violation is a
console error), axe-core on each page, no sideways scrolling, at phone and desktop widths.
Screenshots go to test-artifacts/ (or KRUZHOK_SHOTS_DIR).
"""

from __future__ import annotations

import os
import re

import pytest
from django.core import mail
from django.core.cache import cache

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


from kruzhok.tests_browser.test_pages import ARTIFACTS, VIEWPORTS, _audit, _describe, _open, screenshot  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Kruzhok-Browser-Pass-2026"  # noqa: S105 (a throwaway test account)
SHOTS = ARTIFACTS


@pytest.fixture
def site(settings, live_server):
    settings.SITE_URL = live_server.url  # links in mails point at the live server
    settings.MAP_TILE_URL = ""
    cache.clear()
    mail.outbox = []
    yield live_server
    cache.clear()


@pytest.fixture
def browser(site, chromium):
    """Chromium, opened once the test data (site) exists (see conftest)."""
    return chromium


def _check(page, name: str, viewport_name: str, problems: list[str]) -> None:
    """Screenshot, no sideways scroll, no serious axe findings."""
    screenshot(
        page, path=str(SHOTS / f"account-{name}-{VIEWPORTS[viewport_name]['width']}.png"), full_page=True
    )
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (name, viewport_name, overflow)
    violations = _audit(page)
    if violations:
        problems.append(f"{name} ({viewport_name}):\n{_describe(violations)}")


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_parent_signs_up_confirms_the_address_from_the_mail_and_signs_in(browser, site, viewport_name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    email = f"mama-{viewport_name}@example.org"
    problems: list[str] = []
    context, page, _response, errors, outside = _open(browser, site, "/", VIEWPORTS[viewport_name])
    try:
        page.get_by_role("link", name="Регистрация").click()
        page.wait_for_url("**/account/signup/")
        page.get_by_label("Адрес электронной почты").fill(email)
        page.get_by_label("Имя на сайте").fill("Мама Пети")
        page.get_by_label("Пароль", exact=True).fill(PASSWORD)
        page.get_by_label("Пароль (ещё раз)").fill("not the same")
        page.get_by_role("button", name="Зарегистрироваться").click()
        page.wait_for_load_state("load")
        # A mistake comes back with the field marked and the reason in Russian.
        assert page.locator("#id_password2[aria-invalid='true']").count() == 1
        assert page.get_by_text("Вы должны ввести одинаковый пароль дважды.").is_visible()
        _check(page, "signup-error", viewport_name, problems)

        page.get_by_label("Пароль", exact=True).fill(PASSWORD)
        page.get_by_label("Пароль (ещё раз)").fill(PASSWORD)
        page.get_by_role("button", name="Зарегистрироваться").click()
        page.wait_for_url("**/account/confirm-email/")
        assert page.get_by_role("heading", name="Подтвердите адрес почты").is_visible()
        _check(page, "verification-sent", viewport_name, problems)

        message = next(m for m in mail.outbox if m.to == [email])
        found = re.search(r"http://\S+/account/confirm-email/\S+", str(message.body))
        assert found is not None, message.body
        link = found.group(0)
        assert link.startswith(site.url)
        page.goto(link, wait_until="load")
        assert page.get_by_text(email).first.is_visible()
        _check(page, "confirm", viewport_name, problems)
        page.get_by_role("button", name="Подтвердить").click()
        page.wait_for_url("**/account/login/")

        page.get_by_label("Адрес электронной почты").fill(email)
        page.get_by_label("Пароль", exact=True).fill(PASSWORD)
        _check(page, "login", viewport_name, problems)
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url("**/account/")
        header = page.locator(".account-nav")
        assert header.get_by_role("link", name="Мама Пети").is_visible()
        assert header.get_by_role("button", name="Выйти").is_visible()
        assert page.get_by_role("heading", name="Профиль", exact=True).is_visible()
        _check(page, "profile", viewport_name, problems)

        header.get_by_role("button", name="Выйти").click()
        page.wait_for_url(site.url + "/")
        assert page.locator(".account-nav").get_by_role("link", name="Войти").is_visible()
        assert errors == [], errors
        assert outside == [], outside
    finally:
        context.close()
    assert not problems, "axe-core found serious or critical problems:\n" + "\n".join(problems)
