"""Django's createsuperuser, plus what allauth needs for the new admin to sign in at once.

The site signs in by verified email, so the admin's address is marked verified here; on the
first visit to a staff page they are asked to enrol TOTP, like every editor.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.utils.translation import gettext as _

from kruzhok.accounts import services
from kruzhok.accounts.models import User


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        database = options.get("database") or "default"
        before = User.objects.using(database).order_by("-pk").values_list("pk", flat=True).first() or 0
        super().handle(*args, **options)
        for user in User.objects.using(database).filter(pk__gt=before, is_superuser=True):
            if user.email:
                services.user_confirm_email(user=user)
                self.stdout.write(
                    _(
                        "Вход на сайт: %(email)s и этот пароль; при первом входе в /admin/ сайт попросит подключить приложение-аутентификатор."
                    )
                    % {"email": user.email}
                )
            else:
                self.stderr.write(
                    _(
                        "У администратора нет адреса почты, а вход на сайт — по почте. Задайте адрес в /admin/ или создайте администратора заново с --email."
                    )
                )
