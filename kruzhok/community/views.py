"""Posting comments and ratings, reporting comments: POST only, signed-in users only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kruzhok.accounts import permissions
from kruzhok.catalog.models import Activity, Status
from kruzhok.catalog.selectors import activity_for_page
from kruzhok.catalog.views import render_activity
from kruzhok.community import services
from kruzhok.community.forms import AnswerForm, CommentForm, ReportForm
from kruzhok.community.models import Comment, CommentAnswer
from kruzhok.core import abuse


def _live_activity(pk: int) -> Activity:
    activity = activity_for_page(pk)
    if activity is None or activity.status != Status.PUBLISHED:
        raise Http404(_("Занятие не найдено."))
    return activity


def _back(activity: Activity) -> str:
    return activity.get_absolute_url() + "#comments"


@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _live_activity(pk)
    if not request.user.is_authenticated:
        # Back to the page after signing in: the form's target only takes POSTs.
        return redirect_to_login(_back(activity))
    form = CommentForm(request.POST)
    if form.is_valid() and not abuse.allow(
        request, "comment", limit=settings.COMMENTS_PER_HOUR, per_user=False
    ):
        # Several accounts from one address: the per-person limit in the service cannot see it.
        form.add_error(None, _("С вашего адреса пришло слишком много отзывов за час. Попробуйте позже."))
        return render_activity(request, activity, comment_form=form, status=429)
    if form.is_valid():
        try:
            posted = services.post_comment(
                request.user, activity, form.cleaned_data["text"], form.cleaned_data["stars"]
            )
        except services.Refused as refused:
            form.add_error(None, str(refused))
        else:
            if posted is not None and posted.status == Comment.Status.HELD:
                messages.info(request, _("Спасибо! Отзыв со ссылкой появится после проверки редактором."))
            elif posted is not None:
                messages.success(request, _("Спасибо! Отзыв опубликован."))
            else:
                messages.success(request, _("Спасибо! Оценка сохранена."))
            return HttpResponseRedirect(_back(activity))
    # The page again, with what was typed and why it was refused: nothing is lost.
    return render_activity(request, activity, comment_form=form, status=400)


@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Comment.objects.select_related("activity"), pk=pk, status=Comment.Status.PUBLISHED
    )
    if not request.user.is_authenticated:
        return redirect_to_login(_back(found.activity))
    if not abuse.allow(request, "comment-report", limit=settings.COMMENTS_PER_HOUR * 3):
        return abuse.too_many(request)
    form = ReportForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if services.report_comment(request.user, found, reason):
        messages.success(request, _("Спасибо, редакторы посмотрят этот отзыв."))
    else:
        messages.info(request, _("Вы уже пожаловались на этот отзыв."))
    return HttpResponseRedirect(_back(found.activity))


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The organization's official answer to a comment: a page of its own (the activity page
    also has the form inline), so an answer refused for its text comes back with the text."""
    found = get_object_or_404(
        Comment.objects.select_related("activity", "activity__organization", "author"),
        pk=pk,
        status=Comment.Status.PUBLISHED,
    )
    if not request.user.is_authenticated:
        return redirect_to_login(_back(found.activity))
    if permissions.membership_role(request.user, found.activity.organization_id) is None:
        raise Http404(_("Страница не найдена."))
    existing = CommentAnswer.objects.filter(comment=found).first()
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.comment_answer_save(comment=found, user=request.user, text=form.cleaned_data["text"])
            except services.Refused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Ответ организации опубликован."))
                return HttpResponseRedirect(found.activity.get_absolute_url() + f"#comment-{found.pk}")
        status = 400
    else:
        form = AnswerForm(initial={"text": existing.text if existing else ""})
    context = {"comment": found, "activity": found.activity, "form": form, "existing": existing}
    return render(request, "community/answer.html", context, status=status)
