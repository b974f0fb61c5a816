"""What a subscription is about, in words, for the pages and the mails."""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from kruzhok.notifications.models import Subscription
from kruzhok.search.params import SearchParams, parse_params
from kruzhok.search.selectors import describe

Kind = Subscription.Kind


def search_params(subscription: Subscription) -> SearchParams:
    """The saved search; parsed again each time, so a filter that no longer exists (a removed
    category) is dropped instead of failing."""
    return parse_params(QueryDict(subscription.query))[0]


def search_url(subscription: Subscription) -> str:
    return reverse("search:search") + (f"?{subscription.query}" if subscription.query else "")


def subscription_label(subscription: Subscription, *, name: str | None = None) -> str:
    """«Поиск: «футбол», возраст 9», «Занятие «Шахматы»», «Событие «Концерт»»…; `name`: the
    followed thing's title when the caller already has it (no query for the related row)."""
    match subscription.kind:
        case Kind.SEARCH:
            parts = describe(search_params(subscription))
            return _("Поиск: %(what)s") % {"what": ", ".join(parts) if parts else _("все новые занятия")}
        case Kind.ACTIVITY:
            title = name or (subscription.activity.title if subscription.activity else "—")
            return _("Занятие «%(title)s»") % {"title": title}
        case Kind.ORGANIZATION:
            title = name or (subscription.organization.name if subscription.organization else "—")
            return _("Организация «%(name)s»") % {"name": title}
        case Kind.EVENT:
            title = name or (subscription.event.title if subscription.event else "—")
            return _("Событие «%(title)s»") % {"title": title}
    return subscription.target
