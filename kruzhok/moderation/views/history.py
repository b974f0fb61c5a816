"""An activity's version history (its editors and its own provider), and revert (editors)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kruzhok.accounts import permissions
from kruzhok.catalog.models import Activity
from kruzhok.moderation.history import activity_history, revert_preview
from kruzhok.moderation.models import ActivityVersion
from kruzhok.moderation.versions import activity_revert


@permissions.login_mfa_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    activity = permissions.get_for_user_or_404(
        request.user, Activity.objects.select_related("organization"), pk, permissions.can_edit_activity
    )
    context = {
        "activity": activity,
        "rows": activity_history(activity),
        "can_revert": permissions.is_editor(request.user),
    }
    return render(request, "moderation/history.html", context)


@permissions.editor_required
@require_http_methods(["GET", "POST"])
def revert(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ActivityVersion.objects.select_related("activity", "actor"), pk=pk)
    if request.method == "POST":
        recorded = activity_revert(version=version, editor=permissions.signed_in_user(request))
        messages.success(
            request,
            _("Занятие возвращено к версии %(old)s; это сохранено как версия %(new)s.")
            % {"old": version.number, "new": recorded.number},
        )
        return redirect("moderation:history", pk=version.activity_id)
    context = {"version": version, "activity": version.activity, "changes": revert_preview(version)}
    return render(request, "moderation/history_revert.html", context)
