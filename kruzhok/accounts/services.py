"""Writes to users and their roles. Each one is atomic and leaves an audit log entry."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.utils import timezone

from kruzhok.accounts.models import (
    DepartmentMembership,
    Language,
    Membership,
    MembershipRole,
    User,
)
from kruzhok.catalog.models import Department, Organization
from kruzhok.core.services import audit_log


def user_record_sign_up(*, user: User) -> None:
    audit_log(action="accounts.user.signed_up", obj=user, actor=user, data={"language": user.language})


@transaction.atomic
def user_update_profile(*, user: User, display_name: str, language: str) -> dict[str, Any]:
    """Save the profile form; returns the changed fields as {field: [old, new]}."""
    changes: dict[str, Any] = {}
    for field, value in (("display_name", display_name), ("language", language)):
        old = getattr(user, field)
        if old != value:
            changes[field] = [old, value]
            setattr(user, field, value)
    if changes:
        user.save(update_fields=list(changes))
        audit_log(action="accounts.user.profile_changed", obj=user, actor=user, data={"changes": changes})
    return changes


def user_set_language(*, user: User, language: str) -> None:
    """The header's language switch: remembered on the account, not worth an audit entry."""
    if language in Language.values and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def user_grant_editor(*, user: User, granted_by: User | None = None) -> bool:
    """Make `user` an editor; False when they already were one."""
    if user.is_editor:
        return False
    user.is_editor = True
    user.save(update_fields=["is_editor"])
    audit_log(action="accounts.role.granted", obj=user, actor=granted_by, data={"role": "editor"})
    return True


@transaction.atomic
def user_revoke_editor(*, user: User, revoked_by: User | None = None) -> bool:
    if not user.is_editor:
        return False
    user.is_editor = False
    user.save(update_fields=["is_editor"])
    audit_log(action="accounts.role.revoked", obj=user, actor=revoked_by, data={"role": "editor"})
    return True


@transaction.atomic
def user_grant_department(
    *, user: User, department: Department, granted_by: User | None = None
) -> tuple[DepartmentMembership, bool]:
    membership, created = DepartmentMembership.objects.get_or_create(user=user, department=department)
    if created:
        audit_log(
            action="accounts.role.granted",
            obj=user,
            actor=granted_by,
            data={"role": "department", "department": department.slug},
        )
    return membership, created


@transaction.atomic
def user_revoke_department(*, user: User, department: Department, revoked_by: User | None = None) -> bool:
    deleted, _ = DepartmentMembership.objects.filter(user=user, department=department).delete()
    if deleted:
        audit_log(
            action="accounts.role.revoked",
            obj=user,
            actor=revoked_by,
            data={"role": "department", "department": department.slug},
        )
    return bool(deleted)


@transaction.atomic
def user_grant_provider(
    *,
    user: User,
    organization: Organization,
    role: str = MembershipRole.STAFF,
    granted_by: User | None = None,
) -> tuple[Membership, bool]:
    """Make `user` a member of `organization` with `role`; an existing membership takes the new role.

    Returns the membership and whether anything changed.
    """
    if role not in MembershipRole.values:
        raise ValueError(f"unknown membership role {role!r}")
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    changed = created or membership.role != role
    if not created and changed:
        membership.role = role
        membership.save(update_fields=["role"])
    if changed:
        audit_log(
            action="accounts.role.granted",
            obj=user,
            actor=granted_by,
            data={"role": "provider", "organization": organization.pk, "membership_role": role},
        )
    return membership, changed


@transaction.atomic
def user_revoke_provider(*, user: User, organization: Organization, revoked_by: User | None = None) -> bool:
    deleted, _ = Membership.objects.filter(user=user, organization=organization).delete()
    if deleted:
        audit_log(
            action="accounts.role.revoked",
            obj=user,
            actor=revoked_by,
            data={"role": "provider", "organization": organization.pk},
        )
    return bool(deleted)


@transaction.atomic
def user_delete_account(*, user: User) -> None:
    """Delete an account at its owner's request.

    The row stays, emptied of everything personal, so that what the person wrote (comments,
    suggestions, audit entries) keeps a stable author shown as a deleted user. Their email
    addresses, second factors and roles go; the unusable password ends every other session.
    """
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    roles = {
        "memberships": Membership.objects.filter(user=user).delete()[0],
        "department_memberships": DepartmentMembership.objects.filter(user=user).delete()[0],
        "editor": user.is_editor,
    }
    user.groups.clear()
    user.user_permissions.clear()
    user.username = f"deleted-{user.pk}"
    user.email = ""
    user.display_name = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.is_editor = False
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()
    audit_log(action="accounts.user.deleted", obj=user, actor=user, data={"removed_roles": roles})


@transaction.atomic
def user_confirm_email(*, user: User) -> None:
    """Mark the user's own address verified and primary: for accounts made by an operator
    (createsuperuser), who cannot be asked to click a link before their first sign-in."""
    if not user.email:
        return
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    if not (address.verified and address.primary):
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])
    audit_log(action="accounts.user.email_confirmed_by_operator", obj=user, data={})
