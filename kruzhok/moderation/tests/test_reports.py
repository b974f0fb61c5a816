"""Problem reports: anyone sends one (honeypot, rate limit per IP, one a day per sender); an
editor confirms (optionally archiving a closed activity) or dismisses with a reason; the sender
hears back by mail when they left an address; every step in the audit log."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.cache import cache

from kruzhok.accounts.tests import factories as people
from kruzhok.catalog.models import Activity, Status
from kruzhok.catalog.tests import factories
from kruzhok.core.models import AuditLog
from kruzhok.moderation.models import ActivityVersion, Decision, ProblemReport
from kruzhok.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[клик](javascript:alert(1))",
    '"><svg onload=alert(1)>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
]


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.REPORTS_PER_HOUR = 5
    settings.IP_LIMIT_FACTOR = 5
    settings.TRUSTED_PROXIES = []
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def activity(db):
    return factories.activity(title="Секция плавания «Дельфин»", phone="+7 3812 00-00-00")


@pytest.fixture
def editor(db):
    account = people.user("editor@example.org", is_editor=True)
    people.enrol_totp(account)
    return account


def _url(activity: Activity) -> str:
    return f"/activities/{activity.pk}/report/"


class _Scan(HTMLParser):
    """Every tag and attribute of a page, to prove no payload became markup."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.bad_links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not dict(attrs).get("src"):
            self.scripts.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if (
                name in ("href", "src")
                and value
                and value.strip().lower().startswith(("javascript:", "data:text"))
            ):
                self.bad_links.append(value)


def _clean(html: str) -> None:
    scan = _Scan()
    scan.feed(html)
    assert scan.scripts == [] and scan.handlers == [] and scan.bad_links == [], (
        scan.scripts,
        scan.handlers,
        scan.bad_links,
    )


def test_activity_page_links_to_the_report_form(client, activity):
    page = client.get(activity.get_absolute_url()).content.decode()
    assert f'href="/activities/{activity.pk}/report/"' in page and "Сообщить о проблеме" in page


def test_anonymous_visitor_reports_a_problem(client, activity):
    form = client.get(_url(activity))
    assert form.status_code == 200
    html = form.content.decode()
    assert "Сообщить о проблеме" in html and "Секция плавания «Дельфин»" in html
    assert 'name="website_url"' in html and 'class="hp"' in html  # the honeypot, hidden
    for choice in ProblemReport.Problem.values:
        assert f'value="{choice}"' in html
    response = client.post(_url(activity), {"problem": "phone", "text": "Номер не отвечает.", "email": ""})
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    report = ProblemReport.objects.get()
    assert (report.problem, report.text, report.reporter, report.reporter_email) == (
        "phone",
        "Номер не отвечает.",
        None,
        "",
    )
    assert (
        report.status == Decision.PENDING
        and len(report.client_key) == 64
        and "127.0.0.1" not in report.client_key
    )
    assert AuditLog.objects.filter(action="moderation.report.created", object_id=str(report.pk)).exists()
    assert "Спасибо! Редакторы проверят сообщение" in client.get(response["Location"]).content.decode()


def test_signed_in_users_email_is_prefilled_and_the_report_is_theirs(client, activity):
    anna = people.user("anna@example.org")
    client.force_login(anna)
    assert 'value="anna@example.org"' in client.get(_url(activity)).content.decode()
    client.post(_url(activity), {"problem": "age", "email": "anna@example.org"})
    report = ProblemReport.objects.get()
    assert report.reporter == anna and report.reporter_email == "anna@example.org"


