from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language


def city_name() -> str:
    """The city's name in the active language (CITY_NAME_EN on English pages when set)."""
    english = (get_language() or "").startswith("en")
    return settings.CITY_NAME_EN if english and settings.CITY_NAME_EN else settings.CITY_NAME


def site(request: HttpRequest) -> dict[str, Any]:
    return {"CITY_NAME": city_name(), "SITE_URL": settings.SITE_URL}
