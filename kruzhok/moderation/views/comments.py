"""An editor decides a held comment (publish or remove) or a hidden one (restore or remove)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kruzhok.accounts import permissions
from kruzhok.catalog.forms import plain
from kruzhok.community import services
from kruzhok.community.models import Comment, CommentReport


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Причина удаления"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Автор отзыва, ждавшего проверки, получит её в письме."),
    )

    def clean_reason(self) -> str:
        value = plain(self.cleaned_data.get("reason", ""))
        if not value:
            raise forms.ValidationError(_("Напишите причину удаления."))
        return value


@permissions.editor_required
@require_http_methods(["GET", "POST"])
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Comment.objects.select_related("activity", "activity__organization", "author", "moderated_by"), pk=pk
    )
    remove_form = RemoveForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "publish":
                services.comment_publish(comment=found, editor=permissions.signed_in_user(request))
                messages.success(request, _("Отзыв опубликован."))
                return redirect("moderation:comment", pk=found.pk)
            if action == "restore":
                services.comment_restore(comment=found, editor=permissions.signed_in_user(request))
                messages.success(request, _("Отзыв снова виден, жалобы отклонены."))
                return redirect("moderation:comment", pk=found.pk)
            if action == "remove":
                remove_form = RemoveForm(request.POST)
                if remove_form.is_valid():
                    services.comment_remove(
                        comment=found,
                        editor=permissions.signed_in_user(request),
                        reason=remove_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Отзыв удалён."))
                    return redirect("moderation:comment", pk=found.pk)
            else:
                messages.error(request, _("Выберите действие."))
        except services.Refused as refused:
            messages.error(request, str(refused))
            return redirect("moderation:comment", pk=found.pk)
        status = 400
    context = {
        "comment": found,
        "reports": CommentReport.objects.filter(comment=found)
        .select_related("reporter")
        .order_by("created_at"),
        "remove_form": remove_form,
    }
    return render(request, "moderation/comment.html", context, status=status)
