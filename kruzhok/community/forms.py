from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.forms import plain as plain_text
from kruzhok.community.models import MAX_TEXT
from kruzhok.core.abuse import HoneypotMixin

STARS = [("", _("без оценки"))] + [(str(n), str(n)) for n in range(5, 0, -1)]


class CommentForm(HoneypotMixin, forms.Form):
    text = forms.CharField(
        label=_("Ваш отзыв"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Обычный текст; ссылки от новых участников появятся после проверки."),
    )
    stars = forms.TypedChoiceField(
        label=_("Оценка"), choices=STARS, coerce=int, empty_value=None, required=False
    )

    def clean_text(self) -> str:
        return plain_text(self.cleaned_data.get("text", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text") and data.get("stars") is None and not self.errors:
            raise forms.ValidationError(_("Напишите отзыв или поставьте оценку."))
        return data


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("Что не так"), required=False, max_length=500)

    def clean_reason(self) -> str:
        return plain_text(self.cleaned_data.get("reason", ""))


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Ответ организации"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_text(self) -> str:
        value = plain_text(self.cleaned_data.get("text", ""))
        if not value:
            raise forms.ValidationError(_("Напишите ответ."))
        return value
