"""Forms of the problem reports: the visitor's report and the editor's decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kruzhok.core.abuse import HoneypotMixin
from kruzhok.moderation.models import ProblemReport

TEXT_MAX = 2000
REASON_MAX = 1000


class ProblemReportForm(HoneypotMixin, forms.Form):
    problem = forms.ChoiceField(
        label=_("Что не так"),
        choices=ProblemReport.Problem.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Выберите, что не так."), "invalid_choice": _("Выберите, что не так.")},
    )
    text = forms.CharField(
        label=_("Подробности"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Для «другое» обязательно. Например: «с сентября занятия по вторникам» или новый номер телефона."
        ),
    )
    email = forms.EmailField(
        label=_("Эл. почта для ответа"),
        required=False,
        max_length=254,
        help_text=_("Напишем, что сделали с сообщением. Больше ни для чего не используем."),
    )

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("problem") == ProblemReport.Problem.OTHER and not cleaned.get("text"):
            self.add_error("text", _("Опишите, что не так: без подробностей редактор не поймёт."))
        return cleaned


class ReportDecisionForm(forms.Form):
    CONFIRM = "confirm"
    DISMISS = "dismiss"

    decision = forms.ChoiceField(
        label=_("Решение"),
        choices=[(CONFIRM, _("Подтвердить")), (DISMISS, _("Отклонить"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Выберите решение."), "invalid_choice": _("Выберите решение.")},
    )
    archive = forms.BooleanField(label=_("Убрать занятие в архив"), required=False)
    reason = forms.CharField(
        label=_("Пояснение для отправителя"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Обязательно, если сообщение отклонено."),
    )

    def __init__(self, *args: Any, report: ProblemReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        if report.problem != ProblemReport.Problem.CLOSED:
            del self.fields["archive"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["reason"] = (cleaned.get("reason") or "").strip()
        if cleaned.get("decision") == self.DISMISS:
            if not cleaned["reason"]:
                self.add_error(
                    "reason", _("Напишите, почему сообщение отклонено: причину получит отправитель.")
                )
            if cleaned.get("archive"):
                self.add_error("archive", _("Отклонённое сообщение не убирает занятие в архив."))
        return cleaned
