"""What search engines and link previews read: canonical URLs, page summaries, sitemaps.

Every absolute link is built from SITE_URL (`core.emails.site_url`), never from the Host a
request came by, so a page, its canonical link, its Open Graph URL, its JSON-LD `@id` and its
sitemap entry name one and the same address.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator

from kruzhok.core.emails import site_url

# A list page's position is part of what it shows; everything else a link may carry (utm_…,
# fbclid, a stale filter) is the same page.
PAGE_PARAM = "page"
# Link previews cut descriptions at about this many characters anyway.
DESCRIPTION_CHARS = 200
# sitemaps.org allows 50,000 URLs per file; smaller files keep each response fast.
SITEMAP_PAGE_SIZE = 10_000


def canonical_url(
    request: HttpRequest,
    *,
    path: str | None = None,
    keep: Iterable[str] = (PAGE_PARAM,),
    page: int | None = None,
) -> str:
    """The absolute address of this page without query junk: `path` (default: the request's)
    and only the parameters named in `keep`, in that order. `page=1` (and a page that is no
    number) is the first page, so it is dropped; `page`, when given, is the page actually shown
    (a list asked for page 40 of 3 shows page 3)."""
    pairs: list[tuple[str, str]] = []
    for name in keep:
        if name == PAGE_PARAM and page is not None:
            if page > 1:
                pairs.append((PAGE_PARAM, str(page)))
            continue
        for value in request.GET.getlist(name)[:10]:
            value = value.strip()
            if not value:
                continue
            if name == PAGE_PARAM and (not value.isdigit() or int(value) <= 1 or len(value) > 9):
                continue
            pairs.append((name, value[:200]))
    query = f"?{urlencode(pairs)}" if pairs else ""
    return site_url((path if path is not None else request.path) + query)


def summary_text(text: object, *, limit: int = DESCRIPTION_CHARS) -> str:
    """Plain text for a description meta tag: entities decoded, whitespace collapsed, trimmed
    to `limit` characters at a word boundary with an ellipsis."""
    plain = " ".join(html.unescape(str(text or "")).split())
    return Truncator(plain).chars(limit)


def open_graph_locale(language: str) -> str:
    """Open Graph wants language_TERRITORY: ru_RU, en_US."""
    return "en_US" if language.startswith("en") else "ru_RU"


class SiteSitemap(Sitemap):
    """A sitemap section whose addresses start with SITE_URL (Django's default is the Host of the
    request), paged at SITEMAP_PAGE_SIZE. Subclasses return `values_list` rows from `items()` —
    no model instances, no query per entry — and say which field `lastmod` is."""

    limit = SITEMAP_PAGE_SIZE
    lastmod_field: str | None = None

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(site_url()).scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        # Host and any path prefix SITE_URL has: _urls() joins protocol://domain + location.
        parts = urlsplit(site_url())
        return parts.netloc + parts.path.rstrip("/")

    def lastmod(self, item: Any) -> datetime | None:
        return getattr(item, self.lastmod_field) if self.lastmod_field else None

    def get_latest_lastmod(self) -> datetime | None:
        """One aggregate query (Django's default walks every item to find the maximum)."""
        items = self.items()
        if self.lastmod_field is None or not isinstance(items, QuerySet):
            return None
        latest: datetime | None = items.order_by().aggregate(latest=Max(self.lastmod_field))["latest"]
        return latest

    def section_urls(self, section_url: str) -> list[str]:
        """The absolute URLs of this section's pages, for the sitemap index."""
        first = site_url(section_url)
        return [first] + [f"{first}?p={page}" for page in range(2, self.paginator.num_pages + 1)]
