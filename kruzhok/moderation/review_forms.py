"""The editor's decision on an entry in the review queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

NOTE_MAX = 300


class ReviewDecisionForm(forms.Form):
    VERIFIED = "verified"
    RESEND = "resend"
    ARCHIVE = "archive"

    action = forms.ChoiceField(
        label=_("Решение"),
        choices=[
            (VERIFIED, _("Данные верны (проверено, например, по телефону)")),
            (RESEND, _("Запросить проверку у организации ещё раз")),
            (ARCHIVE, _("Убрать занятие в архив")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Выберите решение."), "invalid_choice": _("Выберите решение.")},
    )
    note = forms.CharField(
        label=_("Пояснение"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Например: «позвонили 12 мая, расписание верное». Для архива обязательно."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["note"] = (cleaned.get("note") or "").strip()
        if cleaned.get("action") == self.ARCHIVE and not cleaned["note"]:
            self.add_error("note", _("Напишите, почему занятие убрано в архив."))
        return cleaned
