from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.http import require_safe

from kruzhok.accounts import views as account_views
from kruzhok.catalog.sitemaps import ActivitySitemap, OrganizationSitemap, PageSitemap
from kruzhok.core import health
from kruzhok.core import views as core_views
from kruzhok.core.seo import SiteSitemap
from kruzhok.events.sitemaps import EventSitemap
from kruzhok.moderation import urls_contribute
from kruzhok.moderation.views import claims as claim_views

# sitemap.xml lists these sections; each is paged (core.seo.SITEMAP_PAGE_SIZE URLs a file).
SITEMAPS: dict[str, type[SiteSitemap]] = {
    "activities": ActivitySitemap,
    "organizations": OrganizationSitemap,
    "events": EventSitemap,
    "pages": PageSitemap,
}

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", core_views.sitemap_index, {"sitemaps": SITEMAPS}, name="sitemap_index"),
    path(
        "sitemap-<slug:section>.xml",
        require_safe(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("data/", include("kruzhok.imports.urls_open_data")),
    # Before admin.site.urls: the admin's own sign-in form would bypass allauth's checks.
    path("admin/login/", account_views.admin_login),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("account/", include("kruzhok.accounts.urls")),
    path("account/", include("allauth.urls")),
    path("api/v1/", include("kruzhok.api.urls")),
    path("openactive/", include("kruzhok.api.openactive_urls")),
    path("moderation/", include("kruzhok.moderation.urls")),
    path("manage/", include("kruzhok.catalog.urls_manage")),
    path("organizations/<int:pk>/claim/", claim_views.claim_new, name="claim_new"),
    path("department/", include("kruzhok.accounts.urls_department")),
    path("upload/", include("kruzhok.imports.urls")),
    path("", include("kruzhok.accounts.urls_invite")),
    path("contribute/", include("kruzhok.moderation.urls_contribute")),
    path("", include(urls_contribute.suggest_urlpatterns)),
    path("", include("kruzhok.moderation.urls_public")),
    path("subscriptions/", include("kruzhok.notifications.urls")),
    path("dashboard/", include("kruzhok.analytics.urls")),
    path("ads/", include("kruzhok.promotion.ads.urls")),
    path("", include("kruzhok.promotion.urls")),
    path("", include("kruzhok.search.urls")),
    path("", include("kruzhok.events.urls")),
    path("", include("kruzhok.catalog.urls")),
    path("", include("kruzhok.community.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
