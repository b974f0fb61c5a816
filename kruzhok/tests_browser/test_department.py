"""A department member invites an institution by email; the link in the mail creates the
account; then the member uploads a catalog file, sees the preview, confirms and sees the report.

Same rules as test_pages.py: only the live server is reachable, CSP enforced (a violation is a
console error), axe-core on each page, no sideways scrolling. The live server runs in a thread
of this process, so its mails land in this process's `mail.outbox`.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


from kruzhok.accounts.models import Membership, User  # noqa: E402
from kruzhok.accounts.tests import factories as account_factories  # noqa: E402
from kruzhok.catalog.models import Activity, Department  # noqa: E402
from kruzhok.catalog.tests import factories  # noqa: E402
from kruzhok.imports.tests.conftest import csv_bytes, row  # noqa: E402
from kruzhok.tests_browser.test_pages import ARTIFACTS, _audit, _describe, _open, screenshot  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = ARTIFACTS
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
PASSWORD = account_factories.PASSWORD
NEW_PASSWORD = "Kruzhok-Invited-Pass-2026"  # noqa: S105 (a throwaway test account)


@pytest.fixture
def site(settings, live_server, tmp_path):
    settings.SITE_URL = live_server.url  # links in mails point at the live server
    settings.MAP_TILE_URL = ""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    mail.outbox = []
    yield live_server
    cache.clear()


@pytest.fixture
def network(site):
    education = Department.objects.get(slug="education")
    now = timezone.now()
    school = factories.organization(name="Школа искусств №3", department=education)
    centre = factories.organization(name="Дом детского творчества «Радуга»", department=education)
    factories.organization(name="Станция юных техников", department=education)
    factories.activity(organization=centre, title="Хор «Капель»", verified_at=now - timedelta(days=20))
    factories.activity(organization=centre, title="Керамика", verified_at=now - timedelta(days=300))
    account_factories.provider(centre, role="owner")
    member = account_factories.department_member(education, email="metodist@omsk-edu.example.ru")
    return {"school": school, "member": member}


@pytest.fixture
def browser(network, chromium):
    """Chromium, opened once the test data (network) exists (see conftest)."""
    return chromium


def _check(page, name: str, width: int, problems: list[str]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, path=str(SHOTS / f"department-{name}-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (name, width, overflow)
    violations = _audit(page)
    if violations:
        problems.append(f"{name} ({width}):\n{_describe(violations)}")


def _sign_in(page, email: str) -> None:
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()


@pytest.mark.parametrize("viewport_name", list(WIDTHS))
def test_department_invites_an_institution_and_uploads_a_catalog(
    browser, site, network, viewport_name, tmp_path
):
    viewport = WIDTHS[viewport_name]
    width = viewport["width"]
    problems: list[str] = []
    email = f"director-{viewport_name}@school3.example.ru"

    context, page, _response, errors, outside = _open(browser, site, "/department/", viewport)
    try:
        page.wait_for_url("**/account/login/**")
        _sign_in(page, network["member"].email)
        page.wait_for_url("**/department/education/")
        assert page.get_by_role(
            "heading", name="Департамент образования Администрации города Омска"
        ).is_visible()
        assert page.get_by_text("Дом детского творчества «Радуга»").is_visible()
        assert page.get_by_text("есть устаревшие").first.is_visible()
        _check(page, "network", width, problems)

        page.get_by_role("link", name="Без записей").click()
        page.wait_for_url("**show=empty**")
        assert page.get_by_text("Школа искусств №3").is_visible()
        assert page.get_by_text("Дом детского творчества «Радуга»").count() == 0

        # Invite the school's director.
        page.get_by_role("navigation", name="Разделы департамента").get_by_role(
            "link", name="Приглашения"
        ).click()
        page.wait_for_url("**/invitations/")
        page.get_by_label("Адрес почты учреждения").fill("not an email")
        page.get_by_label("Организация из вашей сети").select_option(label="Школа искусств №3")
        page.get_by_role("button", name="Отправить приглашение").click()
        page.wait_for_load_state("load")
        assert page.get_by_text("Проверьте адрес").is_visible()
        _check(page, "invite-error", width, problems)
        # The refused form answered 400, which chromium logs as a console error: expected here.
        errors[:] = [e for e in errors if "status of 400" not in e]
        page.get_by_label("Адрес почты учреждения").fill(email)
        page.get_by_role("button", name="Отправить приглашение").click()
        page.wait_for_load_state("load")
        assert page.get_by_text(f"Приглашение для «Школа искусств №3» отправлено на {email}.").is_visible()
        assert page.locator(".dept-status-sent").first.is_visible()
        _check(page, "invitations", width, problems)

        message = next(m for m in mail.outbox if m.to == [email])
        found = re.search(r"http://\S+/invite/\S+/", str(message.body))
        assert found is not None, message.body
        link = found.group(0)
        assert link.startswith(site.url)

        # The director opens the link in their own browser and creates the account.
        guest, guest_page, _r, guest_errors, guest_outside = _open(
            browser, site, link[len(site.url) :], viewport
        )
        try:
            assert guest_page.get_by_text(email).is_visible()
            guest_page.get_by_label("Имя на сайте").fill("Ирина Петровна")
            guest_page.get_by_label("Пароль", exact=True).fill(NEW_PASSWORD)
            guest_page.get_by_label("Пароль (ещё раз)").fill(NEW_PASSWORD)
            _check(guest_page, "invite-signup", width, problems)
            guest_page.get_by_role("button", name="Создать аккаунт и принять приглашение").click()
            guest_page.wait_for_url("**/account/")
            assert guest_page.get_by_text("вы — владелец организации «Школа искусств №3»").is_visible()
            assert guest_page.locator(".account-nav").get_by_role("link", name="Ирина Петровна").is_visible()
            assert guest_errors == [] and guest_outside == []
            # The link is spent.
            guest_page.goto(link, wait_until="load")
            assert guest_page.get_by_role("heading", name="Приглашение не работает").is_visible()
            _check(guest_page, "invite-used", width, problems)
        finally:
            guest.close()
        director = User.objects.get(email=email)
        assert Membership.objects.get(user=director).role == "owner"

        page.reload(wait_until="load")
        assert page.locator(".dept-status-accepted").first.is_visible()

        # Upload a catalog: preview first, nothing written, then confirm.
        catalog = tmp_path / "seti-obrazovaniya.csv"
        catalog.write_bytes(
            csv_bytes(
                [
                    row(
                        organization="Школа искусств №3",
                        inn="",
                        title="Акварель для малышей",
                        direction="arts",
                        category="drawing",
                    ),
                    row(
                        organization="Школа искусств №3",
                        inn="",
                        title="Гитара",
                        direction="arts",
                        category="",
                    ),
                    row(
                        organization="Центр «Новый»",
                        inn="",
                        title="Шахматы",
                        direction="sport",
                        category="chess",
                    ),
                ]
            )
        )
        page.get_by_role("navigation", name="Разделы департамента").get_by_role(
            "link", name="Загрузить каталог"
        ).click()
        page.wait_for_url("**/upload/department/education/")
        _check(page, "upload", width, problems)
        page.get_by_label("Файл каталога (CSV или XLSX)").set_input_files(str(catalog))
        page.get_by_role("button", name="Проверить файл").click()
        page.wait_for_load_state("load")
        assert page.get_by_text("проверка без записи — ошибок нет").is_visible()
        assert page.get_by_role("cell", name="Акварель для малышей").is_visible()
        assert not Activity.objects.filter(title="Гитара").exists()
        _check(page, "upload-preview", width, problems)
        page.get_by_role("button", name="Загрузить в каталог").click()
        page.wait_for_load_state("load")
        assert page.get_by_role("heading", name="Каталог загружен").is_visible()
        assert page.get_by_text("импорт выполнен").is_visible()
        _check(page, "upload-report", width, problems)
        assert Activity.objects.filter(organization=network["school"]).count() == 2
        assert Activity.objects.filter(title="Шахматы", organization__department__slug="education").exists()

        page.get_by_role("link", name="К сети департамента").click()
        page.wait_for_url("**/department/education/")
        assert page.get_by_text("Центр «Новый»").is_visible()
        assert errors == [], errors
        assert outside == [], outside
    finally:
        context.close()
    assert not problems, "axe-core found serious or critical problems:\n" + "\n".join(problems)
