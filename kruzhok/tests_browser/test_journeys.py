"""The main journey of each kind of visitor, end to end in Debian's chromium, at phone (390×844) and
desktop (1280×800) size: a parent, a citizen, a provider, a department and an editor.

Each step goes through the real pages (typing, clicking), and its outcome is checked on the page
and in the database. Every page visited is screenshotted into test-artifacts/<db>/journeys/ and
audited with axe-core (no serious or critical findings), may not scroll sideways, and may not log
a CSP violation or script error. Only the live server is reachable. Same rules as test_pages.py:
the data is committed before chromium opens.
"""

from __future__ import annotations

import io
import mimetypes
import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from PIL import Image, ImageDraw

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from kruzhok.accounts.models import Invitation, User  # noqa: E402
from kruzhok.accounts.tests import factories as people  # noqa: E402
from kruzhok.catalog.models import Activity, Department  # noqa: E402
from kruzhok.catalog.tests import factories  # noqa: E402
from kruzhok.community.models import Comment  # noqa: E402
from kruzhok.events.tests.factories import event  # noqa: E402
from kruzhok.moderation import review_cycle  # noqa: E402
from kruzhok.moderation.models import ProblemReport, Suggestion  # noqa: E402
from kruzhok.moderation.selectors import editable_values  # noqa: E402
from kruzhok.moderation.suggestions import suggestion_submit_edit  # noqa: E402
from kruzhok.notifications.models import OutboxMail, Subscription  # noqa: E402
from kruzhok.promotion.models import Featured, OrganizationPhoto, OrganizationPost  # noqa: E402
from kruzhok.tests_browser.test_pages import ARTIFACTS, _audit, _describe, screenshot  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = ARTIFACTS / "journeys"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
LENINA_10 = (54.9724, 73.3791)
NEW_PASSWORD = "Kruzhok-Journey-Pass-2026"  # noqa: S105 (a throwaway test account)


@pytest.fixture
def city(settings, live_server, tmp_path):
    """One small city with somebody in every role, committed before chromium opens."""
    settings.SITE_URL = live_server.url  # links in mails point at the live server
    settings.MAP_TILE_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    mail.outbox = []
    education = Department.objects.get(slug="education")
    centre = factories.okrug_row("Центральный")
    org = factories.organization(
        name="Дворец творчества «Сибирь»", department=education, phone="+7 (3812) 55-12-34"
    )
    near = factories.venue(
        org, address="улица Ленина, 12", lat=LENINA_10[0] + 0.002, lon=LENINA_10[1], district=centre
    )
    other = factories.venue(
        org, address="улица Гагарина, 3", lat=LENINA_10[0] - 0.01, lon=LENINA_10[1] + 0.01
    )
    far = factories.venue(org, address="улица Лукашевича, 14", lat=54.9947, lon=73.2739)
    football = factories.activity(
        organization=org, venue=near, title="Футбол для начинающих", categories=["football"],
        age_min=7, age_max=9, price_rub=1500, slots=[(0, "15:00", "16:30"), (3, "17:00", "18:30")],
    )  # fmt: skip
    mini = factories.activity(
        organization=org, venue=other, title="Мини-футбол «Старт»", categories=["football"], age_min=6, age_max=10
    )  # fmt: skip
    factories.activity(
        title="Футбольная школа «Иртыш»", categories=["football"], age_min=8, age_max=12, venue=far
    )
    chess = factories.activity(
        organization=org, venue=near, title="Шахматная школа «Ладья»", categories=["chess"], age_min=7, age_max=12
    )  # fmt: skip
    # Not checked for over a year: the next daily review run asks the organization about it.
    Activity.objects.filter(pk=chess.pk).update(verified_at=timezone.now() - timedelta(days=400))
    soon = timezone.localtime() + timedelta(days=3)
    match = event(
        org, title="Турнир по мини-футболу", venue=near, activity=mini,
        starts=soon.strftime("%Y-%m-%dT11:00"), ends=soon.strftime("%Y-%m-%dT13:00"),
    )  # fmt: skip
    school = factories.organization(name="Школа искусств №3", department=education)
    provider = people.provider(
        org, role="owner", email="director@sibir.example", display_name="Ольга Петровна"
    )
    member = people.department_member(
        education, email="metodist@omsk-edu.example.ru", display_name="Методист"
    )
    editor = people.user("editor@example.org", is_editor=True, display_name="Редактор Ирина")
    secret = people.enrol_totp(editor)
    anna = people.user("anna@example.org", display_name="Анна")
    edit = suggestion_submit_edit(
        author=anna,
        activity=football,
        data={"price_rub": 1700, "price_note": "с 1 сентября"},
        original=editable_values(football),
        note="Цену подняли, видела объявление на двери.",
    )
    spam = Comment.objects.create(
        activity=mini, author=people.user("spam@example.org"), text="Дешёвые бутсы тут: www.example.ru", status="held"
    )  # fmt: skip
    yield {
        "live": live_server.url,
        "media": Path(settings.MEDIA_ROOT),
        "org": org,
        "school": school,
        "football": football,
        "mini": mini,
        "chess": chess,
        "match": match,
        "provider": provider,
        "member": member,
        "editor": editor,
        "secret": secret,
        "edit": edit,
        "spam": spam,
    }
    cache.clear()


