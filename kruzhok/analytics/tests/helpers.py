"""What the counting tests share: a real browser's headers, and the rows a flush wrote."""

from __future__ import annotations

from typing import Any

from kruzhok.analytics import collect
from kruzhok.analytics.models import PageView, SearchEvent

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
BROWSER = {"HTTP_USER_AGENT": FIREFOX, "REMOTE_ADDR": "203.0.113.7"}


def page_views() -> list[PageView]:
    collect.flush()
    return list(PageView.objects.order_by("pk"))


def searches() -> list[SearchEvent]:
    collect.flush()
    return list(SearchEvent.objects.order_by("pk"))


def routes() -> list[tuple[str, str, int | None]]:
    return [(v.route, v.object_type, v.object_id) for v in page_views()]


def all_values(rows: list[Any]) -> str:
    """Every stored field of every row, as one string to search for what must not be there."""
    return " ".join(str(value) for row in rows for value in row.__dict__.values())
