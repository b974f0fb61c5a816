"""Account forms. Names are plain text: markup and control characters are refused with a reason."""

from __future__ import annotations

import unicodedata
from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import ratelimit
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.models import DISPLAY_NAME_MAX_LENGTH, Language, User

_MARKUP = set("<>{}[]\\`")


def clean_display_name(value: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise forms.ValidationError(_("В имени есть невидимые или управляющие символы. Уберите их."))
    if _MARKUP & set(name):
        raise forms.ValidationError(
            _("Имя не может содержать символы < > { } [ ] \\ `. Напишите его обычными буквами.")
        )
    if "://" in name or "www." in name.lower():
        raise forms.ValidationError(_("Ссылка не может быть именем."))
    return name


def _display_name_field(required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("Имя на сайте"),
        required=required,
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text=_("Так вас увидят другие, например под отзывом. Можно только имя."),
        error_messages={"max_length": _("Имя не длиннее %(limit_value)d символов (сейчас %(show_value)d).")},
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (email, password twice) plus the name shown on the site."""

    display_name = _display_name_field(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["email", "display_name", "password1", "password2"])

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data.get("display_name", ""))


class ProfileForm(forms.Form):
    """A plain form, not a ModelForm: the service compares old and new values and saves."""

    display_name = _display_name_field(required=False)
    language = forms.ChoiceField(
        label=_("Язык сайта и писем"),
        choices=Language.choices,
        widget=forms.RadioSelect,
    )

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data.get("display_name", ""))


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Чтобы никто, кроме вас, не удалил аккаунт с открытого компьютера."),
    )

    def __init__(self, *args: Any, user: User, request: HttpRequest, **kwargs: Any) -> None:
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        # The same budget as allauth's re-authentication: a stolen session cannot guess the password.
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.user):
            raise forms.ValidationError(_("Слишком много попыток. Подождите минуту и попробуйте снова."))
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Пароль неверный."))
        return password
