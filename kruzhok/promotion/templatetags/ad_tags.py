"""`{% list_ad_slot %}`: the ad slot of a direction, category or okrug page."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from kruzhok.search.params import SearchParams

register = template.Library()


def list_page_params(context: template.Context) -> SearchParams | None:
    """The search a list page stands for (a category page is its direction's page too)."""
    category = context.get("category")
    if category is not None:
        return SearchParams(direction=category.direction.slug, categories=(category.slug,))
    direction = context.get("direction")
    if direction is not None:
        return SearchParams(direction=direction.slug)
    okrug = context.get("okrug")
    if okrug is not None:
        return SearchParams(district=okrug.name)
    return None


@register.simple_tag(takes_context=True)
def list_ad_slot(context: template.Context) -> SafeString:
    from kruzhok.promotion.ads.views import slot_html

    request = context.get("request")
    params = list_page_params(context)
    if request is None or params is None:
        return SafeString("")
    return mark_safe(slot_html(request, params))  # noqa: S308  (a rendered template)  # nosec B308, B703
