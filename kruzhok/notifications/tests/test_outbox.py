"""The outbox against a real SMTP server: what arrives, retries while the server refuses
connections, one mail per key, and a stuck `sending` row freed by its lease."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.utils import timezone

from kruzhok.core import emails
from kruzhok.core.models import AuditLog
from kruzhok.notifications.models import OutboxMail
from kruzhok.notifications.outbox import mail_deliver, mail_deliver_due, mail_enqueue

pytestmark = pytest.mark.django_db


def _message(
    to: str = "parent@example.org", subject: str = "Кружок: новое занятие"
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject,
        "Здравствуйте!\nВ вашем районе открылся кружок.\n",
        "Кружок <noreply@kruzhok.example>",
        [to],
        headers={"List-Unsubscribe": "<https://kruzhok.example/unsubscribe/abc/>"},
    )
    message.attach_alternative("<p>Здравствуйте! В вашем районе <b>открылся</b> кружок.</p>", "text/html")
    return message


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    moment = timezone.now() + timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_mail_arrives_with_both_parts_and_its_headers(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail = mail_enqueue(key="new_activity:7:2026-11-29", message=_message())
        # Nothing leaves before the commit.
        assert smtp_server.received == []

    (received,) = smtp_server.received
    assert received["To"] == "parent@example.org"
    assert received["Subject"] == "Кружок: новое занятие"
    assert received["List-Unsubscribe"] == "<https://kruzhok.example/unsubscribe/abc/>"
    mail.refresh_from_db()
    assert received["Message-ID"] == mail.headers["Message-ID"]
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None and "открылся кружок" in text.get_content()
    assert html is not None and "<b>открылся</b>" in html.get_content()
    assert mail.status == OutboxMail.Status.SENT and mail.attempts == 1 and mail.sent_at is not None
    assert mail.leased_until is None and mail.last_error == ""


def test_site_mails_go_through_the_outbox_and_a_key_makes_them_one(
    smtp_server, django_capture_on_commit_callbacks
):
    context = {
        "report": None,
        "activity": None,
        "confirmed": True,
        "page_url": "https://kruzhok.example/a/1/",
    }
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            emails.send_mail(
                template="emails/report_decided", to="anna@example.org", context=context, key="report:1"
            )
        emails.send_mail(template="emails/report_decided", to="anna@example.org", context=context)

    assert OutboxMail.objects.filter(key="report:1").count() == 1
    assert OutboxMail.objects.count() == 2  # without a key, every call is a mail
    assert [m["To"] for m in smtp_server.received] == ["anna@example.org", "anna@example.org"]
    assert all(m.get_body(preferencelist=("html",)) is not None for m in smtp_server.received)


def test_the_same_key_enqueued_twice_is_one_mail(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = mail_enqueue(key="review_request:42:2026-11-29", message=_message())
        second = mail_enqueue(key="review_request:42:2026-11-29", message=_message(subject="Другая тема"))
    assert second.pk == first.pk and second.subject == "Кружок: новое занятие"
    call_command("deliver_mail", "--once")
    assert len(smtp_server.received) == 1
    # Enqueued again after it was sent: still nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        mail_enqueue(key="review_request:42:2026-11-29", message=_message())
    assert len(smtp_server.received) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Тема\nBcc: victim@example.org"),
        ("to", ["parent@example.org\r\nBcc: victim@example.org"]),
        ("extra_headers", {"List-Unsubscribe": "<https://x.example/>\nBcc: victim@example.org"}),
    ],
)
def test_header_injection_is_refused_when_queued_not_retried_for_days(smtp_server, field, value):
    message = _message()
    setattr(message, field, value)
    with pytest.raises(ValueError):
        mail_enqueue(key="hostile", message=message)
    assert not OutboxMail.objects.exists() and smtp_server.received == []


def test_the_admin_shows_the_outbox_read_only_and_never_renders_a_mail_s_html(
    admin_client, django_capture_on_commit_callbacks
):
    message = _message()
    message.alternatives = []
    message.attach_alternative('<script>alert("x")</script><p>Привет</p>', "text/html")
    with django_capture_on_commit_callbacks(execute=True):
        mail = mail_enqueue(key="admin:1", message=message)
    listing = admin_client.get("/admin/notifications/outboxmail/")
    assert listing.status_code == 200 and "admin:1" in listing.content.decode()
    page = admin_client.get(f"/admin/notifications/outboxmail/{mail.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "&lt;script&gt;alert" in body and '<script>alert("x")' not in body
    assert admin_client.get("/admin/notifications/outboxmail/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/notifications/outboxmail/{mail.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert OutboxMail.objects.filter(pk=mail.pk).exists()


def test_a_message_with_several_recipients_is_refused(db):
    message = _message()
    message.to = ["a@example.org", "b@example.org"]
    with pytest.raises(ValueError):
        mail_enqueue(key="two", message=message)
    assert not OutboxMail.objects.exists()


def test_refused_connections_are_retried_with_backoff_and_each_mail_arrives_once(
    smtp_server, monkeypatch, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            mail_enqueue(key=f"down:{n}", message=_message(to=f"p{n}@example.org"))
    started = timezone.now()
    for mail in OutboxMail.objects.all():
        assert mail.status == OutboxMail.Status.QUEUED and mail.attempts == 1
        assert "Connection" in mail.last_error or "refused" in mail.last_error.lower()
        assert timedelta(seconds=55) < mail.next_attempt_at - started <= timedelta(seconds=60)

    # Not due yet: a sweep right away sends nothing and spends no attempt.
    assert mail_deliver_due() == {}
    # Still down a minute later: the second attempt fails too and waits twice as long.
    _later(monkeypatch, 61)
    assert mail_deliver_due() == {"retry": 3}
    for mail in OutboxMail.objects.all():
        assert mail.attempts == 2 and mail.next_attempt_at - timezone.now() == timedelta(seconds=120)

    smtp_server.start()
    _later(monkeypatch, 61 + 121)
    call_command("deliver_mail", "--once")
    call_command("deliver_mail", "--once")  # a second sweep (cron overlapping) sends nothing again
    assert sorted(m["To"] for m in smtp_server.received) == [
        "p0@example.org",
        "p1@example.org",
        "p2@example.org",
    ]
    assert set(OutboxMail.objects.values_list("status", "attempts")) == {(OutboxMail.Status.SENT, 3)}


def test_a_mail_is_given_up_after_the_last_attempt(
    smtp_server, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        mail = mail_enqueue(key="doomed", message=_message())
    _later(monkeypatch, 3600)
    assert mail_deliver_due() == {"failed": 1}
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.FAILED and mail.attempts == 2 and mail.last_error
    assert AuditLog.objects.filter(action="notifications.mail.failed", object_id=str(mail.pk)).exists()
    smtp_server.start()
    _later(monkeypatch, 7 * 86400)
    assert mail_deliver_due() == {} and smtp_server.received == []


def test_an_expired_lease_makes_a_stuck_sending_row_deliverable_again(
    smtp_server, monkeypatch, django_capture_on_commit_callbacks
):
    smtp_server.stop()  # the task's attempt fails; what matters is the row a dead worker left
    with django_capture_on_commit_callbacks(execute=True):
        mail = mail_enqueue(key="stuck", message=_message())
    smtp_server.start()
    # A worker claimed it and died: `sending`, leased for five more minutes.
    OutboxMail.objects.filter(pk=mail.pk).update(
        status=OutboxMail.Status.SENDING, leased_until=timezone.now() + timedelta(seconds=300)
    )
    assert mail_deliver(mail_id=mail.pk) == "skipped"
    assert mail_deliver_due() == {} and smtp_server.received == []

    _later(monkeypatch, 301)
    assert mail_deliver_due() == {"sent": 1}
    assert mail_deliver(mail_id=mail.pk) == "skipped"  # a late task for it finds nothing to do
    assert len(smtp_server.received) == 1
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.SENT and mail.attempts == 2
