from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.shortcuts import resolve_url

from kruzhok.accounts import permissions
from kruzhok.catalog.models import Activity
from kruzhok.community import selectors
from kruzhok.community.forms import CommentForm

register = template.Library()


@register.inclusion_tag("community/_comments.html", takes_context=True)
def activity_comments(context: template.Context, activity: Activity) -> dict[str, Any]:
    """The comments section of an activity page: ratings summary, comments, the form."""
    request = context.get("request")
    user = getattr(request, "user", None)
    mine = selectors.rating_of(activity, user)
    form = context.get("comment_form") or CommentForm(initial={"stars": str(mine) if mine else ""})
    return {
        "activity": activity,
        "comments": selectors.comments_for(activity, user),
        "my_rating": mine,
        # Members of the activity's organization answer comments officially.
        "can_answer": permissions.membership_role(user, activity.organization_id) is not None,
        "form": form,
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "login_url": resolve_url(settings.LOGIN_URL),
    }
