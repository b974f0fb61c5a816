"""The review cycle's pages: the provider's one-click «всё верно» (signed link, no sign-in) and
the editor's page for an outdated entry."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kruzhok.accounts.models import User
from kruzhok.accounts.permissions import editor_required
from kruzhok.catalog.models import Activity, Status
from kruzhok.moderation import review_cycle
from kruzhok.moderation.reports import pending_reports
from kruzhok.moderation.review_forms import ReviewDecisionForm

LINK_PROBLEM_STATUS = {"tampered": 400, "expired": 410, "stale": 410, "archived": 410, "done": 200}


def _editor(request: HttpRequest) -> User:
    """The signed-in editor (the page is behind `editor_required`)."""
    return cast(User, request.user)


def _link_problem(request: HttpRequest, problem: review_cycle.LinkProblem) -> HttpResponse:
    context = {"code": problem.code, "activity": problem.activity}
    return render(request, "review/link_problem.html", context, status=LINK_PROBLEM_STATUS[problem.code])


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def review_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows what is being confirmed (mail scanners open links); the button POSTs."""
    try:
        link = review_cycle.confirm_link_check(token)
    except review_cycle.LinkProblem as problem:
        return _link_problem(request, problem)
    if request.method == "POST":
        confirmed = review_cycle.activity_confirm(
            activity=link.activity, actor=request.user, via="link", requested_at=link.requested_at
        )
        if not confirmed:
            return _link_problem(request, review_cycle.LinkProblem("done", link.activity))
        messages.success(request, _("Спасибо! Данные занятия подтверждены."))
        return redirect(link.activity.get_absolute_url())
    return render(
        request, "review/confirm.html", {"activity": link.activity, "requested_at": link.requested_at}
    )


@editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("organization", "venue"), pk=pk)
    members = review_cycle.organization_members(activity.organization_id)
    form = ReviewDecisionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and activity.status == Status.PUBLISHED:
        if form.is_valid():
            action, note = form.cleaned_data["action"], form.cleaned_data["note"]
            done = True
            if action == ReviewDecisionForm.VERIFIED:
                review_cycle.activity_confirm(activity=activity, actor=request.user, via="editor", note=note)
                messages.success(request, _("Отмечено: данные проверены."))
            elif action == ReviewDecisionForm.RESEND:
                mailed = review_cycle.review_request_again(activity=activity, editor=_editor(request))
                if mailed:
                    messages.success(request, _("Запрос отправлен ещё раз: писем — %(n)s.") % {"n": mailed})
                else:
                    done = False
                    form.add_error(
                        "action", _("В организации нет участников с почтой: запрос некому отправить.")
                    )
            else:
                review_cycle.activity_archive(activity=activity, actor=request.user, note=note)
                messages.success(request, _("Занятие убрано в архив."))
            if done:
                return redirect("moderation:review", pk=activity.pk)
        status = 400
    elif request.method == "POST":
        messages.info(request, _("Занятие уже не опубликовано: решение не требуется."))
        return redirect("moderation:review", pk=activity.pk)
    context = {
        "activity": activity,
        "members": members,
        "form": form,
        "reports": pending_reports().filter(activity_id=activity.pk),
    }
    return render(request, "moderation/review_detail.html", context, status=status)
