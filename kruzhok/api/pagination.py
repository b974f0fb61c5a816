"""Numbered pages with totals for every API list: `count`, `page`, `page_count`, `page_size`,
`next` and `previous` as absolute links, `results`.

A page past the last one is 200 with an empty `results` and the real `count` (as the search has
always answered), so a client paging until an empty page stops; such a page reads no rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def page_count(self, count: int) -> int:
        return max(1, math.ceil(count / self.size))

    def is_past_the_end(self, count: int) -> bool:
        return self.offset >= count


def _link(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def envelope(request: HttpRequest, page: Page, count: int, results: list[Any]) -> dict[str, Any]:
    pages = page.page_count(count)
    return {
        "count": count,
        "page": page.number,
        "page_count": pages,
        "page_size": page.size,
        "next": _link(request, page.number + 1) if page.number < pages else None,
        # From past the end, «previous» is the last real page.
        "previous": _link(request, min(page.number - 1, pages)) if page.number > 1 else None,
        "results": results,
    }


def paged[Row](
    request: HttpRequest,
    page: Page,
    queryset: QuerySet[Any],
    rows: Callable[[QuerySet[Any], int, int], list[Row]],
    item: Callable[[Row], dict[str, Any]],
) -> dict[str, Any]:
    """One page of a queryset: its count, then (unless past the end) the rows of the page."""
    count = queryset.count()
    found = [] if page.is_past_the_end(count) else rows(queryset, page.offset, page.size)
    return envelope(request, page, count, [item(row) for row in found])
