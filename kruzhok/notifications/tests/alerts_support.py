"""Helpers of the alert tests: active subscriptions made the way `subscribe` makes them, the runs,
and the mails the SMTP server received.

Until the subscription pages are merged, the URL names the mails link to (`subscriptions:…`) do
not exist; `subscription_urls` then serves a URL conf that adds them, only so `reverse` works.
Nothing here answers those URLs: the one-click unsubscribe is tested through
`subscriptions.subscription_cancel` with the token the mail's header carries.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone

from kruzhok.notifications.alerts import baseline
from kruzhok.notifications.models import Subscription
from kruzhok.notifications.subscriptions import target_of
from kruzhok.search.params import parse_params


def subscription(
    kind: str = Subscription.Kind.SEARCH,
    *,
    email: str = "parent@example.org",
    status: str = Subscription.Status.ACTIVE,
    frequency: str = Subscription.Frequency.IMMEDIATE,
    language: str = "ru",
    query: str = "",
    **targets: Any,
) -> Subscription:
    """A subscription as `subscribe` leaves it: everything that exists now is already seen, and a
    search is saved as its canonical URL parameters (what the search page's form posts)."""
    if query:
        query = parse_params(QueryDict(query))[0].query_string()
    sub = Subscription(
        kind=kind,
        email=email,
        status=status,
        frequency=frequency,
        language=language,
        query=query,
        target=target_of(
            kind,
            query=query,
            activity_id=getattr(targets.get("activity"), "pk", None),
            organization_id=getattr(targets.get("organization"), "pk", None),
            event_id=getattr(targets.get("event"), "pk", None),
        ),
        token=secrets.token_urlsafe(24),
        **targets,
    )
    baseline(sub)
    if status == Subscription.Status.ACTIVE:
        sub.confirmed_at = timezone.now()
    sub.save()
    return sub


def run(capture: Callable[..., Any], *args: str) -> str:
    """`manage.py send_alerts` with its mails delivered (the in-process task backend runs the
    delivery after the commit); returns what it printed."""
    from io import StringIO

    out = StringIO()
    with capture(execute=True):
        call_command("send_alerts", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    # Line ends as the message was written, not as SMTP carried them (CRLF).
    return str(text.get_content()).replace("\r\n", "\n"), str(html.get_content()).replace("\r\n", "\n")


def unsubscribe_token(message: EmailMessage) -> str:
    """The token of the one-click link in the List-Unsubscribe header (`<https://…/unsubscribe/T/>`)."""
    url = str(message["List-Unsubscribe"]).strip("<>")
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