@pytest.fixture
def browser(city, chromium):
    """Chromium, opened once the city exists (see conftest)."""
    return chromium


class Journey:
    """One person's browser tab. `check(name)` screenshots the page, audits it with axe-core and
    measures sideways scrolling; problems pile up and fail the test at `close()`."""

    def __init__(self, browser, city: dict, role: str, viewport: str) -> None:
        self.live, self.media, self.role, self.viewport = city["live"], city["media"], role, viewport
        self.context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ru-RU")
        self.context.set_default_timeout(15_000)
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.problems: list[str] = []
        self.step = 0
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        # A refused form answers 400 on purpose; anything else on the console (a CSP violation
        # above all) is a failure.
        if message.type == "error" and "the server responded with a status of 400" not in message.text:
            self.errors.append(f"{self.page.url}: {message.text}")

    def _route(self, route) -> None:
        url = route.request.url
        media = self.live + settings.MEDIA_URL
        if url.startswith(media):
            # The live server does not serve uploads (DEBUG is off): hand them over from MEDIA_ROOT.
            path = self.media / url[len(media) :]
            route.fulfill(status=200, body=path.read_bytes(), content_type=mimetypes.guess_type(url)[0])
        elif url.startswith(self.live):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def go(self, path: str, name: str) -> None:
        """Open `path` as a typed address or a link from a mail, then check the page."""
        response = self.page.goto(self.live + path, wait_until="load")
        assert response is not None and response.status == 200, (path, response and response.status)
        self.check(name)

    def click(self, locator, name: str) -> None:
        """Follow a link or submit a form, then check the page it leads to."""
        locator.click()
        self.page.wait_for_load_state("load")
        self.check(name)

    def text(self) -> str:
        return self.page.locator("main").inner_text().replace("\xa0", " ").replace("\u202f", " ")

    def check(self, name: str) -> None:
        self.step += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"{self.role}-{self.step:02d}-{name}-{self.viewport}.png"
        screenshot(self.page, path=str(shot), full_page=True)
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            self.problems.append(f"{name} ({self.viewport}) scrolls sideways by {overflow}px")
        violations = _audit(self.page)
        if violations:
            self.problems.append(f"{name} ({self.viewport}):\n{_describe(violations)}")

    def sign_in(self, email: str, name: str, password: str = people.PASSWORD) -> None:
        self.page.get_by_label("Адрес электронной почты").fill(email)
        self.page.get_by_label("Пароль", exact=True).fill(password)
        self.click(self.page.get_by_role("button", name="Войти"), name)

    def nav(self, link: str, name: str) -> None:
        """A link of the header's account menu, as a person finds it."""
        self.click(self.page.locator(".account-nav").get_by_role("link", name=link), name)

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


def _link_in_mail(recipient: str, path: str) -> str:
    """The path of the first link to `path…` in the last mail to `recipient` (queued or sent)."""
    bodies = [m.body_text for m in OutboxMail.objects.filter(recipient=recipient).order_by("-pk")]
    bodies += [str(m.body) for m in reversed(mail.outbox) if recipient in m.to]
    for body in bodies:
        found = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s<>\"]*)", body)
        if found:
            return found.group(1)
    raise AssertionError(f"no {path} link in the mail to {recipient}: {bodies}")


