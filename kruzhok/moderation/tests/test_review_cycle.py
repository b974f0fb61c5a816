"""The review cycle end to end with a frozen clock: due → mail → «всё верно» → fresh; no answer →
outdated notice and the editors' queue → the editor decides. Twice-run safety, link checks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from kruzhok.accounts.tests import factories as people
from kruzhok.catalog.models import Activity, Status
from kruzhok.catalog.tests import factories
from kruzhok.core.models import AuditLog
from kruzhok.moderation import review_cycle
from kruzhok.moderation.models import ActivityVersion
from kruzhok.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db

DAY0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


class Clock:
    """`timezone.now()` for everything that asks Django (auto_now fields, services, views)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = DAY0
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def day(self, n: int, hours: int = 0) -> datetime:
        self.moment = DAY0 + timedelta(days=n, hours=hours)
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.REVIEW_AFTER_DAYS = 180
    settings.REVIEW_GRACE_DAYS = 30
    settings.REVIEW_LINK_EXTRA_DAYS = 30
    settings.SITE_URL = "https://kruzhok.example"
    cache.clear()


def _aged(activity: Activity, *, verified_days: int | None = None, created_days: int = 400) -> Activity:
    Activity.objects.filter(pk=activity.pk).update(
        created_at=DAY0 - timedelta(days=created_days),
        verified_at=None if verified_days is None else DAY0 - timedelta(days=verified_days),
    )
    activity.refresh_from_db()
    return activity


@pytest.fixture
def world(clock):
    """Org X with an owner and a staff member; org Z with nobody. Entries of every age."""
    org_x = factories.organization(name="Студия «Икс»")
    org_z = factories.organization(name="Клуб без хозяев")
    owner = people.provider(org_x, role="owner", email="owner@x.example.org", display_name="Ольга")
    staff = people.provider(org_x, email="staff@x.example.org", language="en")
    never_verified = _aged(
        factories.activity(organization=org_x, title="Шахматы для начинающих"), created_days=200
    )
    old_verified = _aged(factories.activity(organization=org_x, title="Акварель"), verified_days=190)
    fresh = _aged(factories.activity(organization=org_x, title="Робототехника"), verified_days=10)
    ownerless = _aged(factories.activity(organization=org_z, title="Футбол во дворе"), verified_days=365)
    archived = _aged(
        factories.activity(organization=org_x, title="Старый кружок", status=Status.ARCHIVED),
        verified_days=900,
    )
    return {
        "owner": owner,
        "staff": staff,
        "never_verified": never_verified,
        "old_verified": old_verified,
        "fresh": fresh,
        "ownerless": ownerless,
        "archived": archived,
    }


def _run(capture, now=None):
    with capture(execute=True):
        return review_cycle.review_cycle_run(now=now or timezone.now())


def _confirm_path(mail, title: str) -> str:
    """The «всё верно» link that follows `title` in the text part of the mail."""
    text = mail.body
    block = text[text.index(title) :]
    url = re.search(r"https://kruzhok\.example(/review/[^\s]+/)", block)
    assert url is not None, text
    return url.group(1)


@pytest.fixture
def editor(db):
    account = people.user("editor@example.org", is_editor=True, display_name="Редактор Ирина")
    people.enrol_totp(account)
    return account


