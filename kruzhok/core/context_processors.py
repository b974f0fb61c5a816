from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from kruzhok.core.seo import canonical_url, open_graph_locale


def city_name() -> str:
    """The city's name in the active language (CITY_NAME_EN on English pages when set)."""
    english = (get_language() or "").startswith("en")
    return settings.CITY_NAME_EN if english and settings.CITY_NAME_EN else settings.CITY_NAME


def site(request: HttpRequest) -> dict[str, Any]:
    return {"CITY_NAME": city_name(), "SITE_URL": settings.SITE_URL}


def seo(request: HttpRequest) -> dict[str, Any]:
    """Defaults for base.html's canonical link and Open Graph tags; a view that knows better
    (search, the calendar, paged lists) passes its own `canonical`, which is layered above."""
    return {
        "canonical": canonical_url(request, keep=()),
        "og_locale": open_graph_locale(get_language() or "ru"),
    }
