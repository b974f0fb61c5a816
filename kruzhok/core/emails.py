"""Every mail the site sends: three templates (subject, text, HTML) rendered by `send_mail`.

`template` is a prefix: `account/email/password_reset_key` renders
`…_subject.txt`, `…_message.txt` and `…_message.html`. Mails go out in the recipient's language
(Russian unless they chose English), whatever language the request that caused them was in.

`send_mail` does not talk to the mail server: it writes the rendered mail to the outbox
(kruzhok/notifications/outbox.py) in the caller's transaction — the mail exists exactly when the
change that caused it committed — and the outbox delivers it after the commit and retries it until
the server takes it. A `key` names what the mail is about (`kind:recipient:object:period`): the same
key twice is one mail, so a retried service call or a second run mails nothing new. Without one,
every call is a mail.

Leaving. Every mail the site sends on its own carries a one-click way out (RFC 2369
`List-Unsubscribe` and RFC 8058 `List-Unsubscribe-Post`, and a link in the footer):

- a mail about a subscription passes its own `unsubscribe_url` (and `manage_url`, and the
  headers);
- any other notice passes a `category` (MAIL_CATEGORIES): an address that opted out of it gets no
  such mail, and the mail's link opts out of just that category, without signing in.

Exempt are the mails a person asked for a moment ago or must get for the safety of their account,
which allauth sends through `accounts.adapter.AccountAdapter.send_mail`: address confirmation,
password reset, and the notices of a changed password, address or second factor. Stopping them
would lock people out of, or leave them blind to, their own account.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from kruzhok.notifications.models import OutboxMail

logger = logging.getLogger(__name__)

# The kinds of notice a person may stop receiving, each with what the one-click page tells them
# they are stopping.
MAIL_CATEGORIES = {
    "moderation": _("решения редакторов по вашим правкам, предложениям занятий и заявкам на организации"),
    "comments": _("решения редакторов по вашим отзывам"),
    "reports": _("ответы на ваши сообщения о проблемах с занятиями"),
    "review": _("просьбы проверить данные занятий вашей организации"),
    "invitations": _("приглашения департаментов представлять организацию на сайте"),
}

# The same categories in a word or two, for the one-click page («Письма «…» больше не будут
# приходить»).
MAIL_CATEGORY_NAMES = {
    "moderation": _("решения модераторов"),
    "comments": _("ответы на комментарии"),
    "reports": _("ответы на сообщения о проблемах"),
    "review": _("проверка актуальности"),
    "invitations": _("приглашения"),
}


def site_url(path: str = "") -> str:
    """An absolute link for mails and feeds: SITE_URL + path, whatever host a request came by."""
    return settings.SITE_URL.rstrip("/") + path


def render_mail(
    *,
    template: str,
    to: list[str],
    context: dict[str, Any],
    language: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    context = {"SITE_URL": site_url(), "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        subject = _plain_subject(render_to_string(f"{template}_subject.txt", context))
        text = render_to_string(f"{template}_message.txt", context).strip() + "\n"
        html = render_to_string(f"{template}_message.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to, headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def _plain_subject(text: str) -> str:
    """One line (every line break Python knows becomes a space), and no RFC 2047 encoded-word: the
    email package decodes `=?utf-8?q?=0D=0A?=` in a header it is given, so a name typed that way
    would reach the reader's mail program as a line break. A zero-width space after `=` keeps the
    text as it looks and stops it being read as an encoded-word."""
    return " ".join(text.split()).replace("=?", "=\u200b?")


def mailable(address: str) -> bool:
    """An address a mail can go to: one well-formed address, no line breaks (header injection)."""
    try:
        validate_email(address)
    except ValidationError:
        return False
    return "\r" not in address and "\n" not in address


def send_mail(
    *,
    template: str,
    to: str,
    context: dict[str, Any],
    language: str | None = None,
    key: str | None = None,
    headers: dict[str, str] | None = None,
    category: str | None = None,
    unsubscribe_url: str | None = None,
    manage_url: str | None = None,
) -> OutboxMail | None:
    """Render and queue one mail; returns its outbox row, or None when nothing was queued: the
    address opted out of `category`, or is no address at all (logged). A bad address never
    raises, so the change the mail reports still commits."""
    from kruzhok.notifications import subscriptions
    from kruzhok.notifications.outbox import mail_enqueue

    if category is not None and category not in MAIL_CATEGORIES:
        raise ValueError(f"unknown mail category {category!r}")
    if not mailable(to):
        logger.warning("Not mailing %s: %r is not a deliverable address", template, to[:100])
        return None
    extra: dict[str, Any] = {}
    list_headers: dict[str, str] = {}
    if category is not None:
        if subscriptions.opted_out(to, category):
            logger.info("Not mailing %s: the address opted out of %s", template, category)
            return None
        unsubscribe_url = subscriptions.optout_url(to, category)
        extra["unsubscribe_category"] = category
    if unsubscribe_url:
        extra["unsubscribe_url"] = unsubscribe_url
        list_headers = subscriptions.list_unsubscribe_headers(unsubscribe_url)
    if manage_url:
        extra["manage_url"] = manage_url
    message = render_mail(
        template=template,
        to=[to],
        context={**context, **extra},
        language=language,
        headers={**list_headers, **(headers or {})},
    )
    return mail_enqueue(key=key or f"{template}:{uuid.uuid4().hex}", message=message)
