"""Mail delivery you can trust: every mail is a row in the outbox before it is a message on the wire.

`mail_enqueue` writes the row in the caller's transaction (so a mail exists exactly when the change
that caused it was committed) and, on commit, queues the task `deliver_mail`. Delivery:

1. **Claim** — one conditional UPDATE turns a due row (`queued` and due, or `sending` whose lease
   has expired) into `sending` with `leased_until = now + OUTBOX_LEASE_S` and counts the attempt.
   Two workers (a task and the cron sweep, say) racing for one row: one UPDATE wins, the other
   changes nothing and walks away.
2. **Send** through the configured mailer (SMTP with EMAIL_TIMEOUT_S), outside any transaction.
3. **Mark** `sent`; on an error record it and put the row back to `queued` with exponential
   backoff (`OUTBOX_RETRY_BASE_S · 2^(attempts−1)`), or `failed` after OUTBOX_MAX_ATTEMPTS.

A worker that dies between 1 and 3 leaves the row `sending`; when its lease expires the sweep
(`manage.py deliver_mail`) claims it again. **At-least-once window:** if the worker dies after the
SMTP server accepted the message but before step 3 committed, the mail is sent a second time after
the lease expires. Its Message-ID, fixed when the mail was queued, stays the same, so a recipient's
mail system can recognise the copy. Nothing is ever sent twice outside that window, and no
committed mail is lost: a lost task only delays it until the next sweep.
"""

from __future__ import annotations

import email.policy
import logging
from collections import Counter
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kruzhok.core.services import audit_log
from kruzhok.notifications.models import OutboxMail

logger = logging.getLogger(__name__)

Status = OutboxMail.Status
# How long a failed mail waits at most between two attempts, however many it has had.
MAX_BACKOFF = timedelta(hours=6)


def mail_enqueue(*, key: str, message: EmailMultiAlternatives) -> OutboxMail:
    """Queue `message` (one recipient) under `key`; a second call with the same key queues nothing
    and returns the row the first one wrote."""
    if len(message.to) != 1 or message.cc or message.bcc:
        raise ValueError("An outbox mail has exactly one recipient.")
    # A mail that can never be sent (a line break in a header: header injection) fails here, in the
    # caller, instead of in eight retries nobody watches.
    message.message()
    html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    headers = {str(name): str(value) for name, value in message.extra_headers.items()}
    # Fixed now, so every retry (and the one copy the at-least-once window may cause) is the same
    # message to the recipient's mail system.
    headers.setdefault("Message-ID", make_msgid(domain=_mail_domain(message.from_email)))
    with transaction.atomic():
        mail, created = OutboxMail.objects.get_or_create(
            key=key,
            defaults={
                "recipient": message.to[0],
                "from_email": message.from_email,
                "subject": str(message.subject),
                "body_text": str(message.body),
                "body_html": str(html),
                "headers": headers,
                "next_attempt_at": timezone.now(),
            },
        )
    if created:
        transaction.on_commit(partial(_queue_task, mail.pk))
    return mail


def mail_deliver(*, mail_id: int) -> str:
    """Claim, send and mark one mail. Returns what happened: `sent`, `retry`, `failed`, or `skipped`
    (not due, already sent, or claimed by another worker)."""
    now = timezone.now()
    lease = timedelta(seconds=settings.OUTBOX_LEASE_S)
    claimed = (
        OutboxMail.objects.filter(pk=mail_id)
        .filter(_due(now))
        .update(status=Status.SENDING, leased_until=now + lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    mail = OutboxMail.objects.get(pk=mail_id)
    try:
        _message(mail).send()
    except Exception as error:  # noqa: BLE001 — any failure of the mailer is recorded and retried
        return _record_failure(mail, error)
    OutboxMail.objects.filter(pk=mail.pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), leased_until=None, last_error=""
    )
    return "sent"


def mail_deliver_due(*, limit: int = 100) -> Counter[str]:
    """One sweep: deliver up to `limit` rows that are due or whose lease expired (their task was
    lost or their worker died). Safe to run twice at once: each row is claimed by one UPDATE."""
    ids = list(
        OutboxMail.objects.filter(_due(timezone.now()))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return Counter(mail_deliver(mail_id=mail_id) for mail_id in ids)


def _due(now: datetime) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(status=Status.SENDING, leased_until__lt=now)


def _record_failure(mail: OutboxMail, error: Exception) -> str:
    message = f"{type(error).__name__}: {error}"[:2000]
    now = timezone.now()
    rows = OutboxMail.objects.filter(pk=mail.pk, status=Status.SENDING)
    if mail.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        rows.update(status=Status.FAILED, leased_until=None, last_error=message)
        logger.error("Mail %s failed for good after %d attempts: %s", mail.key, mail.attempts, message)
        audit_log(
            action="notifications.mail.failed",
            obj=mail,
            data={"key": mail.key, "attempts": mail.attempts, "error": message},
        )
        return "failed"
    backoff = timedelta(seconds=settings.OUTBOX_RETRY_BASE_S * 2 ** (mail.attempts - 1))
    next_attempt_at = now + min(backoff, MAX_BACKOFF)
    rows.update(status=Status.QUEUED, leased_until=None, last_error=message, next_attempt_at=next_attempt_at)
    logger.warning(
        "Mail %s attempt %d failed (%s); next at %s", mail.key, mail.attempts, message, next_attempt_at
    )
    _queue_task(mail.pk, run_after=next_attempt_at)
    return "retry"


def _queue_task(mail_id: int, run_after: datetime | None = None) -> None:
    """Hand the mail to the task backend. A backend that cannot defer (the in-process one used by
    `make run` and the tests) leaves retries to the sweep; a task that cannot be queued at all only
    delays the mail until the next sweep."""
    from kruzhok.notifications.tasks import deliver_mail

    try:
        if run_after is None:
            deliver_mail.enqueue(mail_id)
        elif deliver_mail.get_backend().supports_defer:
            deliver_mail.using(run_after=run_after).enqueue(mail_id)
    except Exception:
        logger.exception("Could not queue the delivery of mail %s; the sweep will send it", mail_id)


class _UnfoldedMessage(EmailMultiAlternatives):
    """Headers up to RFC 5322's 998 characters on one line. Django's SMTP backend renders with
    `email.policy.SMTP`, which folds at 78: a longer List-Unsubscribe URL then goes out as RFC 2047
    encoded-words that mail programs do not decode in that header (their one-click unsubscribe
    breaks), and long Cyrillic subjects lose their spaces."""

    def message(self, *, policy: Any = email.policy.default) -> Any:
        return super().message(policy=(policy or email.policy.default).clone(max_line_length=998))


def _message(mail: OutboxMail) -> EmailMultiAlternatives:
    message = _UnfoldedMessage(
        mail.subject, mail.body_text, mail.from_email, [mail.recipient], headers=dict(mail.headers)
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    return message


def _mail_domain(from_email: str) -> str:
    address = parseaddr(from_email)[1]
    return address.rpartition("@")[2] or urlsplit(settings.SITE_URL).hostname or "localhost"
