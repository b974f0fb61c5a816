"""Subscriptions: what a person asked to hear about, and every way to leave.

- `subscribe` records one (a search, an activity or organization to follow, an event to be
  reminded of). A signed-in person with a verified address is subscribed at once; anyone else gets
  a confirmation mail first (double opt-in) and nothing else until they confirm.
- `subscription_confirm` / `subscription_cancel` act on the secret `token` the mails carry: no
  sign-in is needed to leave, and the unsubscribe link works with one POST (RFC 8058).
- Mails that are not about a subscription (moderation outcomes, review-cycle requests…) carry a
  signed one-click link to stop that *category* of mail (`MailOptOut`); `core.emails.send_mail`
  checks it before queuing.

What counts as «new» starts at the moment of subscribing: `seen_seq` is the search index's
sequence number then, `seen_at` the time, `state` the followed fields (alerts.baseline).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from kruzhok.core.emails import site_url
from kruzhok.core.services import audit_log
from kruzhok.notifications.models import MailOptOut, Subscription

Kind = Subscription.Kind
Frequency = Subscription.Frequency
Status = Subscription.Status
OPTOUT_SALT = "kruzhok.notifications.optout"
# The most subscriptions one address may hold: a person follows dozens of things, a script more.
MAX_PER_EMAIL = 200


class SubscriptionError(Exception):
    """Why a subscription cannot be made; `code` for the caller, the message for the person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Subscribed:
    subscription: Subscription
    # `active` (mails start now), `already` (nothing new), `confirm` (a mail went to the address: the
    # confirmation link, or — when the address is already subscribed and the request cannot prove
    # it is theirs — a note with the manage link). A stranger typing an address thus never learns
    # whether it is subscribed, and cannot change someone else's subscription.
    outcome: str


def normalize_email(email: str) -> str:
    return email.strip().lower()


def target_of(
    kind: str,
    *,
    query: str = "",
    activity_id: int | None = None,
    organization_id: int | None = None,
    event_id: int | None = None,
) -> str:
    match kind:
        case Kind.SEARCH:
            return f"search:{query}"
        case Kind.ACTIVITY:
            return f"activity:{activity_id}"
        case Kind.ORGANIZATION:
            return f"organization:{organization_id}"
        case Kind.EVENT:
            return f"event:{event_id}"
    raise ValueError(f"unknown subscription kind {kind!r}")


def _verified(user: AbstractBaseUser | AnonymousUser | None, email: str) -> bool:
    """True when `user` is signed in and `email` is one of their verified addresses."""
    if user is None or not user.is_authenticated:
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def subscribe(
    *,
    kind: str,
    email: str,
    user: AbstractBaseUser | AnonymousUser | None = None,
    language: str = "ru",
    frequency: str = Frequency.DAILY,
    query: str = "",
    activity: Any = None,
    organization: Any = None,
    event: Any = None,
) -> Subscribed:
    """Subscribe `email` to one thing. Subscribing again to the same thing changes its frequency
    (and sends another confirmation while it is still pending); a cancelled one comes back."""
    from kruzhok.notifications.alerts import baseline

    email = normalize_email(email)
    if frequency not in Frequency.values:
        raise SubscriptionError("frequency", "unknown frequency")
    target = target_of(
        kind,
        query=query,
        activity_id=getattr(activity, "pk", None),
        organization_id=getattr(organization, "pk", None),
        event_id=getattr(event, "pk", None),
    )
    verified = _verified(user, email)
    account = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        existing = Subscription.objects.select_for_update().filter(email=email, target=target).first()
        if existing is None:
            if (
                Subscription.objects.filter(email=email).exclude(status=Status.CANCELLED).count()
                >= MAX_PER_EMAIL
            ):
                raise SubscriptionError("too_many", "too many subscriptions for one address")
            subscription = Subscription(
                kind=kind,
                email=email,
                target=target,
                query=query,
                activity=activity,
                organization=organization,
                event=event,
                token=secrets.token_urlsafe(24),
            )
        else:
            subscription = existing
            if existing.status == Status.ACTIVE:
                if not verified:
                    _send_already(existing)
                    return Subscribed(existing, "confirm")
                changed = existing.frequency != frequency
                existing.frequency = frequency
                existing.save(update_fields=["frequency"])
                return Subscribed(existing, "active" if changed else "already")
        subscription.frequency = frequency
        subscription.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        if account is not None and subscription.user_id is None:
            subscription.user_id = account.pk
        subscription.cancelled_at = None
        baseline(subscription)
        if verified:
            subscription.status = Status.ACTIVE
            subscription.confirmed_at = timezone.now()
        else:
            subscription.status = Status.PENDING
        try:
            with transaction.atomic():
                subscription.save()
        except IntegrityError:  # the same subscription made a moment ago by a second request
            subscription = Subscription.objects.get(email=email, target=target)
            return Subscribed(subscription, "already" if verified else "confirm")
        if verified:
            audit_log(action="notifications.subscribed", obj=subscription, data={"target": target[:200]})
            return Subscribed(subscription, "active")
        _send_confirmation(subscription)
        return Subscribed(subscription, "confirm")


