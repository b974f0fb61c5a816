"""`manage.py grant_role EMAIL ROLE [--revoke]` — give (or take away) a role.

ROLE is `editor`, `department:<slug>` or `provider:<organization id>[:owner|:staff]`
(staff by default). Every change is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from kruzhok.accounts import services
from kruzhok.accounts.models import MembershipRole, User
from kruzhok.catalog.models import Department, Organization


class Command(BaseCommand):
    help = "Make a user an editor, a department member or a provider member of an organization."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the user's email address (they must have signed up)")
        parser.add_argument(
            "role", help="editor | department:<slug> | provider:<organization id>[:owner|:staff]"
        )
        parser.add_argument("--revoke", action="store_true", help="take the role away instead")
        parser.add_argument(
            "--lang",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the messages (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            self.stdout.write(self._run(options["email"].strip(), options["role"].strip(), options["revoke"]))

    def _run(self, email: str, role: str, revoke: bool) -> str:
        user = User.objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError(
                _("Нет активного пользователя с адресом %(email)s: сначала он должен зарегистрироваться.")
                % {"email": email}
            )
        kind, _sep, rest = role.partition(":")
        if kind == "editor" and not rest:
            return self._editor(user, revoke)
        if kind == "department" and rest:
            return self._department(user, rest, revoke)
        if kind == "provider" and rest:
            return self._provider(user, rest, revoke)
        raise CommandError(
            _(
                "Непонятная роль «%(role)s». Можно: editor, department:<слаг>, provider:<id организации>[:owner]"
            )
            % {"role": role}
        )

    def _editor(self, user: User, revoke: bool) -> str:
        if revoke:
            changed = services.user_revoke_editor(user=user)
            message = _("%(email)s больше не редактор.") if changed else _("%(email)s и так не редактор.")
            return message % {"email": user.email}
        changed = services.user_grant_editor(user=user)
        message = _("%(email)s теперь редактор.") if changed else _("%(email)s уже редактор.")
        return (
            message + " " + _("Страницы редакции откроются после подключения приложения-аутентификатора.")
        ) % {"email": user.email}

    def _department(self, user: User, slug: str, revoke: bool) -> str:
        department = Department.objects.filter(slug=slug).first()
        if department is None:
            known = ", ".join(Department.objects.values_list("slug", flat=True)) or "—"
            raise CommandError(
                _("Нет департамента «%(slug)s». Есть: %(known)s") % {"slug": slug, "known": known}
            )
        params = {"email": user.email, "department": department.name}
        if revoke:
            changed = services.user_revoke_department(user=user, department=department)
            return (
                _("%(email)s больше не в департаменте «%(department)s».")
                if changed
                else _("%(email)s и так не в департаменте «%(department)s».")
            ) % params
        _membership, created = services.user_grant_department(user=user, department=department)
        return (
            _("%(email)s теперь в департаменте «%(department)s».")
            if created
            else _("%(email)s уже в департаменте «%(department)s».")
        ) % params

    def _provider(self, user: User, rest: str, revoke: bool) -> str:
        org_id, _sep, membership_role = rest.partition(":")
        membership_role = membership_role or MembershipRole.STAFF
        if membership_role not in MembershipRole.values:
            raise CommandError(
                _("Роль в организации — owner или staff, а не «%(role)s».") % {"role": membership_role}
            )
        if not org_id.isdigit():
            raise CommandError(_("Номер организации — целое число, а не «%(id)s».") % {"id": org_id})
        organization = Organization.objects.filter(pk=int(org_id)).first()
        if organization is None:
            raise CommandError(_("Нет организации с номером %(id)s.") % {"id": org_id})
        params = {"email": user.email, "organization": organization.name}
        if revoke:
            changed = services.user_revoke_provider(user=user, organization=organization)
            return (
                _("%(email)s больше не представляет «%(organization)s».")
                if changed
                else _("%(email)s и так не представляет «%(organization)s».")
            ) % params
        _membership, changed = services.user_grant_provider(
            user=user, organization=organization, role=membership_role
        )
        label = MembershipRole(membership_role).label
        return (
            _("%(email)s теперь %(role)s в «%(organization)s».")
            if changed
            else _("%(email)s уже %(role)s в «%(organization)s».")
        ) % {**params, "role": label}
