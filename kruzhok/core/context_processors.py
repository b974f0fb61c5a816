from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language


def site(request: HttpRequest) -> dict[str, Any]:
    english = (get_language() or "").startswith("en")
    city = settings.CITY_NAME_EN if english and settings.CITY_NAME_EN else settings.CITY_NAME
    return {"CITY_NAME": city, "SITE_URL": settings.SITE_URL}