def _send_confirmation(subscription: Subscription) -> None:
    from kruzhok.core.emails import send_mail

    # At most one confirmation per subscription and day: a form posted again does not flood a
    # stranger's mailbox (the rate limit in the view covers many subscriptions).
    day = timezone.localdate().isoformat()
    send_mail(
        template="emails/subscription_confirm",
        to=subscription.email,
        context={"subscription": subscription, "confirm_url": confirm_url(subscription)},
        language=subscription.language,
        key=f"subscription_confirm:{subscription.pk}:{day}",
    )


def _send_already(subscription: Subscription) -> None:
    from kruzhok.core.emails import send_mail

    send_mail(
        template="emails/subscription_already",
        to=subscription.email,
        context={"subscription": subscription},
        language=subscription.language,
        key=f"subscription_already:{subscription.pk}:{timezone.localdate().isoformat()}",
        unsubscribe_url=unsubscribe_url(subscription),
        manage_url=manage_url(subscription),
    )


def by_token(token: str) -> Subscription | None:
    if not token or len(token) > 64:
        return None
    return (
        Subscription.objects.select_related("activity", "organization", "event").filter(token=token).first()
    )


def subscription_confirm(*, token: str) -> Subscription | None:
    """Confirm the address of a pending subscription (idempotent). None: no such link."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(token=token).first()
        if subscription is None:
            return None
        if subscription.status == Status.PENDING:
            subscription.status = Status.ACTIVE
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["status", "confirmed_at"])
            audit_log(
                action="notifications.confirmed", obj=subscription, data={"target": subscription.target[:200]}
            )
    return subscription


def subscription_cancel(*, token: str) -> Subscription | None:
    """Unsubscribe (idempotent). None: no such link."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(token=token).first()
        if subscription is None:
            return None
        if subscription.status != Status.CANCELLED:
            subscription.status = Status.CANCELLED
            subscription.cancelled_at = timezone.now()
            subscription.save(update_fields=["status", "cancelled_at"])
            audit_log(
                action="notifications.unsubscribed",
                obj=subscription,
                data={"target": subscription.target[:200]},
            )
    return subscription


def subscription_resume(*, token: str) -> Subscription | None:
    """«Подписаться снова» after unsubscribing (idempotent). The token only ever travelled by mail
    to that address, so holding it proves the mailbox as a confirmation does; what happened while
    it was cancelled is not news (a fresh baseline). None: no such link."""
    from kruzhok.notifications.alerts import baseline

    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(token=token).first()
        if subscription is None:
            return None
        if subscription.status != Status.ACTIVE:
            subscription.status = Status.ACTIVE
            subscription.confirmed_at = subscription.confirmed_at or timezone.now()
            subscription.cancelled_at = None
            baseline(subscription)
            subscription.save(
                update_fields=["status", "confirmed_at", "cancelled_at", "seen_seq", "seen_at", "state"]
            )
            audit_log(
                action="notifications.resubscribed",
                obj=subscription,
                data={"target": subscription.target[:200]},
            )
    return subscription


def subscription_set_frequency(*, subscription: Subscription, frequency: str) -> None:
    if frequency not in Frequency.values:
        raise SubscriptionError("frequency", "unknown frequency")
    Subscription.objects.filter(pk=subscription.pk).update(frequency=frequency)
    subscription.frequency = frequency


def subscriptions_of(*, user: AbstractBaseUser | None = None, email: str = "") -> QuerySet[Subscription]:
    """Every live subscription of this person (their account or their verified addresses) or of
    this address."""
    where = Q()
    if user is not None and user.is_authenticated:
        from allauth.account.models import EmailAddress

        emails = list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
        where |= Q(user=user) | Q(email__in=[normalize_email(e) for e in emails])
    if email:
        where |= Q(email=normalize_email(email))
    if not where:
        return Subscription.objects.none()
    return (
        Subscription.objects.filter(where)
        .exclude(status=Status.CANCELLED)
        .select_related("activity", "organization", "event")
    )


# --- links -----------------------------------------------------------------------------------


def confirm_url(subscription: Subscription) -> str:
    return site_url(reverse("subscriptions:confirm", args=[subscription.token]))


def unsubscribe_url(subscription: Subscription) -> str:
    return site_url(reverse("subscriptions:unsubscribe", args=[subscription.token]))


def manage_url(subscription: Subscription) -> str:
    return site_url(reverse("subscriptions:manage", args=[subscription.token]))


def list_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 + RFC 8058: mail clients offer «Отписаться» and unsubscribe with one POST."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- opting out of a category of mail ---------------------------------------------------------


def optout_token(email: str, category: str) -> str:
    return signing.dumps([normalize_email(email), category], salt=OPTOUT_SALT, compress=True)


def optout_read(token: str) -> tuple[str, str] | None:
    try:
        email, category = signing.loads(token, salt=OPTOUT_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(email, str) or not isinstance(category, str):
        return None
    return email, category


def optout_url(email: str, category: str) -> str:
    return site_url(reverse("subscriptions:optout", args=[optout_token(email, category)]))


def opted_out(email: str, category: str) -> bool:
    return MailOptOut.objects.filter(email=normalize_email(email), category=category).exists()


def opt_out(*, email: str, category: str) -> None:
    MailOptOut.objects.get_or_create(email=normalize_email(email), category=category[:64])


def opt_in(*, email: str, category: str) -> None:
    MailOptOut.objects.filter(email=normalize_email(email), category=category).delete()
