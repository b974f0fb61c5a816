"""The search page: parse the parameters, run one search, render the page or its htmx fragment."""

from __future__ import annotations

import hashlib
import html
import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from kruzhok.analytics import collect
from kruzhok.core.emails import site_url
from kruzhok.core.env import env_int
from kruzhok.places import gazetteer
from kruzhok.promotion.ads.views import slot_html
from kruzhok.search import selectors, store, taxonomy
from kruzhok.search.params import WEEKDAY_CODES, ParamError, SearchParams, parse_params

MAP_POINTS = 200  # clustered on the map; the list pages through the rest
# How long a rendered results column may be reused for the same query while the index is unchanged.
RESULTS_CACHE_SECONDS = env_int("SEARCH_RESULTS_CACHE_SECONDS", 60)
# Rendered cards kept per process (about 2 kB each with the key); 0 renders every card every time.
CARD_CACHE_SIZE = env_int("SEARCH_CARD_CACHE_SIZE", 10_000)
OPTION_NAMES = ("direction", "category", "district")
RADII_KM = (1, 2, 3, 5, 10, 25)
# Where the cached page's fragment takes the ad slot (no escaped text can contain it).
AD_SLOT_MARK = "<!--ad-slot-->"
SORT_LABELS = {
    "best": gettext_lazy("Сначала подходящие"),
    "near": gettext_lazy("Сначала ближайшие"),
    "price": gettext_lazy("Сначала дешёвые"),
    "rating": gettext_lazy("Сначала с высоким рейтингом"),
}


def _script_json(data: object) -> str:
    """JSON for a data attribute (the template's autoescaping makes it safe there)."""
    return json.dumps(data, ensure_ascii=False)


def _counted(label: str, count: int) -> str:
    return f"{label} ({count})"


def _option_tags(rows: list[tuple[str, str, int, bool]]) -> str:
    # html.escape is what django.utils.html.escape runs, without its lazy-string wrapper: a
    # hundred options per page through format_html cost half a millisecond.
    return "".join(
        f'<option value="{html.escape(str(value))}"{" selected" if chosen else ""}>'
        f"{html.escape(_counted(str(label), count))}</option>"
        for value, label, count, chosen in rows
    )


def _select_options(result: selectors.SearchResult, *, english: bool) -> dict[str, str]:
    """The <option>s of the direction, category and okrug selects, each with its facet count.

    Built here rather than in the template: 77 categories through template tags cost more than
    the rest of the form (the taxonomy is cached, so this makes no query)."""
    tax = taxonomy.load()
    params = result.params
    facets = result.facets
    directions = _option_tags(
        [
            (slug, en if english else ru, facets["direction"].get(slug, 0), params.direction == slug)
            for slug, (_pk, ru, en) in tax.directions.items()
        ]
    )
    groups = []
    for direction_slug, (_pk, direction_ru, direction_en) in tax.directions.items():
        options = _option_tags(
            [
                (slug, en if english else ru, facets["category"].get(slug, 0), slug in params.categories)
                for slug, (_cpk, ru, en, d) in tax.categories.items()
                if d == direction_slug
            ]
        )
        groups.append(
            f'<optgroup label="{html.escape(str(direction_en if english else direction_ru))}">{options}</optgroup>'
        )
    okrugs = _option_tags(
        [
            (name, name, facets["district"].get(name, 0), params.district == name)
            for name in sorted(tax.okrugs)
        ]
    )
    return {
        "direction": directions,
        "category": "".join(groups),
        "district": okrugs,
    }


class _CardCache:
    """Rendered `search/_card.html` per card state, most recently used kept.

    A new query mostly shows cards shown before («футбол» and «футбол 8 лет» share most of
    theirs), and twenty cards through the template cost more than the search. The key holds
    everything the card shows: the document's write number (any change to the activity, its
    organization, venue or schedule writes the document anew), the language and time zone, the
    rating, and what the query or the hour adds (distance, next sessions). In this process
    only: the rendering belongs to this process's templates and code."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rendered: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def render(self, cards: list[selectors.Card], versions: dict[int, int]) -> str:
        """The `<li>` of each card, in order; `versions`: each card's document seq (0: unknown)."""
        template = get_template("search/_card.html")
        # Inside a transaction a document may hold a write that is then rolled back, and its
        # number be given again to another: no caching there (as for the results column).
        caching = self.size > 0 and not connection.in_atomic_block
        setting = (request_language(), timezone.get_current_timezone_name())
        parts = []
        for card in cards:
            seq = versions.get(card.id, 0)
            key = (
                card.id,
                seq,
                setting,
                card.rating,
                card.distance_text,  # as shown (to 0.1 km), so nearby queries share renderings
                tuple(s.starts for s in card.next_sessions),
            )
            html = self._rendered.get(key) if caching and seq else None
            if html is None:
                html = template.render({"card": card})
                if caching and seq:
                    with self._lock:
                        self._rendered[key] = html
                        if len(self._rendered) > self.size:
                            self._rendered.popitem(last=False)
            else:
                with self._lock:
                    if key in self._rendered:
                        self._rendered.move_to_end(key)
            parts.append(f"<li>{html}</li>")
        return "".join(parts)

    def clear(self) -> None:
        with self._lock:
            self._rendered.clear()


