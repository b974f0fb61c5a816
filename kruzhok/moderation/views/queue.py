"""The editors' one queue: everything waiting for a decision, by section, oldest first."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kruzhok.accounts.permissions import editor_required
from kruzhok.moderation import selectors


@editor_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    section = request.GET.get("section")
    if section not in selectors.SECTION_KEYS:
        section = None
    sections = selectors.moderation_queue(section=section, page=request.GET.get("page"))
    return render(
        request,
        "moderation/queue.html",
        {
            "sections": sections,
            "section": section,
            "total": sum(s.count for s in sections),
            "shown": [s for s in sections if section is None or s.key == section],
        },
    )