def test_review_cycle_end_to_end(
    client, clock, world, editor, mailoutbox, django_capture_on_commit_callbacks
):
    # Day 0: two entries of org X are due (one never verified, one verified 190 days ago); the
    # ownerless one goes straight to the editors; the fresh and the archived ones are left alone.
    summary = _run(django_capture_on_commit_callbacks)
    assert (summary.due, summary.requested, summary.mails, summary.to_editors) == (3, 3, 2, 1)
    for key in ("never_verified", "old_verified", "ownerless"):
        world[key].refresh_from_db()
        assert world[key].review_requested_at == DAY0, key
    for key in ("fresh", "archived"):
        world[key].refresh_from_db()
        assert world[key].review_requested_at is None, key

    # One letter per member, each listing both entries, in the member's language.
    by_address = {mail.to[0]: mail for mail in mailoutbox}
    assert set(by_address) == {"owner@x.example.org", "staff@x.example.org"}
    russian = by_address["owner@x.example.org"]
    assert russian.subject == "Проверьте данные занятий на «Кружке» (2)"
    assert "Здравствуйте, Ольга!" in russian.body
    assert "Шахматы для начинающих" in russian.body and "Акварель" in russian.body
    assert "Робототехника" not in russian.body
    assert "https://kruzhok.example/manage/" in russian.body
    assert "1 июля 2026" in russian.body  # the grace period's end
    html = russian.alternatives[0][0]
    assert "Всё верно" in html and _confirm_path(russian, "Акварель") in html
    english = by_address["staff@x.example.org"]
    assert english.subject == "Check your activities on Kruzhok (2)"
    assert not re.search(r"[А-Яа-яЁё]", re.sub(r"«[^»]*»|Шахматы для начинающих|Акварель", "", english.body))

    queue = list(review_cycle.outdated_activities(now=DAY0))
    assert [a.pk for a in queue] == [world["ownerless"].pk] and queue[0].has_members is False
    assert not world["never_verified"].is_outdated

    # Day 10: the owner opens the link for «Шахматы…». Opening it changes nothing (scanners).
    clock.day(10)
    path = _confirm_path(russian, "Шахматы для начинающих")
    page = client.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Подтвердите данные занятия" in body and "Шахматы для начинающих" in body
    assert 'name="robots" content="noindex"' in body
    world["never_verified"].refresh_from_db()
    assert world["never_verified"].review_requested_at == DAY0 and world["never_verified"].verified_at is None

    done = client.post(path)
    assert done.status_code == 302 and done["Location"] == world["never_verified"].get_absolute_url()
    world["never_verified"].refresh_from_db()
    assert world["never_verified"].verified_at == clock.moment
    assert world["never_verified"].review_requested_at is None
    version = ActivityVersion.objects.filter(activity=world["never_verified"]).order_by("-number").first()
    assert version.action == ActivityVersion.Action.CONFIRMED and version.actor is None
    audit = AuditLog.objects.get(
        action="catalog.activity.confirmed", object_id=str(world["never_verified"].pk)
    )
    assert audit.data["via"] == "link" and audit.actor is None
    assert "Спасибо! Данные занятия подтверждены." in client.get(done["Location"]).content.decode()

    # A second click (or the staff member's copy of the link) changes nothing more.
    again = client.post(path)
    assert again.status_code == 200 and "Данные уже подтверждены" in again.content.decode()
    assert ActivityVersion.objects.filter(activity=world["never_verified"], action="confirmed").count() == 1

    # Day 31: «Акварель» got no answer: outdated on its page and in the editors' queue.
    clock.day(31)
    world["old_verified"].refresh_from_db()
    assert world["old_verified"].is_outdated
    page = client.get(world["old_verified"].get_absolute_url()).content.decode()
    assert "Данные могут быть устаревшими" in page
    assert (
        "Данные могут быть устаревшими"
        not in client.get(world["never_verified"].get_absolute_url()).content.decode()
    )
    queue_ids = [a.pk for a in review_cycle.outdated_activities()]
    assert queue_ids == [world["old_verified"].pk, world["ownerless"].pk]

    # The editor calls the studio and marks it verified.
    client.force_login(editor)
    review_page = client.get(f"/moderation/review/{world['old_verified'].pk}/")
    assert review_page.status_code == 200
    text = review_page.content.decode()
    assert "Ответа нет" in text and "owner@x.example.org" in text
    response = client.post(
        f"/moderation/review/{world['old_verified'].pk}/",
        {"action": "verified", "note": "Позвонили 2 июля: расписание верное."},
    )
    assert response.status_code == 302
    world["old_verified"].refresh_from_db()
    assert world["old_verified"].verified_at == clock.moment and not world["old_verified"].is_outdated
    assert [a.pk for a in review_cycle.outdated_activities()] == [world["ownerless"].pk]
    audit = AuditLog.objects.get(action="catalog.activity.confirmed", object_id=str(world["old_verified"].pk))
    assert audit.actor == editor and audit.data["via"] == "editor"
    version = ActivityVersion.objects.filter(activity=world["old_verified"]).order_by("-number").first()
    assert version.actor == editor and version.note == "Позвонили 2 июля: расписание верное."
    client.logout()
    assert (
        "Данные могут быть устаревшими"
        not in client.get(world["old_verified"].get_absolute_url()).content.decode()
    )


def test_running_twice_sends_nothing_twice(clock, world, mailoutbox, django_capture_on_commit_callbacks):
    first = _run(django_capture_on_commit_callbacks)
    assert first.requested == 3 and len(mailoutbox) == 2
    second = _run(django_capture_on_commit_callbacks)
    assert (second.due, second.requested, second.mails, second.to_editors) == (0, 0, 0, 0)
    clock.day(1)
    third = _run(django_capture_on_commit_callbacks)
    assert third.requested == 0 and len(mailoutbox) == 2
    assert AuditLog.objects.filter(action="moderation.review.requested").count() == 2
    assert AuditLog.objects.filter(action="moderation.review.to_editors").count() == 1