card_cache = _CardCache(CARD_CACHE_SIZE)


def _is_htmx(request: HttpRequest) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _facet_rows(result: selectors.SearchResult) -> dict[str, list[dict[str, Any]]]:
    """Facet values with counts and the link that applies each, in the taxonomy's order."""
    tax = taxonomy.load()
    english = not (request_language() or "ru").startswith("ru")
    params = result.params
    rows: dict[str, list[dict[str, Any]]] = {"direction": [], "category": [], "district": []}
    for slug, (_pk, ru, en) in tax.directions.items():
        count = result.facets["direction"].get(slug, 0)
        if count or params.direction == slug:
            chosen = params.direction == slug
            rows["direction"].append(
                {
                    "label": en if english else ru,
                    "count": count,
                    "chosen": chosen,
                    "query": params.query_string(direction="" if chosen else slug, page=1),
                }
            )
    categories = sorted(result.facets["category"].items(), key=lambda item: -item[1])[:12]
    for slug, count in categories:
        if slug not in tax.categories:
            continue
        _pk, ru, en, _d = tax.categories[slug]
        chosen = slug in params.categories
        others = tuple(s for s in params.categories if s != slug)
        rows["category"].append(
            {
                "label": en if english else ru,
                "count": count,
                "chosen": chosen,
                "query": params.query_string(
                    categories=others if chosen else (*params.categories, slug), page=1
                ),
            }
        )
    for name in sorted(tax.okrugs):
        count = result.facets["district"].get(name, 0)
        if count or params.district == name:
            chosen = params.district == name
            rows["district"].append(
                {
                    "label": name,
                    "count": count,
                    "chosen": chosen,
                    "query": params.query_string(district="" if chosen else name, page=1),
                }
            )
    return rows


def request_language() -> str:
    from django.utils.translation import get_language

    return get_language() or "ru"


def _results(
    request: HttpRequest, params: SearchParams, errors: list[ParamError], current: store.Store
) -> dict[str, str]:
    """The part of the page that depends on the results: the results column (list, facets,
    pagination, map data) and the filters' options with their counts, as HTML."""
    result = selectors.search(
        params, page_size=settings.CATALOG_PAGE_SIZE, map_limit=MAP_POINTS, store=current
    )
    messages = [e.message for e in errors] + result.messages
    if params.page > result.page:
        messages.append(
            _("Страницы %(page)s нет: всего страниц %(total)s. Показана последняя.")
            % {"page": params.page, "total": result.page_count}
        )
    points = [{"id": p.id, "title": p.title, "url": p.url, "lat": p.lat, "lon": p.lon} for p in result.points]
    context = {
        "params": params,
        "result": result,
        "messages_list": messages,
        "facets": _facet_rows(result),
        # The correction links to itself: one click puts the corrected words into the field.
        "corrected_link": (
            format_html(
                '<a href="?{}">{}</a>',
                params.query_string(q=result.corrected_query, page=1),
                result.corrected_query,
            )
            if result.corrected_query
            else ""
        ),
        "cards_html": mark_safe(card_cache.render(result.results, result.versions)),  # noqa: S308 (our template's output)  # nosec B308, B703
        "points_json": _script_json(points),
        "location_json": _script_json(
            {"lat": result.location.lat, "lon": result.location.lon, "radius_km": result.location.radius_km}
            if result.location
            else None
        ),
        "has_prev": result.page > 1,
        "has_next": result.page < result.page_count,
        "prev_query": params.query_string(page=result.page - 1),
        "next_query": params.query_string(page=result.page + 1),
    }
    english = not request_language().startswith("ru")
    return {
        "results": render_to_string("search/_results.html", context, request),
        **_select_options(result, english=english),
        # For the search log, which must see the same numbers when the parts come from the cache.
        "count": str(result.count),
        "corrected": "1" if result.corrected_query else "",
    }


