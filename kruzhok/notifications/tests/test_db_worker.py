"""The production path: with django-tasks-db the commit queues a `deliver_mail` task row, and
`manage.py db_worker` delivers it; a failed attempt queues its retry for later."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import transaction
from django.tasks import task_backends
from django.utils.connection import Local
from django_tasks_db.models import DBTaskResult

from kruzhok.notifications.models import OutboxMail
from kruzhok.notifications.outbox import mail_enqueue

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _reset_task_backends() -> None:
    """Django caches the TASKS setting and its backends; the tests switch them."""
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _reset_task_backends()
    yield
    _reset_task_backends()


def _message() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives("Тема", "Текст\n", "noreply@kruzhok.example", ["parent@example.org"])
    message.attach_alternative("<p>Текст</p>", "text/html")
    return message


def test_the_commit_queues_a_task_that_db_worker_delivers(database_tasks, smtp_server):
    with transaction.atomic():
        mail = mail_enqueue(key="db:1", message=_message())
        assert not DBTaskResult.objects.exists()  # nothing is queued before the commit
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "kruzhok.notifications.tasks.deliver_mail" and queued.args_kwargs["args"] == [
        mail.pk
    ]
    assert smtp_server.received == []

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    (received,) = smtp_server.received
    assert received["Message-ID"] == OutboxMail.objects.get(pk=mail.pk).headers["Message-ID"]
    assert OutboxMail.objects.get(pk=mail.pk).status == OutboxMail.Status.SENT


def test_a_failed_attempt_queues_its_retry_for_when_it_is_due(database_tasks, smtp_server):
    smtp_server.stop()
    mail = mail_enqueue(key="db:2", message=_message())
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    mail.refresh_from_db()
    assert mail.status == OutboxMail.Status.QUEUED and mail.attempts == 1
    # The first task ran (and succeeded: the failure is the mail's, recorded on its row); the retry
    # waits for its time.
    assert DBTaskResult.objects.count() == 2
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after == mail.next_attempt_at and retry.args_kwargs["args"] == [mail.pk]
