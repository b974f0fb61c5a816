from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _

from kruzhok.api.api import api


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse({"error": "not_found", "detail": _("Нет такого адреса в API.")}, status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
