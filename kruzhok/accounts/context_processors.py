"""The header's role links: where a provider, a department member or an editor works."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from kruzhok.accounts import permissions


class Roles:
    """Asked lazily: a page whose header shows no role link costs no query."""

    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def provider(self) -> bool:
        return permissions.is_provider(self.user)

    @cached_property
    def department(self) -> bool:
        return permissions.is_department_member(self.user)

    @cached_property
    def editor(self) -> bool:
        return permissions.is_editor(self.user)


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"roles_nav": Roles(user)}