def _picture(path: Path) -> Path:
    image = Image.new("RGB", (800, 600), "#0f6b63")
    draw = ImageDraw.Draw(image)
    for n in range(0, 800, 80):
        draw.rectangle((n, 200, n + 40, 600), fill="#e3f1ef")
    out = io.BytesIO()
    image.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_parent_searches_compares_and_subscribes(browser, city, viewport):
    j = Journey(browser, city, "parent", viewport)
    page = j.page
    email = f"mama-{viewport}@example.org"
    try:
        j.go("/", "home")
        page.get_by_label("Чем хочет заниматься ребёнок").fill("футбол")
        page.get_by_label("Где").fill("ул. Ленина, 10")
        page.get_by_label("Возраст ребёнка").fill("8")
        j.click(page.get_by_role("button", name="Найти"), "search")
        query = parse_qs(urlsplit(page.url).query)
        assert (query["q"], query["where"], query["age"]) == (["футбол"], ["ул. Ленина, 10"], ["8"])
        titles = page.locator("#results .card-title").all_text_contents()
        # The nearest one that fits the age first; the far one and the one for younger children left out.
        assert titles == ["Футбол для начинающих", "Мини-футбол «Старт»"], titles
        search_url = page.url

        j.click(page.locator("#results .card-title a").first, "activity")
        assert page.url.endswith(city["football"].get_absolute_url())
        assert page.get_by_role("heading", level=1).inner_text() == "Футбол для начинающих"
        assert "улица Ленина, 12" in j.text()
        page.go_back()
        page.wait_for_url(search_url)
        j.check("search-again")
        assert page.get_by_label("Чем хочет заниматься ребёнок").input_value() == "футбол"
        assert page.get_by_label("Возраст ребёнка").input_value() == "8"
        assert page.get_by_label("Где").input_value() == "ул. Ленина, 10"
        assert page.locator("#results .card-title").all_text_contents() == titles

        j.click(page.locator(".main-nav").get_by_role("link", name="События"), "events")
        day = page.locator(".event-day h2").first.inner_text()
        # Regression: the day heading read «Среда, 2 Декабря» (text-transform: capitalize).
        assert re.fullmatch(r"[А-ЯЁ][а-яё]+, \d{1,2} [а-яё]+", day), day
        j.click(page.get_by_role("link", name="Турнир по мини-футболу"), "event")
        assert page.url.endswith(city["match"].get_absolute_url())
        assert page.get_by_role("heading", level=1).inner_text() == "Турнир по мини-футболу"
        assert page.get_by_role("link", name="Мини-футбол «Старт»").is_visible()
        assert page.get_by_role("link", name="Добавить в календарь").is_visible()

        # Back to the search, to ask for news of it by mail (htmx answers in place).
        j.go(search_url[len(j.live) :], "search-to-subscribe")
        widget = page.locator("#subscribe-search")
        widget.scroll_into_view_if_needed()
        widget.get_by_label("Эл. почта").fill(email)
        widget.get_by_label("Как часто").select_option("weekly")
        widget.get_by_role("button", name="Подписаться").click()
        page.locator("#subscribe-search.subscribe-done").wait_for()
        assert f"Мы отправили письмо на {email}" in page.locator("#subscribe-search").inner_text()
        j.check("subscribe-sent")
        subscription = Subscription.objects.get(email=email)
        assert (subscription.status, subscription.frequency) == ("pending", "weekly")
        assert parse_qs(subscription.query)["q"] == ["футбол"], subscription.query

        j.go(_link_in_mail(email, "/subscriptions/confirm/"), "subscribe-confirm")
        assert page.get_by_role("heading", name="Подтвердите подписку").is_visible()
        j.click(page.get_by_role("button", name="Подтвердить подписку"), "subscribe-confirmed")
        assert page.get_by_role("heading", name="Подписка подтверждена").is_visible()
        subscription.refresh_from_db()
        assert subscription.status == "active"
    finally:
        j.close()