def test_the_same_sender_reporting_twice_a_day_is_told_it_is_already_reported(client, activity):
    assert client.post(_url(activity), {"problem": "closed"}).status_code == 302
    again = client.post(_url(activity), {"problem": "price"}, follow=True)
    assert "Вы уже сообщили о проблеме с этим занятием сегодня" in again.content.decode()
    assert ProblemReport.objects.count() == 1
    # Another visitor (another address) may still report it.
    other = client.post(_url(activity), {"problem": "price"}, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302 and ProblemReport.objects.count() == 2
    # A signed-in user is counted by account, not by the shared address.
    client.force_login(people.user())
    client.post(_url(activity), {"problem": "age"})
    assert ProblemReport.objects.count() == 3


def test_a_day_later_the_same_sender_may_report_again(client, activity):
    client.post(_url(activity), {"problem": "closed"})
    from datetime import timedelta

    from django.utils import timezone

    ProblemReport.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    client.post(_url(activity), {"problem": "closed"})
    assert ProblemReport.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "problem", "Выберите, что не так."),
        ({"problem": "nonsense"}, "problem", "Выберите, что не так."),
        ({"problem": "other", "text": "   "}, "text", "Опишите, что не так"),
        ({"problem": "phone", "text": "я" * 2001}, "text", "не более 2000"),
        ({"problem": "phone", "email": "not-an-email<script>"}, "email", "Введите правильный адрес"),
        ({"problem": "phone", "text": "ok\x00"}, "text", "ноль-байт"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_saved(client, activity, data, field, message):
    response = client.post(_url(activity), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message.lower() in html.lower(), html[-3000:]
    assert ProblemReport.objects.count() == 0
    _clean(html)


def test_what_was_typed_comes_back_on_an_error(client, activity):
    response = client.post(_url(activity), {"problem": "other", "text": "", "email": "me@example.org"})
    html = response.content.decode()
    assert 'value="me@example.org"' in html
    assert 'value="other" id="id_problem_6" required checked' in html


def test_filled_honeypot_saves_nothing(client, activity):
    response = client.post(_url(activity), {"problem": "phone", "website_url": "http://spam.example"})
    assert response.status_code == 400
    assert "Форма не отправлена" in response.content.decode()
    assert ProblemReport.objects.count() == 0


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_stored_as_typed_and_never_rendered_as_markup(client, activity, editor, payload):
    client.post(_url(activity), {"problem": "other", "text": payload, "email": ""})
    report = ProblemReport.objects.get()
    assert report.text == payload
    client.force_login(editor)
    page = client.get(f"/moderation/reports/{report.pk}/")
    assert page.status_code == 200
    _clean(page.content.decode())
    # Dismissed with the payload as the reason: the decided page is clean too.
    client.post(f"/moderation/reports/{report.pk}/", {"decision": "dismiss", "reason": payload})
    _clean(client.get(f"/moderation/reports/{report.pk}/").content.decode())


def test_report_on_a_missing_or_unpublished_activity_is_404(client, activity):
    assert client.get("/activities/999999/report/").status_code == 404
    draft = factories.activity(status=Status.DRAFT)
    assert client.post(_url(draft), {"problem": "phone"}).status_code == 404
    archived = factories.activity(status=Status.ARCHIVED)
    assert client.get(_url(archived)).status_code == 404
    assert ProblemReport.objects.count() == 0


def test_anonymous_reports_are_rate_limited_by_ip(client, settings):
    settings.REPORTS_PER_HOUR = 1
    settings.IP_LIMIT_FACTOR = 3  # one address: 3 an hour
    activities = [factories.activity() for _ in range(5)]
    codes = [client.post(_url(a), {"problem": "phone"}).status_code for a in activities[:4]]
    assert codes == [302, 302, 302, 429]
    assert ProblemReport.objects.count() == 3
    # Another address is counted apart.
    assert (
        client.post(_url(activities[4]), {"problem": "phone"}, REMOTE_ADDR="198.51.100.7").status_code == 302
    )


def test_spoofed_forwarded_for_does_not_escape_the_ip_limit(client, settings):
    settings.REPORTS_PER_HOUR = 1
    settings.IP_LIMIT_FACTOR = 1
    first, second = factories.activity(), factories.activity()
    assert client.post(_url(first), {"problem": "phone"}, HTTP_X_FORWARDED_FOR="10.0.0.1").status_code == 302
    blocked = client.post(_url(second), {"problem": "phone"}, HTTP_X_FORWARDED_FOR="10.0.0.2")
    assert blocked.status_code == 429 and blocked["Retry-After"]


# --- the editor's side ---------------------------------------------------------------------------


@pytest.fixture
def closed_report(activity):
    return ProblemReport.objects.create(
        activity=activity,
        problem="closed",
        text="Бассейн на ремонте, секция закрылась.",
        reporter_email="mama@example.org",
    )


def test_report_page_shows_the_report_and_other_open_reports(client, editor, closed_report, activity):
    other = ProblemReport.objects.create(activity=activity, problem="phone")
    decided = ProblemReport.objects.create(activity=activity, problem="age", status=Decision.REJECTED)
    client.force_login(editor)
    html = client.get(f"/moderation/reports/{closed_report.pk}/").content.decode()
    assert "Бассейн на ремонте" in html and "mama@example.org" in html
    assert f"/moderation/reports/{other.pk}/" in html and f"/moderation/reports/{decided.pk}/" not in html
    assert f"/moderation/activities/{activity.pk}/history/" in html
    assert "Убрать занятие в архив" in html  # offered for «closed» only
    phone = client.get(f"/moderation/reports/{other.pk}/").content.decode()
    assert "Убрать занятие в архив" not in phone


def test_editor_confirms_and_archives_a_closed_activity(
    client, editor, closed_report, activity, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/moderation/reports/{closed_report.pk}/",
            {"decision": "confirm", "archive": "on", "reason": "Позвонили: закрыто до осени."},
        )
    assert response.status_code == 302
    closed_report.refresh_from_db()
    activity.refresh_from_db()
    assert closed_report.status == Decision.ACCEPTED and closed_report.decided_by == editor
    assert closed_report.decided_at is not None
    assert activity.status == Status.ARCHIVED and activity.archived_at is not None
    versions = list(ActivityVersion.objects.filter(activity=activity).order_by("number"))
    assert [v.number for v in versions] == [1, 2]  # the state before, then the archived one
    assert versions[0].data["status"] == "published" and versions[1].data["status"] == "archived"
    assert versions[1].actor == editor
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"moderation.report.confirmed", "catalog.activity.archived"} <= actions
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["mama@example.org"] and mail.subject == "Спасибо: проблема с занятием подтверждена"
    assert "Позвонили: закрыто до осени." in mail.body and "Секция плавания «Дельфин»" in mail.body
    # The public page is gone (410), and the search index dropped it with the save.
    assert client.get(activity.get_absolute_url()).status_code == 410


def test_editor_dismisses_with_a_reason_and_the_sender_hears_why(
    client, editor, activity, mailoutbox, django_capture_on_commit_callbacks
):
    anna = people.user("anna@example.org", language="en")
    report = ProblemReport.objects.create(
        activity=activity, problem="price", reporter=anna, reporter_email="anna@example.org"
    )
    client.force_login(editor)
    missing = client.post(f"/moderation/reports/{report.pk}/", {"decision": "dismiss", "reason": " "})
    assert missing.status_code == 400 and "Напишите, почему сообщение отклонено" in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/moderation/reports/{report.pk}/", {"decision": "dismiss", "reason": "Price is on the website."}
        )
    report.refresh_from_db()
    assert report.status == Decision.REJECTED and report.reason == "Price is on the website."
    assert AuditLog.objects.filter(action="moderation.report.dismissed", actor=editor).exists()
    assert len(mailoutbox) == 1 and mailoutbox[0].subject == "Your problem report has been reviewed"
    activity.refresh_from_db()
    assert activity.status == Status.PUBLISHED


