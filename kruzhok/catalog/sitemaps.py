"""Sitemap sections of the catalog: every public activity and organization, and the fixed pages
and lists (directions, categories, okrugs). Wired in kruzhok/urls.py; paged by core.seo."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from kruzhok.catalog import selectors
from kruzhok.catalog.models import Activity, Category, Organization
from kruzhok.core.seo import SiteSitemap


class ActivitySitemap(SiteSitemap):
    lastmod_field = "updated_at"

    def items(self) -> QuerySet[Activity]:
        # Archived entries answer 410 and drafts 404: only what a visitor can open is listed.
        return Activity.objects.live().only("pk", "slug", "updated_at").order_by("pk")


class OrganizationSitemap(SiteSitemap):
    lastmod_field = "updated_at"

    def items(self) -> QuerySet[Organization]:
        return Organization.objects.live().only("pk", "slug", "updated_at").order_by("pk")


class PageSitemap(SiteSitemap):
    """The home page, search, the calendar, the open data page and every browsable list."""

    def items(self) -> list[str]:
        fixed = [
            reverse(name) for name in ("catalog:home", "search:search", "events:list", "open_data:index")
        ]
        directions = [direction.get_absolute_url() for direction in selectors.directions()]
        categories = [
            category.get_absolute_url() for category in Category.objects.only("slug").order_by("slug")
        ]
        okrugs = [reverse("catalog:district", args=[okrug.slug]) for okrug in selectors.okrugs()]
        return fixed + directions + categories + okrugs

    def location(self, item: str) -> str:
        return item