def test_citizen_signs_up_and_contributes(browser, city, viewport):
    j = Journey(browser, city, "citizen", viewport)
    page = j.page
    email = f"petr-{viewport}@example.org"
    football = city["football"]
    try:
        j.go("/", "home")
        j.nav("Регистрация", "signup")
        page.get_by_label("Адрес электронной почты").fill(email)
        page.get_by_label("Имя на сайте").fill("Пётр")
        page.get_by_label("Пароль", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Пароль (ещё раз)").fill(NEW_PASSWORD)
        j.click(page.get_by_role("button", name="Зарегистрироваться"), "verification-sent")
        assert page.url.endswith("/account/confirm-email/")
        citizen = User.objects.get(email=email)
        assert not EmailAddress.objects.get(user=citizen, email=email).verified

        j.go(_link_in_mail(email, "/account/confirm-email/"), "confirm-email")
        j.click(page.get_by_role("button", name="Подтвердить"), "confirmed")
        assert EmailAddress.objects.get(user=citizen, email=email).verified
        if "/account/login/" in page.url:
            j.sign_in(email, "signed-in", NEW_PASSWORD)
        assert page.locator(".account-nav").get_by_role("link", name="Пётр").is_visible()

        # A correction to an entry.
        j.go(football.get_absolute_url(), "activity")
        j.click(page.get_by_role("link", name="Предложить правку"), "suggest-edit")
        assert page.url.endswith(f"/activities/{football.pk}/suggest/")
        page.get_by_label("Цена в месяц, ₽").fill("1600")
        j.click(page.get_by_role("button", name="Отправить правку"), "suggest-edit-sent")
        assert "Спасибо" in j.text(), j.text()
        suggestion = Suggestion.objects.get(author=citizen, kind=Suggestion.Kind.EDIT)
        assert suggestion.data == {"price_rub": 1600} and suggestion.activity_id == football.pk

        # A new entry, from the footer's link.
        j.click(page.get_by_role("link", name="Добавить занятие или сообщить об ошибке"), "contribute")
        assert page.url.endswith("/contribute/")
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
        page.get_by_label("Адрес занятия").fill("улица Ленина, 12")
        page.get_by_label("Телефон").fill("+7 (3812) 11-22-33")
        j.click(page.get_by_role("button", name="Проверить", exact=True), "contribute-check")
        assert page.get_by_role("heading", name="Проверьте перед отправкой").is_visible()
        j.click(page.get_by_role("button", name="Отправить на проверку"), "contribute-sent")
        assert page.get_by_role("heading", name="Спасибо! Предложение отправлено").is_visible()
        new = Suggestion.objects.get(author=citizen, kind=Suggestion.Kind.NEW_ACTIVITY)
        assert new.data["activity"]["title"] == "Клуб юных астрономов «Орбита»"
        assert new.status == "pending"

        # A review with a rating.
        j.go(football.get_absolute_url(), "activity-again")
        form = page.locator("form.comment-form")
        form.get_by_label("Оценка").select_option("5")
        form.get_by_label("Отзыв").fill("Тренер терпеливый, сын ходит с радостью.")
        j.click(form.get_by_role("button", name="Отправить"), "commented")
        comment = Comment.objects.get(author=citizen)
        assert (comment.activity_id, comment.stars) == (football.pk, 5)
        assert page.locator(f"#comment-{comment.pk}").get_by_text("Тренер терпеливый").is_visible()

        # A problem with the entry.
        j.click(page.get_by_role("link", name="Сообщить о проблеме"), "report")
        assert page.url.endswith(f"/activities/{football.pk}/report/")
        page.get_by_label("неверный телефон или контакты").check()
        page.get_by_label("Подробности").fill("Телефон не отвечает третий день.")
        j.click(page.get_by_role("button", name="Отправить"), "reported")
        assert page.get_by_text("Спасибо! Редакторы проверят сообщение").is_visible()
        report = ProblemReport.objects.get(activity=football)
        assert report.problem == "phone" and "третий день" in report.text
    finally:
        j.close()


def test_provider_keeps_the_organization_up_to_date(browser, city, viewport, tmp_path):
    j = Journey(browser, city, "provider", viewport)
    page = j.page
    org, football, chess = city["org"], city["football"], city["chess"]
    try:
        j.go("/account/login/", "login")
        j.sign_in("director@sibir.example", "signed-in")
        j.nav("Мои организации", "organizations")
        j.click(
            page.locator("main").get_by_role("link", name="Дворец творчества «Сибирь»").first, "organization"
        )
        assert page.url.endswith(f"/manage/organizations/{org.pk}/")

        row = page.locator(".manage-activity", has_text="Футбол для начинающих")
        j.click(row.get_by_role("link", name="Править", exact=True), "activity-edit")
        page.get_by_label("Цена в месяц, ₽").fill("1800")
        j.click(page.get_by_role("button", name="Сохранить"), "activity-saved")
        assert page.get_by_text("Изменения сохранены и уже видны на сайте.").is_visible()
        football.refresh_from_db()
        assert football.price_rub == 1800

        j.go(f"/manage/organizations/{org.pk}/", "organization-again")
        row = page.locator(".manage-activity", has_text="Футбол для начинающих")
        j.click(row.get_by_role("link", name="Группы и расписание"), "groups")
        j.click(page.get_by_role("link", name="Править группу"), "group-edit")
        rows = page.locator(".slot-row")
        rows.nth(1).locator("input[type=checkbox]").check()  # drop Thursday
        rows.nth(2).get_by_label("День").select_option("5")
        rows.nth(2).get_by_label("Начало").fill("10:00")
        rows.nth(2).get_by_label("Конец").fill("11:30")
        j.click(page.get_by_role("button", name="Сохранить группу"), "group-saved")
        assert page.get_by_text("Группа и расписание сохранены").is_visible()
        slots = sorted((s.weekday, s.starts_at.strftime("%H:%M")) for s in football.groups.get().slots.all())
        assert slots == [(0, "15:00"), (5, "10:00")], slots

        # News with a photo.
        j.go(f"/manage/organizations/{org.pk}/", "organization-news")
        j.click(page.get_by_role("link", name="Новости и фото"), "news")
        page.get_by_label("Заголовок").fill("Набор в футбольную секцию")
        page.get_by_label("Текст").fill("Открыт набор детей 7–9 лет. Первое занятие бесплатно.")
        j.click(page.get_by_role("button", name="Опубликовать"), "news-posted")
        assert page.get_by_text("Новость опубликована").is_visible()
        page.get_by_label("Фото", exact=True).set_input_files(str(_picture(tmp_path / "field.jpg")))
        page.locator("#id_caption").fill("Новое поле")
        j.click(page.get_by_role("button", name="Загрузить"), "photo-added")
        assert page.get_by_text("Фото добавлено").is_visible()
        assert OrganizationPost.objects.get(organization=org).title == "Набор в футбольную секцию"
        assert OrganizationPhoto.objects.get(organization=org).caption == "Новое поле"
        j.go(org.get_absolute_url(), "public-page")
        assert page.get_by_role("heading", name="Набор в футбольную секцию").is_visible()
        photo = page.locator(".gallery img[alt='Новое поле']")
        assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
        # Regression: its own people were asked to claim the organization they already represent.
        assert page.get_by_role("link", name="Я представляю эту организацию").count() == 0
        assert page.get_by_role("link", name="Перейти к её занятиям").get_attribute("href") == (
            f"/manage/organizations/{org.pk}/"
        )

        # The daily review run asks about the entry nobody checked for a year; the mail's link.
        assert review_cycle.review_cycle_run().requested == 1
        j.go(_link_in_mail("director@sibir.example", "/review/"), "review-confirm")
        assert page.get_by_role("heading", name="Подтвердите данные занятия").is_visible()
        assert page.get_by_text("Шахматная школа «Ладья»").first.is_visible()
        j.click(page.get_by_role("button", name="Всё верно, подтвердить"), "review-confirmed")
        assert page.get_by_text("Спасибо! Данные занятия подтверждены.").is_visible()
        chess.refresh_from_db()
        assert chess.verified_at is not None and chess.verified_at > timezone.now() - timedelta(minutes=5)
    finally:
        j.close()


def test_department_invites_and_sees_its_network(browser, city, viewport):
    j = Journey(browser, city, "department", viewport)
    page = j.page
    school = city["school"]
    email = f"director-{viewport}@school3.example.ru"
    try:
        j.go("/account/login/", "login")
        j.sign_in("metodist@omsk-edu.example.ru", "signed-in")
        j.nav("Сеть", "network")
        assert "/department/education/" in page.url
        assert page.get_by_role(
            "heading", name="Департамент образования Администрации города Омска"
        ).is_visible()
        row = page.locator("tr", has_text="Школа искусств №3")
        j.click(row.get_by_role("link", name="пригласить"), "invite")
        assert "/invitations/" in page.url
        assert (
            page.get_by_label("Организация из вашей сети").locator("option:checked").inner_text()
            == school.name
        )
        page.get_by_label("Адрес почты учреждения").fill(email)
        j.click(page.get_by_role("button", name="Отправить приглашение"), "invited")
        assert page.get_by_text(f"Приглашение для «Школа искусств №3» отправлено на {email}.").is_visible()
        invitation = Invitation.objects.get(email=email)
        assert invitation.organization_id == school.pk and invitation.accepted_at is None
        assert _link_in_mail(email, "/invite/")

        j.nav("Показатели", "dashboard")
        assert "/dashboard/" in page.url
        assert page.get_by_role("heading", name="Показатели", exact=True).is_visible()
        assert page.get_by_text("Департамент образования").first.is_visible()
        assert page.get_by_text("Управление культуры").count() == 0  # only its own network
        assert page.locator("svg.chart").count() >= 1
    finally:
        j.close()


def test_editor_moderates_and_picks(browser, city, viewport):
    j = Journey(browser, city, "editor", viewport)
    page = j.page
    football, edit, spam, editor = city["football"], city["edit"], city["spam"], city["editor"]
    try:
        j.go("/moderation/", "login")
        assert "/account/login/" in page.url
        j.sign_in("editor@example.org", "mfa")
        page.get_by_label("Код").fill(people.totp_code(city["secret"]))
        j.click(page.get_by_role("button", name="Войти"), "queue")
        assert page.url.endswith("/moderation/")
        assert page.get_by_role("heading", name="Очередь модерации").is_visible()

        edits = page.locator("section", has=page.locator("#q-edits"))
        j.click(edits.get_by_role("link", name="Футбол для начинающих"), "suggestion")
        assert page.url.endswith(f"/moderation/suggestions/{edit.pk}/")
        assert page.get_by_text("Цену подняли, видела объявление на двери.").is_visible()
        # Regression: on a phone the columns' names were hidden and the values came unnamed.
        tag = page.locator(".diff .proposed-value .diff-tag").first
        if viewport == "phone":
            assert tag.is_visible() and tag.inner_text() == "Предложено:"
            box = page.get_by_label("Принять поле «Цена в месяц, ₽»").bounding_box()
            name = page.locator(".diff tbody th").first.bounding_box()
            assert box and name and abs(box["y"] - name["y"]) < name["height"], (box, name)
        else:
            assert not tag.is_visible()
        j.click(page.get_by_role("button", name="Принять отмеченные поля"), "suggestion-accepted")
        edit.refresh_from_db()
        football.refresh_from_db()
        assert edit.status == "accepted", edit.status
        assert (football.price_rub, football.price_note) == (1700, "с 1 сентября")

        j.go("/moderation/?section=comments", "queue-comments")
        j.click(page.get_by_role("link", name="Мини-футбол «Старт»"), "comment")
        assert page.url.endswith(f"/moderation/comments/{spam.pk}/")
        page.get_by_label("Причина").fill("Реклама магазина")
        j.click(page.get_by_role("button", name="Удалить отзыв"), "comment-removed")
        spam.refresh_from_db()
        assert spam.status == "removed" and spam.moderated_by_id == editor.pk

        j.go("/moderation/", "queue-again")
        j.click(page.get_by_role("link", name=re.compile("Выбор редакции на главной")), "featured")
        # Regression: the two date fields were bare browser inputs, half the height of the others.
        starts_on = page.get_by_label("С", exact=True).bounding_box()
        assert starts_on and starts_on["height"] >= 44, starts_on
        today = timezone.localdate()
        page.get_by_label("Где показать").select_option(label="Главная страница")
        page.get_by_label("Номер или адрес страницы").fill(city["live"] + football.get_absolute_url())
        page.get_by_label("С", exact=True).fill(today.isoformat())
        page.get_by_label("По (включительно)").fill((today + timedelta(days=7)).isoformat())
        j.click(page.get_by_role("button", name="Добавить в выбор редакции"), "featured-added")
        pick = Featured.objects.get()
        assert pick.activity_id == football.pk and pick.direction_id is None
        assert page.get_by_role("heading", name="Сейчас").is_visible()
        j.click(page.locator(".logo"), "home")
        featured = page.locator("section.featured")
        assert featured.get_by_role("link", name="Футбол для начинающих").is_visible()

        j.nav("Показатели", "dashboard")
        assert "/dashboard/" in page.url
        assert page.get_by_role("heading", name="Показатели", exact=True).is_visible()
        assert page.get_by_label("Департамент", exact=True).is_visible()  # the whole city
    finally:
        j.close()
