"""Site-wide files for crawlers: robots.txt and the sitemap index (sections: each app's sitemaps.py)."""

from __future__ import annotations

from django.contrib.sitemaps.views import SitemapIndexItem
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from kruzhok.core.emails import site_url
from kruzhok.core.seo import SiteSitemap

# Pages that are personal, behind a sign-in, forms that change things, or endless spaces of
# parameters (every search, every calendar window). Public entries, lists and /data/ stay open.
ROBOTS_DISALLOW = (
    "/account/",
    "/admin/",
    "/moderation/",
    "/manage/",
    "/department/",
    "/upload/",
    "/subscriptions/",
    "/contribute/",
    "/invite/",
    "/review/",
    "/i18n/",
    "/search/?",
    "/search/places/",
    "/events/?",
    "/events/feed.ics",
    "/ads/",
    "/activities/*/suggest/",
    "/activities/*/report/",
    "/organizations/*/claim/",
)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    # Everything not disallowed is open; no «Allow: /», which first-match parsers would apply
    # before every Disallow.
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), ""]
    lines.append(f"Sitemap: {site_url(reverse('sitemap_index'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def sitemap_index(request: HttpRequest, sitemaps: dict[str, type[SiteSitemap]]) -> TemplateResponse:
    """Every page of every section. Unlike Django's index view, the addresses come from
    SITE_URL and each section's latest change is one aggregate query."""
    entries: list[SitemapIndexItem] = []
    for name, section_class in sitemaps.items():
        section = section_class()
        lastmod = section.get_latest_lastmod()
        section_path = reverse("sitemap_section", kwargs={"section": name})
        entries += [SitemapIndexItem(url, lastmod) for url in section.section_urls(section_path)]  # type: ignore[arg-type]
    response = TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )
    # The index is for crawlers, not a page to show in results (as Django's own view says).
    response["X-Robots-Tag"] = "noindex, noarchive"
    return response
