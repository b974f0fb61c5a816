"""The profile page, account deletion and the language switch; allauth serves the rest."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from kruzhok.accounts import permissions, selectors, services
from kruzhok.accounts.forms import DeleteAccountForm, ProfileForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = permissions.signed_in_user(request)
    form = ProfileForm(
        request.POST or None, initial={"display_name": user.display_name, "language": user.language}
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(
            user=user,
            display_name=form.cleaned_data["display_name"],
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("Профиль сохранён."))
        return redirect("accounts:profile")
    context = {"form": form, "roles": selectors.roles_of(user)}
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    user = permissions.signed_in_user(request)
    form = DeleteAccountForm(request.POST or None, user=user, request=request)
    if request.method == "POST" and form.is_valid():
        services.user_delete_account(user=user)
        logout(request)
        messages.success(request, _("Аккаунт удалён. Спасибо, что были с нами."))
        return redirect("catalog:home")
    return render(request, "accounts/delete.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's switch: Django's view sets the cookie; a signed-in user's profile follows."""
    if request.user.is_authenticated:
        services.user_set_language(
            user=permissions.signed_in_user(request), language=request.POST.get("language", "")
        )
    return django_set_language(request)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in through the site's own sign-in (rate limits, email, MFA).

    A signed-in user who is not staff gets 403 rather than the sign-in page, which would send
    them straight back here.
    """
    next_url = request.GET.get("next", "")
    if not get_adapter().is_safe_url(next_url):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if getattr(request.user, "is_staff", False):
            return redirect(next_url or "admin:index")
        raise PermissionDenied(_("Эта страница только для сотрудников сайта."))
    return redirect(reverse("account_login") + "?" + urlencode({"next": next_url or reverse("admin:index")}))
