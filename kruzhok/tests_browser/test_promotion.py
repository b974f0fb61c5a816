"""Free promotion in Debian's chromium: an organization's page with its news and photo gallery,
the home page with «Выбор редакции», and the editors' featured page, at 390 and 1280 px —
screenshots into test-artifacts/, no console or CSP errors, no sideways scrolling, axe clean."""

from __future__ import annotations

import io
import mimetypes
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw

from kruzhok.accounts.tests import factories as accounts
from kruzhok.catalog.tests import factories
from kruzhok.core.images import reencode_image
from kruzhok.events.tests.factories import event
from kruzhok.promotion import services

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from kruzhok.tests_browser.test_pages import ARTIFACTS, _audit, _describe, screenshot  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 900}}


def _picture(colors: tuple[str, str], size: tuple[int, int] = (800, 600)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, colors[0])
    draw = ImageDraw.Draw(image)
    for n in range(0, size[0], 80):
        draw.rectangle((n, size[1] // 3, n + 40, size[1]), fill=colors[1])
    out = io.BytesIO()
    image.save(out, "JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def world(settings, tmp_path):
    settings.MAP_TILE_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    org = factories.organization(name="Дворец творчества «Сибирь»", phone="+7 (3812) 55-12-34")
    venue = factories.venue(org, address="улица Лукашевича, 14")
    chess = factories.activity(
        organization=org, venue=venue, title="Шахматная школа «Ладья»", categories=["chess"], price_rub=2500
    )
    football = factories.activity(
        organization=org, venue=venue, title="Футбол для малышей", age_min=5, age_max=7
    )
    provider = accounts.provider(org, role="owner", email="director@sibir.example", display_name="Ольга")
    editor = accounts.user("editor@example.org", is_editor=True, display_name="Редактор Ева")
    accounts.enrol_totp(editor)
    posts = [
        (
            "Набор в шахматную школу",
            "Открыт набор детей 7–12 лет. Первое занятие бесплатно.\n\nЗапись: https://sibir.example/zapis",
        ),
        ("Отчётный концерт", "Приглашаем родителей на концерт студии вокала в субботу в 17:00."),
        ("Турнир «Белая ладья»", "Наши ученики заняли второе место в городском турнире."),
        ("Новый зал", "Мы открыли новый зал для занятий хореографией."),
    ]
    for title, body in reversed(posts):
        services.post_create(organization=org, author=provider, title=title, body=body)
    for caption, colors in (
        ("Шахматный класс", ("#0f6b63", "#e3f1ef")),
        ("", ("#b4410c", "#fdeee4")),
        ("Концерт студии вокала", ("#1d4ed8", "#dbeafe")),
        ("Новый зал хореографии", ("#7c3aed", "#ede9fe")),
    ):
        services.photo_add(
            organization=org, author=provider, image=reencode_image(_picture(colors)), caption=caption
        )
    hidden = services.post_create(
        organization=org, author=provider, title="Скидки в магазине", body="Реклама"
    )
    services.item_hide(item=hidden, editor=editor, reason="Реклама стороннего магазина")
    starts = timezone.localtime() + timedelta(days=5)
    open_day = event(
        org,
        title="День открытых дверей",
        venue=venue,
        starts=starts.strftime("%Y-%m-%dT11:00"),
        ends=starts.strftime("%Y-%m-%dT14:00"),
    )
    today = timezone.localdate()
    start, end = today, today + timedelta(days=7)
    services.featured_add(editor=editor, direction=None, activity=chess, starts_on=start, ends_on=end)
    services.featured_add(editor=editor, direction=None, event=open_day, starts_on=start, ends_on=end)
    services.featured_add(
        editor=editor, direction=football.direction, activity=football, starts_on=start, ends_on=end
    )
    services.featured_add(
        editor=editor,
        direction=None,
        activity=football,
        starts_on=today + timedelta(days=10),
        ends_on=today + timedelta(days=20),
    )
    return {
        "org": org,
        "chess": chess,
        "sport": football.direction,
        "provider": _session(provider),
        "editor": _session(editor),
        "media": Path(settings.MEDIA_ROOT),
    }


@pytest.fixture
def browser(world, chromium):
    return chromium


def _context(browser, live_server, world, viewport: dict, session: str | None = None):
    context = browser.new_context(viewport=viewport, locale="ru-RU")
    if session:
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    outside: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(live_server.url + settings.MEDIA_URL):
            # The live server does not serve uploads (DEBUG is off): hand them over from MEDIA_ROOT.
            path = world["media"] / url[len(live_server.url + settings.MEDIA_URL) :]
            request_route.fulfill(
                status=200,
                body=path.read_bytes(),
                content_type=mimetypes.guess_type(str(path))[0] or "image/jpeg",
            )
        elif url.startswith(live_server.url):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page, errors, outside


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_promotion_pages_render_cleanly(browser, live_server, world, viewport_name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    org = world["org"]
    pages = [
        ("promo-organization", org.get_absolute_url(), None),
        ("promo-news", org.get_absolute_url() + "news/", None),
        ("promo-photos", org.get_absolute_url() + "photos/", None),
        ("promo-home", "/", None),
        ("promo-direction", world["sport"].get_absolute_url(), None),
        ("promo-manage", f"/manage/organizations/{org.pk}/news/", world["provider"]),
        ("promo-manage-editor", f"/manage/organizations/{org.pk}/news/", world["editor"]),
        ("promo-featured-editor", "/moderation/featured/", world["editor"]),
    ]
    problems = []
    for name, path, session in pages:
        context, page, errors, outside = _context(
            browser, live_server, world, VIEWPORTS[viewport_name], session
        )
        try:
            response = page.goto(live_server.url + path, wait_until="load")
            assert response is not None and response.status == 200, (name, response and response.status)
            # Lazy images below the fold load only when scrolled to: load them all for the screenshot.
            page.evaluate(
                "document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })"
            )
            page.evaluate(
                "async () => { for (let n = 0; n < 100 && ![...document.images].every(i => i.complete); n++)"
                " await new Promise(r => setTimeout(r, 100)); }"
            )
            screenshot(page, path=str(ARTIFACTS / f"{name}-{viewport_name}.png"), full_page=True)
            assert errors == [], (name, errors)
            assert outside == [], (name, outside)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (name, viewport_name, overflow)
            violations = _audit(page)
            if violations:
                problems.append(f"{name} ({viewport_name}):\n{_describe(violations)}")
            if name == "promo-organization":
                assert page.locator(".org-posts > li").count() == 3
                assert page.get_by_role("link", name="Все новости").is_visible()
                assert page.locator(".gallery img").count() == 4
                assert page.locator(".gallery img[alt='Дворец творчества «Сибирь»']").count() == 1
                broken = page.evaluate(
                    "[...document.querySelectorAll('.gallery img')].filter(i => !i.naturalWidth).length"
                )
                assert broken == 0
                assert page.get_by_role("link", name="https://sibir.example/zapis").is_visible()
                assert page.get_by_text("Скидки в магазине").count() == 0
            elif name == "promo-photos":
                assert page.get_by_role("heading", name="Фото: Дворец творчества «Сибирь»").is_visible()
                assert page.locator(".gallery img").count() == 4
                broken = page.evaluate(
                    "[...document.querySelectorAll('.gallery img')].filter(i => !i.naturalWidth).length"
                )
                assert broken == 0
            elif name == "promo-home":
                block = page.locator("section.featured")
                assert block.get_by_role("heading", name="Выбор редакции").is_visible()
                assert block.get_by_role("link", name="Шахматная школа «Ладья»").is_visible()
                assert block.get_by_role("link", name="День открытых дверей").is_visible()
                assert (
                    block.get_by_text("Футбол для малышей").count() == 0
                )  # a direction's pick, and a later one
            elif name == "promo-direction":
                assert page.locator("section.featured").get_by_text("Футбол для малышей").is_visible()
            elif name == "promo-manage":
                assert page.get_by_text("скрыто редактором").is_visible()
                assert page.get_by_label("Причина скрытия (её увидит организация)").count() == 0
            elif name == "promo-featured-editor":
                assert page.get_by_role("heading", name="Сейчас").count() == 2
                assert page.get_by_role("heading", name="Скоро").count() == 1
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_provider_writes_a_post_and_uploads_a_photo_without_js(browser, live_server, world):
    org = world["org"]
    context = browser.new_context(viewport=VIEWPORTS["390"], locale="ru-RU", java_script_enabled=False)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": world["provider"], "url": live_server.url}]
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + f"/manage/organizations/{org.pk}/")
        page.get_by_role("link", name="Новости и фото").click()
        page.get_by_label("Заголовок").fill("Каникулы")
        page.get_by_label("Текст").fill("Занятия продолжаются по обычному расписанию.")
        page.get_by_role("button", name="Опубликовать").click()
        assert page.get_by_text("Новость опубликована").is_visible()
        upload = world["media"] / "upload.jpg"
        upload.write_bytes(_picture(("#a16207", "#fef3c7")).read())
        page.get_by_label("Фото", exact=True).set_input_files(str(upload))
        page.locator("#id_caption").fill("Летний лагерь")
        page.get_by_role("button", name="Загрузить").click()
        assert page.get_by_text("Фото добавлено").is_visible()
        page.goto(live_server.url + org.get_absolute_url())
        assert page.get_by_role("heading", name="Каникулы").is_visible()
        assert page.locator(".gallery img[alt='Летний лагерь']").count() == 1
    finally:
        context.close()