def test_a_concurrent_run_cannot_claim_what_another_run_claimed(clock, world):
    """The conditional UPDATE is the lock: only one claimer gets each row."""
    ids = [world["never_verified"].pk, world["old_verified"].pk]
    assert review_cycle._claim(ids, DAY0) == ids
    assert review_cycle._claim(ids, DAY0 + timedelta(seconds=1)) == []
    world["never_verified"].refresh_from_db()
    assert world["never_verified"].review_requested_at == DAY0


def test_entry_confirmed_after_the_request_is_not_due_again_until_its_time(
    clock, world, django_capture_on_commit_callbacks
):
    _run(django_capture_on_commit_callbacks)
    review_cycle.activity_confirm(activity=world["old_verified"], actor=None, via="test")
    clock.day(169)
    assert _run(django_capture_on_commit_callbacks).requested == 0
    clock.day(171)  # «Робототехника», verified 10 days before day 0, is due now
    assert _run(django_capture_on_commit_callbacks).requested == 1
    clock.day(181)  # «Акварель», confirmed on day 0, is due again
    summary = _run(django_capture_on_commit_callbacks)
    assert summary.requested == 1
    world["old_verified"].refresh_from_db()
    assert world["old_verified"].review_requested_at == clock.moment


def _link_for(activity: Activity) -> str:
    activity.refresh_from_db()
    return "/review/" + review_cycle.confirm_token(activity) + "/"


def test_tampered_links_are_refused_with_a_clear_page(
    client, clock, world, django_capture_on_commit_callbacks
):
    _run(django_capture_on_commit_callbacks)
    good = _link_for(world["old_verified"])
    token = good.split("/")[2]
    forged_payload = signing.dumps([world["fresh"].pk, int(DAY0.timestamp())], salt="another-salt")
    for path in (
        good[:-3] + ("A" if good[-3] != "A" else "B") + "/",
        "/review/" + token[:10] + "/",
        "/review/" + forged_payload + "/",
        "/review/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E/",
        "/review/" + signing.dumps(["x", "y"], salt=review_cycle.CONFIRM_SALT) + "/",
        "/review/" + signing.dumps([999999, int(DAY0.timestamp())], salt=review_cycle.CONFIRM_SALT) + "/",
    ):
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 400, path
            body = response.content.decode()
            assert "Ссылка повреждена" in body and "<img src=x" not in body
    world["old_verified"].refresh_from_db()
    assert world["old_verified"].verified_at == DAY0 - timedelta(days=190)


def test_expired_stale_and_archived_links(client, clock, world, editor, django_capture_on_commit_callbacks):
    _run(django_capture_on_commit_callbacks)
    old = _link_for(world["old_verified"])
    closed = _link_for(world["never_verified"])

    # The editor asks again: the first letter's link is now stale, the new one works.
    clock.day(40)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/moderation/review/{world['old_verified'].pk}/", {"action": "resend"})
    assert response.status_code == 302
    client.logout()
    stale = client.post(old)
    assert stale.status_code == 410 and "заменила более новая" in stale.content.decode()
    fresh_link = _link_for(world["old_verified"])
    assert fresh_link != old
    assert client.post(fresh_link).status_code == 302

    # Archived meanwhile.
    review_cycle.activity_archive(activity=world["never_verified"], actor=editor, note="закрылся")
    gone = client.get(closed)
    assert gone.status_code == 410 and "убрано из каталога" in gone.content.decode()

    # Expired: grace (30) + extra (30) days after the request, even if nobody answered.
    clock.day(61)
    late = _link_for(world["ownerless"])
    response = client.post(late)
    assert response.status_code == 410 and "Срок действия ссылки истёк" in response.content.decode()
    world["ownerless"].refresh_from_db()
    assert world["ownerless"].review_requested_at == DAY0 and world["ownerless"].verified_at < DAY0
    clock.day(59)
    assert client.get(late).status_code == 200


