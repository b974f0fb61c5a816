"""The subscribe widget of search, events, activity, organization and event pages, and a
subscription in words for the mails."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from kruzhok.notifications import labels
from kruzhok.notifications.models import Subscription

register = template.Library()


@register.inclusion_tag("subscriptions/_subscribe.html", takes_context=True)
def subscribe_widget(
    context: template.Context, kind: str, target: Any = None, params: Any = None, oob: bool = False
) -> dict[str, Any]:
    """`{% subscribe_widget "search" params=params %}`, `{% subscribe_widget "activity" activity %}`…
    Rendered for each request (never inside a cached fragment): it holds the CSRF token and, for a
    signed-in person, their address and whether they already follow."""
    from kruzhok.events.selectors import upcoming_for_event
    from kruzhok.notifications.views import widget_context

    request = context.get("request")
    if request is None:
        return {"hide": True}
    if kind == Subscription.Kind.EVENT and (
        target is None or target.is_cancelled or not upcoming_for_event(target, now=timezone.now(), limit=1)
    ):
        return {"hide": True}
    return {
        **widget_context(request, kind=kind, target=target, params=params, oob=oob),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def subscription_label(subscription: Subscription) -> str:
    return labels.subscription_label(subscription)
