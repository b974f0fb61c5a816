"""Forms of the department pages and of the invitation link."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.forms import _display_name_field, clean_display_name
from kruzhok.accounts.invitations import invitation_refused_by
from kruzhok.accounts.models import Invitation, InvitationStatus, User
from kruzhok.catalog.models import Department, Organization

ORGANIZATION_NAME_MAX = 300
_MARKUP = set("<>{}[]\\`")


def clean_organization_name(value: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise forms.ValidationError(_("В названии есть невидимые или управляющие символы. Уберите их."))
    if _MARKUP & set(name):
        raise forms.ValidationError(
            _("Название не может содержать символы < > { } [ ] \\ `. Напишите его обычными буквами.")
        )
    return name


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Адрес почты учреждения"),
        max_length=254,
        help_text=_("На него придёт письмо со ссылкой; по ссылке человек создаст аккаунт или войдёт."),
        error_messages={
            "invalid": _("Проверьте адрес: он должен выглядеть как name@example.ru."),
            "required": _("Укажите адрес почты."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    organization = forms.ModelChoiceField(
        label=_("Организация из вашей сети"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("— новая организация (название ниже) —"),
        error_messages={"invalid_choice": _("Такой организации нет в вашей сети. Выберите из списка.")},
    )
    new_organization = forms.CharField(
        label=_("Или название новой организации"),
        required=False,
        max_length=ORGANIZATION_NAME_MAX,
        help_text=_("Она появится в вашей сети; записи о занятиях учреждение добавит само."),
        error_messages={
            "max_length": _("Название не длиннее %(limit_value)d символов (сейчас %(show_value)d).")
        },
    )

    def __init__(self, *args: Any, department: Department, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.department = department
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if (why := invitation_refused_by(email)) is not None:
            raise forms.ValidationError(why)
        return email

    def clean_new_organization(self) -> str:
        return clean_organization_name(self.cleaned_data.get("new_organization", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        organization = cleaned.get("organization")
        new_name = cleaned.get("new_organization", "")
        if "organization" in self.errors or "new_organization" in self.errors:
            return cleaned
        if organization is None and not new_name:
            raise forms.ValidationError(_("Выберите организацию из списка или напишите название новой."))
        if organization is not None and new_name:
            raise forms.ValidationError(
                _("Выберите организацию из списка или напишите название новой — что-то одно.")
            )
        if (
            organization is None
            and Organization.objects.filter(department=self.department, name__iexact=new_name).exists()
        ):
            self.add_error(
                "new_organization",
                _("Организация с таким названием уже есть в вашей сети — выберите её из списка."),
            )
        email = cleaned.get("email")
        if organization is not None and email:
            pending = [
                i
                for i in Invitation.objects.filter(organization=organization, email__iexact=email)
                if i.status == InvitationStatus.SENT
            ]
            if pending:
                self.add_error(
                    "email",
                    _(
                        "На этот адрес уже отправлено приглашение в эту организацию. "
                        "Отправьте его повторно из списка ниже."
                    ),
                )
        return cleaned


class InvitationSignupForm(forms.Form):
    """The account an invited person creates: their address is the invitation's."""

    display_name = _display_name_field(required=False)
    password1 = forms.CharField(
        label=_("Пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Не короче 8 символов, не только цифры и не похожий на адрес почты."),
    )
    password2 = forms.CharField(
        label=_("Пароль (ещё раз)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data.get("display_name", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Пароли не совпадают. Введите один и тот же пароль дважды."))
        elif first:
            try:
                password_validation.validate_password(
                    first, User(email=self.email, display_name=cleaned.get("display_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
