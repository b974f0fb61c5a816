"""Sitemap section of the calendar: the page of every event a visitor can open (cancelled ones
too: their page says so, and their JSON-LD carries EventCancelled)."""

from __future__ import annotations

from django.db.models import QuerySet

from kruzhok.core.seo import SiteSitemap
from kruzhok.events.models import Event


class EventSitemap(SiteSitemap):
    lastmod_field = "updated_at"

    def items(self) -> QuerySet[Event]:
        return Event.objects.filter(organization__status="published").only("pk", "updated_at").order_by("pk")
