"""Background jobs of the notifications app (Django's tasks API; `manage.py db_worker` runs them in
production, the in-process backend runs them at once under `make run` and in the tests)."""

from __future__ import annotations

from django.tasks import task

from kruzhok.notifications.outbox import mail_deliver


@task
def deliver_mail(mail_id: int) -> str:
    return mail_deliver(mail_id=mail_id)
