from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from kruzhok.accounts import views as account_views
from kruzhok.moderation import urls_contribute
from kruzhok.moderation.views import claims as claim_views

urlpatterns: list[URLPattern | URLResolver] = [
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
    path("", include("kruzhok.search.urls")),
    path("", include("kruzhok.events.urls")),
    path("", include("kruzhok.catalog.urls")),
    path("", include("kruzhok.community.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