def test_editor_review_page_decisions(
    client, clock, world, editor, mailoutbox, django_capture_on_commit_callbacks
):
    _run(django_capture_on_commit_callbacks)
    clock.day(31)
    client.force_login(editor)
    ownerless = f"/moderation/review/{world['ownerless'].pk}/"

    page = client.get(ownerless).content.decode()
    assert "некому — в организации нет участников" in page

    # Asking again is refused when nobody can answer; nothing changes.
    refused = client.post(ownerless, {"action": "resend"})
    assert refused.status_code == 400 and "запрос некому отправить" in refused.content.decode()

    # Archive needs a reason; hostile input is kept as text and never rendered as markup.
    missing = client.post(ownerless, {"action": "archive", "note": "  "})
    assert (
        missing.status_code == 400 and "Напишите, почему занятие убрано в архив." in missing.content.decode()
    )
    bogus = client.post(ownerless, {"action": "delete-everything"})
    assert bogus.status_code == 400 and "Выберите решение." in bogus.content.decode()
    overlong = client.post(ownerless, {"action": "archive", "note": "x" * 301})
    assert overlong.status_code == 400
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    archived = client.post(ownerless, {"action": "archive", "note": payload})
    assert archived.status_code == 302
    world["ownerless"].refresh_from_db()
    assert world["ownerless"].status == Status.ARCHIVED and world["ownerless"].review_requested_at is None
    audit = AuditLog.objects.get(action="catalog.activity.archived", object_id=str(world["ownerless"].pk))
    assert audit.actor == editor and audit.data["note"] == payload
    after = client.get(ownerless).content.decode()
    assert "<script>alert" not in after and "onerror=alert" not in after
    # A decision on an archived entry does nothing.
    assert client.post(ownerless, {"action": "verified"}).status_code == 302
    assert Activity.objects.get(pk=world["ownerless"].pk).verified_at == DAY0 - timedelta(days=365)

    # Resend to org X: one letter per member, a fresh request.
    before = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        resent = client.post(f"/moderation/review/{world['old_verified'].pk}/", {"action": "resend"})
    assert resent.status_code == 302
    assert len(mailoutbox) == before + 2
    world["old_verified"].refresh_from_db()
    assert world["old_verified"].review_requested_at == clock.moment and not world["old_verified"].is_outdated
    assert AuditLog.objects.filter(action="moderation.review.resent", actor=editor).count() == 1


@pytest.mark.parametrize("who", ["anonymous", "citizen", "provider"])
def test_review_page_is_for_editors_only(client, world, who):
    url = f"/moderation/review/{world['old_verified'].pk}/"
    if who == "citizen":
        client.force_login(people.user())
    elif who == "provider":
        client.force_login(world["owner"])
    response = client.post(url, {"action": "verified"})
    if who == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    else:
        assert response.status_code == 403
    world["old_verified"].refresh_from_db()
    assert world["old_verified"].verified_at == DAY0 - timedelta(days=190)


def test_review_page_of_a_missing_activity_is_404(client, editor):
    client.force_login(editor)
    assert client.get("/moderation/review/999999/").status_code == 404


def test_command_prints_progress_and_summary_and_rejects_a_bad_date(world):
    out = StringIO()
    call_command("review_cycle", "--now", "2026-06-01T15:00", stdout=out)
    text = out.getvalue()
    assert "due: 3" in text and "3/3" in text
    assert "Готово: к проверке 3, запрошено 3 (организаций: 2), писем 2, сразу редакторам 1" in text
    assert OutboxMail.objects.filter(key__startswith="review_request:").count() == 2
    out = StringIO()
    call_command("review_cycle", "--now", "2026-06-01T15:00", stdout=out)
    assert "к проверке 0, запрошено 0" in out.getvalue()
    assert OutboxMail.objects.filter(key__startswith="review_request:").count() == 2
    with pytest.raises(CommandError, match="ГГГГ-ММ-ДД"):
        call_command("review_cycle", "--now", "вчера")


def test_review_pages_speak_english(client, clock, world, editor, django_capture_on_commit_callbacks):
    from kruzhok.core.tests.test_i18n import _untranslated_words

    _run(django_capture_on_commit_callbacks)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    confirm = client.get(_link_for(world["old_verified"])).content.decode()
    assert "Confirm the activity's data" in confirm and _untranslated_words(confirm) == set()
    broken = client.get("/review/nonsense/").content.decode()
    assert "The link is damaged" in broken and _untranslated_words(broken) == set()
    clock.day(31)
    outdated = client.get(world["old_verified"].get_absolute_url()).content.decode()
    assert "The data may be outdated" in outdated and _untranslated_words(outdated) == set()
    client.force_login(editor)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    review = client.get(f"/moderation/review/{world['old_verified'].pk}/").content.decode()
    assert "No answer" in review and _untranslated_words(review, query="Ольга Редактор Ирина") == set()
