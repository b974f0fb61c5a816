"""Deployment checks of our own, run by `manage.py check --deploy` next to Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    # Django's own check passes the development key (long and varied), which is public in the repo.
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        messages.append(
            Error(
                "SECRET_KEY is the development key from the repository.",
                hint="Set SECRET_KEY to a long random value, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="kruzhok.E001",
            )
        )
    if not settings.HTTPS:
        messages.append(
            Warning(
                "SITE_URL is not https://, so links in mails and feeds are plain HTTP and the HTTPS "
                "settings (secure cookies, HSTS, redirect) are off by default.",
                hint="Serve the site over HTTPS and set SITE_URL=https://<host>.",
                id="kruzhok.W001",
            )
        )
    return messages
