"""Every mail the site sends: three templates (subject, text, HTML) rendered by `send_mail`.

`template` is a prefix: `account/email/password_reset_key` renders
`…_subject.txt`, `…_message.txt` and `…_message.html`. Mails go out in the recipient's language
(Russian unless they chose English), whatever language the request that caused them was in.

`send_mail` does not talk to the mail server: it writes the rendered mail to the outbox
(kruzhok/notifications/outbox.py), which delivers it after the caller's transaction commits and
retries it until the server takes it. A `key` names what the mail is about
(`kind:recipient:object:period`): the same key twice is one mail. Without one, every call is a mail.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def render_mail(
    *,
    template: str,
    to: list[str],
    context: dict[str, Any],
    language: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    context = {"SITE_URL": settings.SITE_URL.rstrip("/"), "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}_message.txt", context).strip() + "\n"
        html = render_to_string(f"{template}_message.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to, headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def send_mail(
    *,
    template: str,
    to: str,
    context: dict[str, Any],
    language: str | None = None,
    key: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    from kruzhok.notifications.outbox import mail_enqueue

    message = render_mail(template=template, to=[to], context=context, language=language, headers=headers)
    mail_enqueue(key=key or f"{template}:{uuid.uuid4().hex}", message=message)
