"""Department pages: the network with each organization's listing status and freshness, the
invitations (send, resend, revoke), and the link an invited person opens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kruzhok.accounts import invitations, permissions
from kruzhok.accounts import selectors_department as network
from kruzhok.accounts.forms_department import InvitationForm, InvitationSignupForm
from kruzhok.accounts.models import Invitation, InvitationStatus
from kruzhok.catalog.models import Department
from kruzhok.core import abuse

PAGE_SIZE = 50


@permissions.login_mfa_required
@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    departments = list(network.departments_for(request.user))
    if not departments:
        raise Http404(_("Страница не найдена."))
    if len(departments) == 1:
        return redirect("department:network", slug=departments[0].slug)
    return render(request, "department/index.html", {"departments": departments})


@permissions.login_mfa_required
@require_http_methods(["GET", "HEAD"])
def network_view(request: HttpRequest, slug: str) -> HttpResponse:
    department = permissions.get_department_or_404(request.user, slug)
    show = request.GET.get("show", "all")
    show = show if show in network.FILTERS else "all"
    sort = request.GET.get("sort", "name")
    sort = sort if sort in network.SORTS else "name"
    now = timezone.now()
    page = Paginator(
        network.network_rows(department=department, show=show, sort=sort, now=now), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "department": department,
        "rows": [network.network_row(org) for org in page.object_list],
        "page": page,
        "totals": network.network_totals(department=department, now=now),
        "show": show,
        "sort": sort,
        "fresh_days": settings.REVIEW_AFTER_DAYS,
        "filters": [
            ("all", _("Все")),
            ("empty", _("Без записей")),
            ("stale", _("Есть устаревшие")),
            ("no_members", _("Без аккаунта")),
        ],
        "sorts": [
            ("name", _("по названию")),
            ("activities", _("по числу занятий")),
            ("fresh", _("сначала наименее свежие")),
            ("oldest", _("по самой давней проверке")),
        ],
        "other_departments": network.departments_for(request.user).count() > 1,
    }
    return render(request, "department/network.html", context)


def _invitation_rows(department: Department) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {"invitation": invitation, "status": invitation.status_at(now)}
        for invitation in network.department_invitations(department=department)[:200]
    ]


@permissions.login_mfa_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_list(request: HttpRequest, slug: str) -> HttpResponse:
    department = permissions.get_department_or_404(request.user, slug)
    organizations: QuerySet[Any] = network.department_organizations(department)
    form = InvitationForm(
        request.POST or None,
        department=department,
        organizations=organizations,
        initial={"organization": request.GET.get("organization", "")[:20]},
    )
    if request.method == "POST":
        if not abuse.allow(request, "department.invite", limit=settings.INVITATIONS_PER_HOUR):
            return abuse.too_many(request)
        if form.is_valid():
            invitation = invitations.invitation_create(
                department=department,
                inviter=permissions.signed_in_user(request),
                email=form.cleaned_data["email"],
                organization=form.cleaned_data["organization"],
                organization_name=form.cleaned_data["new_organization"],
            )
            messages.success(
                request,
                _("Приглашение для «%(org)s» отправлено на %(email)s.")
                % {"org": invitation.organization.name, "email": invitation.email},
            )
            return redirect("department:invitations", slug=department.slug)
    context = {
        "department": department,
        "form": form,
        "rows": _invitation_rows(department),
        "days": settings.INVITATION_EXPIRY_DAYS,
        "statuses": InvitationStatus,
    }
    return render(request, "department/invitations.html", context, status=400 if form.errors else 200)


def _invitation_or_404(department: Department, pk: int) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organization").filter(pk=pk, department=department).first()
    )
    if invitation is None:
        raise Http404(_("Страница не найдена."))
    return invitation


@permissions.login_mfa_required
@require_POST
def invitation_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    department = permissions.get_department_or_404(request.user, slug)
    invitation = _invitation_or_404(department, pk)
    if not abuse.allow(request, "department.invite", limit=settings.INVITATIONS_PER_HOUR):
        return abuse.too_many(request)
    try:
        invitations.invitation_resend(invitation=invitation, actor=permissions.signed_in_user(request))
    except invitations.InvitationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Новая ссылка отправлена на %(email)s.") % {"email": invitation.email})
    return redirect("department:invitations", slug=department.slug)


@permissions.login_mfa_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    department = permissions.get_department_or_404(request.user, slug)
    invitation = _invitation_or_404(department, pk)
    if invitations.invitation_revoke(invitation=invitation, actor=permissions.signed_in_user(request)):
        messages.success(request, _("Приглашение для %(email)s отозвано.") % {"email": invitation.email})
    else:
        messages.error(request, _("Это приглашение уже принято или отозвано."))
    return redirect("department:invitations", slug=department.slug)


# --- the link in the mail -----------------------------------------------------------------


def _refused(request: HttpRequest, error: invitations.InvitationError) -> HttpResponse:
    status = {"invalid": 404, "other_user": 403}.get(error.reason, 410)
    return render(request, "department/invitation_refused.html", {"error": error}, status=status)


def _welcome(request: HttpRequest, accepted: invitations.Accepted) -> HttpResponse:
    organization = accepted.membership.organization
    if accepted.role == "owner":
        text = _("Готово: вы — владелец организации «%(org)s» на сайте.")
    else:
        text = _("Готово: вы — сотрудник организации «%(org)s» на сайте.")
    messages.success(request, text % {"org": organization.name})
    return redirect("accounts:profile")


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and not abuse.allow(request, "invitation.accept", limit=30):
        return abuse.too_many(request)
    try:
        invitation = invitations.invitation_by_token(token)
    except invitations.InvitationError as error:
        return _refused(request, error)
    context: dict[str, Any] = {"invitation": invitation, "token": token}

    if request.user.is_authenticated:
        user = permissions.signed_in_user(request)
        if not invitations.email_matches(invitation, user):
            return _refused(
                request,
                invitations.InvitationError(
                    _(
                        "Это приглашение отправлено на другой адрес, а вы вошли как %(email)s. "
                        "Выйдите и откройте ссылку из письма снова."
                    )
                    % {"email": user.email},
                    reason="other_user",
                ),
            )
        if request.method == "POST":
            try:
                accepted = invitations.invitation_accept(invitation=invitation, user=user)
            except invitations.InvitationError as error:
                return _refused(request, error)
            return _welcome(request, accepted)
        return render(request, "department/invitation_accept.html", context)

    if invitations.account_for_email(invitation.email) is not None:
        context["login_url"] = reverse("account_login") + "?next=" + request.path
        return render(request, "department/invitation_sign_in.html", context)

    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user, accepted = invitations.invitation_accept_new_account(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except invitations.InvitationError as error:
            return _refused(request, error)
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return _welcome(request, accepted)
    context["form"] = form
    return render(request, "department/invitation_signup.html", context, status=400 if form.errors else 200)