def _form_context(params: SearchParams) -> dict[str, Any]:
    """What the search form needs besides the results: it depends on the parameters only."""
    return {
        "extra_filters": sum(
            1
            for value in (params.direction, params.categories, params.district, params.free, params.ovz)
            + (params.open, params.days, params.after, params.before)
            if value not in (None, "", (), False)
        ),
        "weekdays": list(
            zip(WEEKDAY_CODES, [_("Пн"), _("Вт"), _("Ср"), _("Чт"), _("Пт"), _("Сб"), _("Вс")], strict=True)
        ),
        "radii": sorted({*RADII_KM, *([params.radius_km] if params.radius_km else [])}),
        "sorts": [(key, str(label)) for key, label in SORT_LABELS.items()],
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    }


def _rendered(parts: dict[str, str]) -> dict[str, Any]:
    """The results column and the filters' options, as template context (our own rendered HTML)."""
    return {
        "results_html": mark_safe(parts["results"]),  # noqa: S308 (our own rendered template)  # nosec B308, B703
        "options": {name: mark_safe(parts[name]) for name in OPTION_NAMES},  # noqa: S308 (our own rendered templates)  # nosec B308, B703
    }


def _page_parts(
    request: HttpRequest, params: SearchParams, errors: list[ParamError], *, whole: bool
) -> dict[str, str]:
    """The HTML that depends on the query and the catalog: the results column and the filters'
    options (`_results`) and, for a whole page, the form and results area around them.

    Kept for RESULTS_CACHE_SECONDS per query and language while the index does not change: the
    same searches come back all day (a street's parents, «футбол», «танцы»), and rendering
    twenty cards costs several times the search. The key holds the index's generation and
    sequence number, so a catalog edit shows at the next request; the lifetime only bounds how
    stale «ближайшие занятия» can get. Only the site's frame (header with the CSRF token of the
    language switch, footer) is rendered for every request."""
    caching = RESULTS_CACHE_SECONDS > 0 and not connection.in_atomic_block
    key = ""
    parts: dict[str, str] | None = None
    current = store.current()
    if caching:
        # Inside a transaction the index may hold rows that are then rolled back: no caching.
        query = request.META.get("QUERY_STRING", "")
        digest = hashlib.blake2b(query.encode(), digest_size=16).hexdigest()
        key = f"search:{request_language()}:{current.generation}:{current.seq}:{digest}"
        parts = cache.get(key)
    changed = parts is None
    if parts is None:
        parts = _results(request, params, errors, current)
    if whole and "content" not in parts:
        context = {"params": params, **_rendered(parts), **_form_context(params)}
        parts["content"] = render_to_string("search/_page.html", context, request)
        changed = True
    if caching and changed:
        cache.set(key, parts, RESULTS_CACHE_SECONDS)
    return parts


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    params, errors = parse_params(request.GET)
    htmx = _is_htmx(request)
    parts = _page_parts(request, params, errors, whole=not htmx)
    collect.count_search(
        request,
        source="page",
        params=params,
        results=int(parts["count"]) if "count" in parts else None,
        corrected=bool(parts.get("corrected")),
    )
    canonical = reverse("search:search") + (f"?{params.query_string()}" if params.query_string() else "")
    if htmx:
        # The results plus the filters' options out of band (their counts changed); the form
        # itself stays, so the cursor and a half-typed word are not disturbed.
        ad_slot = mark_safe(slot_html(request, params, oob=True))  # noqa: S308 (a rendered template)  # nosec B308, B703
        response = render(
            request, "search/_live.html", {"params": params, "ad_slot": ad_slot, **_rendered(parts)}
        )
        # The address bar shows the canonical URL (no empty fields), so it can be shared.
        response["HX-Push-Url"] = canonical
    else:
        content = parts["content"]
        # Content cached before the slot existed has no mark: no ad there, and none counted.
        if AD_SLOT_MARK in content:
            content = content.replace(AD_SLOT_MARK, slot_html(request, params), 1)
        context = {
            "params": params,
            "canonical": site_url(canonical),
            "content_html": mark_safe(content),  # noqa: S308  (our fragment and our slot)  # nosec B308, B703
        }
        response = render(request, "search/search.html", context)
    patch_vary_headers(response, ["HX-Request", "X-Ad-Shown"])
    return response


@require_safe
def places(request: HttpRequest) -> HttpResponse:
    """Address suggestions for the «где» field, as <option>s for its datalist."""
    text = request.GET.get("where", "")[:200]
    options = gazetteer.suggest(text, limit=8, city=settings.CITY_NAME) if len(text.strip()) >= 2 else []
    return render(request, "search/_places.html", {"options": options})
