"""The site's URLs with a stand-in dashboard page in front (the dashboard's own views are another
part's), so the counting tests can ask for an HTML page under /dashboard/."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from kruzhok import urls


def stand_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>Показатели</title>", content_type="text/html; charset=utf-8")


dashboard = ([path("", stand_in, name="stand_in")], "analytics")
urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", include(dashboard)),
    *urls.urlpatterns,
]
