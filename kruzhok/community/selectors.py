from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kruzhok.catalog.models import Activity
from kruzhok.community.models import Comment, Rating


def comments_for(activity: Activity, user: Any) -> QuerySet[Comment]:
    """Published comments, plus the viewer's own that wait for an editor (marked on the page)."""
    visible = Q(status=Comment.Status.PUBLISHED)
    if user is not None and user.is_authenticated:
        visible |= Q(author=user) & ~Q(status=Comment.Status.REMOVED)
    return (
        Comment.objects.filter(activity=activity)
        .filter(visible)
        .select_related("author", "answer__organization")[:200]
    )


def rating_of(activity: Activity, user: Any) -> int | None:
    if user is None or not user.is_authenticated:
        return None
    return Rating.objects.filter(activity=activity, user=user).values_list("stars", flat=True).first()
