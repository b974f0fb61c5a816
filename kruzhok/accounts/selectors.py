from __future__ import annotations

from dataclasses import dataclass, field

from kruzhok.accounts import permissions
from kruzhok.accounts.models import DepartmentMembership, Membership, User


@dataclass(frozen=True)
class Roles:
    """What the profile page lists: every role the user holds."""

    memberships: list[Membership] = field(default_factory=list)
    departments: list[DepartmentMembership] = field(default_factory=list)
    is_editor: bool = False
    is_admin: bool = False
    has_totp: bool = False
    needs_mfa: bool = False


def roles_of(user: User) -> Roles:
    return Roles(
        memberships=list(Membership.objects.filter(user=user).select_related("organization")),
        departments=list(DepartmentMembership.objects.filter(user=user).select_related("department")),
        is_editor=bool(user.is_editor),
        is_admin=permissions.is_admin(user),
        has_totp=permissions.has_totp(user),
        needs_mfa=permissions.needs_mfa(user),
    )
