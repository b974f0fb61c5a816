"""Problem reports: the public form under every activity, and the editor's page for one report."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kruzhok.accounts.models import User
from kruzhok.accounts.permissions import editor_required
from kruzhok.catalog.models import Status
from kruzhok.catalog.selectors import activity_for_page
from kruzhok.core.abuse import allow, client_ip, too_many
from kruzhok.moderation import reports as services
from kruzhok.moderation.models import ProblemReport
from kruzhok.moderation.report_forms import ProblemReportForm, ReportDecisionForm


def _editor(request: HttpRequest) -> User:
    """The signed-in editor (the page is behind `editor_required`)."""
    return cast(User, request.user)


@require_http_methods(["GET", "HEAD", "POST"])
def activity_report(request: HttpRequest, pk: int) -> HttpResponse:
    """«Сообщить о проблеме» for anyone, signed in or not."""
    activity = activity_for_page(pk)
    if activity is None or activity.status != Status.PUBLISHED:
        raise Http404(_("Занятие не найдено."))
    status = 200
    if request.method == "POST":
        if not allow(request, "report", limit=settings.REPORTS_PER_HOUR):
            return too_many(request)
        form = ProblemReportForm(request.POST)
        if form.is_valid():
            report = services.report_create(
                activity=activity,
                problem=form.cleaned_data["problem"],
                text=form.cleaned_data["text"],
                reporter=request.user,
                reporter_email=form.cleaned_data["email"],
                key=services.client_key(client_ip(request)),
            )
            if report is None:
                messages.info(
                    request, _("Вы уже сообщили о проблеме с этим занятием сегодня: редакторы её проверят.")
                )
            else:
                messages.success(request, _("Спасибо! Редакторы проверят сообщение и исправят занятие."))
            return redirect(activity.get_absolute_url())
        status = 400
    else:
        initial = {"email": request.user.email} if request.user.is_authenticated else {}
        if request.GET.get("problem") in ProblemReport.Problem.values:
            initial["problem"] = request.GET["problem"]
        form = ProblemReportForm(initial=initial)
    return render(request, "moderation/report_form.html", {"activity": activity, "form": form}, status=status)


@editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        ProblemReport.objects.select_related("activity", "activity__organization", "reporter", "decided_by"),
        pk=pk,
    )
    status = 200
    form = ReportDecisionForm(request.POST if request.method == "POST" else None, report=found)
    if request.method == "POST" and found.is_pending:
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == ReportDecisionForm.CONFIRM:
                    services.report_confirm(
                        report=found,
                        editor=_editor(request),
                        reason=data["reason"],
                        archive=bool(data.get("archive")),
                    )
                    messages.success(request, _("Сообщение подтверждено."))
                else:
                    services.report_dismiss(report=found, editor=_editor(request), reason=data["reason"])
                    messages.success(request, _("Сообщение отклонено."))
            except services.ReportRefused as refused:
                form.add_error(None, str(refused))
            else:
                return redirect("moderation:report", pk=found.pk)
        status = 400
    elif request.method == "POST":
        messages.info(request, _("Это сообщение уже рассмотрено."))
        return redirect("moderation:report", pk=found.pk)
    context = {
        "report": found,
        "activity": found.activity,
        "others": services.other_open_reports(found),
        "form": form,
    }
    return render(request, "moderation/report_detail.html", context, status=status)
