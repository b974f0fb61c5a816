"""Alerts: what each active subscription has not been told yet, mailed once (`manage.py send_alerts`)."""

from __future__ import annotations

from django.utils import timezone

from kruzhok.notifications.models import Subscription
from kruzhok.search.index import current_seq


def baseline(subscription: Subscription) -> None:
    """Everything that exists now is not news to a new subscription."""
    subscription.seen_seq = current_seq()
    subscription.seen_at = timezone.now()
    subscription.state = follow_state(subscription)


def follow_state(subscription: Subscription) -> dict:
    return {}