def test_no_mail_without_an_address_and_no_second_decision(
    client, editor, activity, mailoutbox, django_capture_on_commit_callbacks
):
    report = ProblemReport.objects.create(activity=activity, problem="schedule")
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/moderation/reports/{report.pk}/", {"decision": "confirm", "reason": ""})
    assert mailoutbox == [] and not OutboxMail.objects.exists()
    report.refresh_from_db()
    assert report.status == Decision.ACCEPTED
    # A second decision (another tab) changes nothing.
    again = client.post(f"/moderation/reports/{report.pk}/", {"decision": "dismiss", "reason": "нет"})
    assert again.status_code == 302
    report.refresh_from_db()
    assert report.status == Decision.ACCEPTED
    assert (
        AuditLog.objects.filter(action__startswith="moderation.report.")
        .exclude(action="moderation.report.created")
        .count()
        == 1
    )


def test_archive_is_refused_for_problems_other_than_closed_and_for_a_dismissal(
    client, editor, closed_report, activity
):
    client.force_login(editor)
    response = client.post(
        f"/moderation/reports/{closed_report.pk}/", {"decision": "dismiss", "archive": "on", "reason": "нет"}
    )
    assert response.status_code == 400 and "не убирает занятие в архив" in response.content.decode()
    phone = ProblemReport.objects.create(activity=activity, problem="phone")
    client.post(f"/moderation/reports/{phone.pk}/", {"decision": "confirm", "archive": "on"})
    activity.refresh_from_db()
    assert activity.status == Status.PUBLISHED  # the field is not on that form: ignored


@pytest.mark.parametrize("who", ["anonymous", "citizen", "provider", "editor_without_totp"])
def test_report_page_is_for_editors_with_totp_only(client, closed_report, activity, who):
    url = f"/moderation/reports/{closed_report.pk}/"
    if who == "citizen":
        client.force_login(people.user())
    elif who == "provider":
        client.force_login(people.provider(activity.organization))
    elif who == "editor_without_totp":
        client.force_login(people.user(is_editor=True))
    response = client.post(url, {"decision": "dismiss", "reason": "x"})
    if who == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    elif who == "editor_without_totp":
        assert response.status_code == 302 and response["Location"] == "/account/2fa/totp/activate/"
    else:
        assert response.status_code == 403
    closed_report.refresh_from_db()
    assert closed_report.is_pending


def test_missing_report_is_404(client, editor):
    client.force_login(editor)
    assert client.get("/moderation/reports/999999/").status_code == 404


def test_report_pages_speak_english(client, activity, editor, closed_report):
    from kruzhok.core.tests.test_i18n import _untranslated_words

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    form = client.get(_url(activity)).content.decode()
    assert "Report a problem" in form and _untranslated_words(form) == set()
    refused = client.post(_url(activity), {"problem": "other"}).content.decode()
    assert "Describe what is wrong" in refused and _untranslated_words(refused) == set()
    client.force_login(editor)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/moderation/reports/{closed_report.pk}/").content.decode()
    assert _untranslated_words(page, query=closed_report.text) == set()
