"""How allauth fits Kruzhok: mails in the recipient's language through our one mail helper,
links built on SITE_URL, redirects kept on this site, sign-ups written to the audit log."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts import services
from kruzhok.core import abuse, emails
from kruzhok.core.emails import site_url


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Слишком много неудачных попыток входа. Вход в этот аккаунт временно закрыт: "
            "попробуйте позже или восстановите пароль по почте."
        ),
        "email_password_mismatch": _("Неверный адрес электронной почты или пароль."),
    }

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        user.display_name = form.cleaned_data.get("display_name", "")  # type: ignore[attr-defined]
        # The language the visitor was reading when they signed up is the one their mails use.
        user.language = translation.get_language() or settings.LANGUAGE_CODE  # type: ignore[attr-defined]
        saved = super().save_user(request, user, form, commit=commit)
        if commit:
            services.user_record_sign_up(user=saved)
        return saved

    def get_client_ip(self, request: HttpRequest) -> str:
        """The visitor's address as every other limit of the site sees it (TRUSTED_PROXIES):
        allauth's own reading takes the proxy's address for everyone's behind nginx, and then
        thirty sign-ins a minute from the whole city would lock the sign-in page (bench/load.py)."""
        return abuse.client_ip(request)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        user = context.get("user") or _user_with_email(email)
        language = getattr(user, "language", None) or translation.get_language()
        emails.send_mail(
            template=template_prefix,
            to=email,
            context={"email": email, "user": user, **context},
            language=language,
        )

    def send_notification_mail(
        self,
        template_prefix: str,
        user: AbstractBaseUser,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        # The user travels with the mail so it is written in their language, even when it goes to
        # an address that is no longer theirs (an email change notice).
        super().send_notification_mail(template_prefix, user, {"user": user, **(context or {})}, email)

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def is_safe_url(self, url: str) -> bool:
        """Only paths on this site: `next=` must never send anyone to another host."""
        request = self.request
        return url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )


def _user_with_email(email: str) -> AbstractBaseUser | None:
    return get_user_model().objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
