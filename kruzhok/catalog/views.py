"""Public catalog pages: parse the request, call a selector, render. No queries here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kruzhok.accounts import permissions
from kruzhok.catalog import selectors, structured_data
from kruzhok.catalog.models import Activity, Status
from kruzhok.catalog.templatetags.catalog_tags import loc_name
from kruzhok.core.pagination import paginate
from kruzhok.core.seo import canonical_url
from kruzhok.promotion import selectors as promotion_selectors


def _is_htmx(request: HttpRequest) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = {"counts": selectors.home_counts(), "featured": promotion_selectors.featured_for(None)}
    return render(request, "catalog/home.html", context)


@require_safe
def activity_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    activity = selectors.activity_for_page(pk)
    if activity is None or activity.status in (Status.DRAFT, Status.PENDING):
        raise Http404(_("Занятие не найдено."))
    if activity.status == Status.ARCHIVED:
        # 410 tells search engines to drop the page; the parent still gets a way forward.
        return render(request, "catalog/activity_gone.html", {"activity": activity}, status=410)
    if slug != activity.slug:
        return HttpResponsePermanentRedirect(activity.get_absolute_url())
    return render_activity(request, activity)


def render_activity(
    request: HttpRequest, activity: Activity, *, comment_form: Any = None, status: int = 200
) -> HttpResponse:
    """The activity page for an activity from `selectors.activity_for_page`; `comment_form`: a
    refused comment, shown again with what was typed."""
    groups, schedule_rows = selectors.schedule_table(activity)
    context = {
        "activity": activity,
        "groups": groups,
        "schedule_rows": schedule_rows,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
        "comment_form": comment_form,
        # Its own provider and editors edit directly; everyone else suggests an edit.
        "can_edit": permissions.can_edit_activity(request.user, activity),
        "page_summary": activity.description or structured_data.activity_summary(activity),
        "structured_data": structured_data.activity_json_ld(activity),
    }
    return render(request, "catalog/activity_detail.html", context, status=status)


@require_safe
def organization_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    organization = selectors.organization_for_page(pk)
    if organization is None or not organization.is_live:
        raise Http404(_("Организация не найдена."))
    if slug != organization.slug:
        return HttpResponsePermanentRedirect(organization.get_absolute_url())
    page, page_message = paginate(
        selectors.activities_for_organization(organization), request.GET.get("page")
    )
    venues = selectors.organization_venues(organization)
    context = {
        "organization": organization,
        "venues": venues,
        "page": page,
        "messages_list": [page_message] if page_message else [],
        "canonical": canonical_url(request, page=page.number),
        "structured_data": structured_data.organization_json_ld(organization, venues),
        "showcase": promotion_selectors.organization_showcase(organization),
        # Its own people are not asked to claim it; they get the way to manage it instead.
        "member_role": permissions.membership_role(request.user, organization),
    }
    return render(request, "catalog/organization_detail.html", context)


def _list_page(
    request: HttpRequest, *, title: str, queryset: QuerySet[Activity], extra: dict[str, Any]
) -> HttpResponse:
    page, page_message = paginate(queryset, request.GET.get("page"))
    context = {
        "title": title,
        "page": page,
        "messages_list": [page_message] if page_message else [],
        "canonical": canonical_url(request, page=page.number),
        **extra,
    }
    return render(request, "catalog/activity_list.html", context)


@require_safe
def direction_detail(request: HttpRequest, slug: str) -> HttpResponse:
    direction = selectors.direction_by_slug(slug)
    if direction is None:
        raise Http404(_("Направленность не найдена."))
    return _list_page(
        request,
        title=loc_name(direction),
        queryset=selectors.activities_for_direction(direction),
        extra={
            "direction": direction,
            "direction_categories": selectors.categories_of_direction(direction),
            "featured": promotion_selectors.featured_for(direction),
        },
    )


@require_safe
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = selectors.category_by_slug(slug)
    if category is None:
        raise Http404(_("Категория не найдена."))
    return _list_page(
        request,
        title=loc_name(category),
        queryset=selectors.activities_for_category(category),
        extra={"category": category},
    )


@require_safe
def district_detail(request: HttpRequest, slug: str) -> HttpResponse:
    okrug = selectors.okrug_by_slug(slug)
    if okrug is None:
        raise Http404(_("Округ не найден."))
    return _list_page(
        request,
        title=_("%(name)s округ") % {"name": okrug.name} if not okrug.name.endswith("округ") else okrug.name,
        queryset=selectors.activities_for_district(okrug),
        extra={"okrug": okrug},
    )
