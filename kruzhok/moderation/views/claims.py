"""«Я представляю эту организацию»: the claim form, and the editor's page that decides a claim."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kruzhok.accounts import permissions
from kruzhok.catalog.forms import one_line, phone_value, plain
from kruzhok.catalog.models import Organization
from kruzhok.core.abuse import HoneypotMixin, allow, too_many
from kruzhok.moderation import claims as services
from kruzhok.moderation.models import Claim, Decision

CLAIMS_PER_HOUR = 5


class ClaimForm(HoneypotMixin, forms.Form):
    position = forms.CharField(
        label=gettext_lazy("Ваша должность"),
        max_length=200,
        help_text=gettext_lazy("Например: директор, методист, тренер."),
    )
    phone = forms.CharField(
        label=gettext_lazy("Телефон для проверки"),
        required=False,
        max_length=50,
        help_text=gettext_lazy("Редактор может позвонить, чтобы убедиться, что вы работаете в организации."),
    )
    message = forms.CharField(
        label=gettext_lazy("Сообщение редактору"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_position(self) -> str:
        value = one_line(self.cleaned_data.get("position", ""))
        if not value:
            raise forms.ValidationError(_("Напишите вашу должность."))
        return value

    def clean_phone(self) -> str:
        return phone_value(self.cleaned_data.get("phone", ""))

    def clean_message(self) -> str:
        return plain(self.cleaned_data.get("message", ""))


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Причина отказа"),
        max_length=services.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Её получит автор заявки."),
    )

    def clean_reason(self) -> str:
        value = plain(self.cleaned_data.get("reason", ""))
        if not value:
            raise forms.ValidationError(_("Напишите причину: её получит автор заявки."))
        return value


def _live_organization(pk: int) -> Organization:
    org = Organization.objects.filter(pk=pk).first()
    if org is None or not org.is_live:
        raise Http404(_("Организация не найдена."))
    return org


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest, pk: int) -> HttpResponse:
    org = _live_organization(pk)
    role = permissions.membership_role(request.user, org)
    pending = Claim.objects.filter(
        user=permissions.signed_in_user(request), organization=org, status=Decision.PENDING
    ).first()
    form = ClaimForm()
    status = 200
    if request.method == "POST" and role is None and pending is None:
        if not allow(request, "claim", limit=CLAIMS_PER_HOUR):
            return too_many(request)
        form = ClaimForm(request.POST)
        if form.is_valid():
            try:
                services.claim_submit(
                    user=permissions.signed_in_user(request),
                    organization=org,
                    position=form.cleaned_data["position"],
                    phone=form.cleaned_data["phone"],
                    message=form.cleaned_data["message"],
                )
            except services.Refused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request, _("Заявка отправлена. Редактор проверит её и напишет вам на почту.")
                )
                return redirect(org.get_absolute_url())
        status = 400
    context = {"organization": org, "form": form, "role": role, "pending": pending}
    return render(request, "moderation/claim_new.html", context, status=status)


@permissions.editor_required
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Claim.objects.select_related("organization", "user", "decided_by"), pk=pk)
    reject_form = RejectForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                membership = services.claim_approve(claim=found, editor=permissions.signed_in_user(request))
                messages.success(
                    request,
                    _("Заявка одобрена: %(name)s теперь %(role)s организации.")
                    % {"name": found.user.public_name, "role": membership.get_role_display()},
                )
                return redirect("moderation:claim", pk=found.pk)
            if action == "reject":
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    services.claim_reject(
                        claim=found,
                        editor=permissions.signed_in_user(request),
                        reason=reject_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Заявка отклонена, автору отправлено письмо."))
                    return redirect("moderation:claim", pk=found.pk)
            else:
                messages.error(request, _("Выберите: одобрить или отклонить."))
        except services.Refused as refused:
            messages.error(request, str(refused))
            return redirect("moderation:claim", pk=found.pk)
        status = 400
    context: dict[str, Any] = {
        "claim": found,
        "others": services.other_claims_of(found),
        "members": services.members_of(found.organization),
        "reject_form": reject_form,
    }
    return render(request, "moderation/claim.html", context, status=status)
