"""Every role check in one place. Views ask these; nothing else reads roles directly.

Roles: a citizen is any signed-in user; a provider is a member (owner or staff) of an
organization; a department member sees the organizations of their department; an editor
moderates everything; an admin (superuser) is an editor who also runs the site.

Other people's objects are not found (404), not forbidden: an edit URL must not confirm that
an entry someone else owns exists or is editable. Editors and admins must have TOTP enrolled
before any staff page lets them in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from kruzhok.accounts.models import DepartmentMembership, Membership, MembershipRole, User
from kruzhok.catalog.models import Activity, Department, Organization

AnyUser = AbstractBaseUser | AnonymousUser


def _active(user: AnyUser | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _active_id(user: AnyUser | None) -> int:
    """The id of a signed-in, active user; 0 (no row has it) for anyone else."""
    return int(user.pk) if user is not None and _active(user) and user.pk is not None else 0


def is_admin(user: AnyUser | None) -> bool:
    return _active(user) and bool(getattr(user, "is_superuser", False))


def is_editor(user: AnyUser | None) -> bool:
    """Editors and admins: both moderate, both need TOTP."""
    return _active(user) and bool(getattr(user, "is_editor", False) or getattr(user, "is_superuser", False))


def needs_mfa(user: AnyUser | None) -> bool:
    """Whose account opens staff pages, and so must be protected by a second factor."""
    return is_editor(user) or (_active(user) and bool(getattr(user, "is_staff", False)))


def has_totp(user: AnyUser | None) -> bool:
    return _active(user) and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_missing(user: AnyUser | None) -> bool:
    return needs_mfa(user) and not has_totp(user)


def organizations_of(user: AnyUser | None) -> QuerySet[Organization]:
    """Organizations the user is a provider member of (owner or staff)."""
    if not _active(user):
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user_id=_active_id(user)).distinct()


def is_provider(user: AnyUser | None) -> bool:
    """A member of any organization (one indexed lookup: the header asks on every page)."""
    return _active(user) and Membership.objects.filter(user_id=_active_id(user)).exists()


def is_department_member(user: AnyUser | None) -> bool:
    return _active(user) and DepartmentMembership.objects.filter(user_id=_active_id(user)).exists()


def departments_of(user: AnyUser | None) -> QuerySet[Department]:
    if not _active(user):
        return Department.objects.none()
    return Department.objects.filter(memberships__user_id=_active_id(user)).distinct()


def membership_role(user: AnyUser | None, organization: Organization | int) -> str | None:
    """'owner', 'staff' or None."""
    if not _active(user):
        return None
    org_id = organization.pk if isinstance(organization, Organization) else organization
    return (
        Membership.objects.filter(user_id=_active_id(user), organization_id=org_id)
        .values_list("role", flat=True)
        .first()
    )


def can_edit_organization(user: AnyUser | None, organization: Organization | int) -> bool:
    """Editors, and the organization's own members; nobody else."""
    return is_editor(user) or membership_role(user, organization) is not None


def can_manage_organization(user: AnyUser | None, organization: Organization | int) -> bool:
    """Who may add or remove the organization's members: its owners and editors."""
    return is_editor(user) or membership_role(user, organization) == MembershipRole.OWNER


def can_edit_activity(user: AnyUser | None, activity: Activity) -> bool:
    return can_edit_organization(user, activity.organization_id)


def can_see_department(user: AnyUser | None, department: Department | int) -> bool:
    """A department's network view: its members and editors."""
    if is_editor(user):
        return True
    if not _active(user):
        return False
    dep_id = department.pk if isinstance(department, Department) else department
    return DepartmentMembership.objects.filter(user_id=_active_id(user), department_id=dep_id).exists()


def get_for_user_or_404[M: Model](
    user: AnyUser | None,
    queryset: QuerySet[M],
    pk: Any,
    allowed: Callable[[AnyUser | None, M], bool],
) -> M:
    """The object with `pk`, if `allowed(user, obj)`; otherwise 404, exactly as if it did not exist."""
    try:
        obj = queryset.filter(pk=pk).first()
    except (TypeError, ValueError, ValidationError):
        obj = None  # a malformed id in a URL is just another page that is not there
    if obj is None or not allowed(user, obj):
        raise Http404(_("Страница не найдена."))
    return obj


def get_activity_for_editing(user: AnyUser | None, pk: Any) -> Activity:
    return get_for_user_or_404(user, Activity.objects.select_related("organization"), pk, can_edit_activity)


def get_organization_for_editing(user: AnyUser | None, pk: Any) -> Organization:
    return get_for_user_or_404(user, Organization.objects.all(), pk, can_edit_organization)


def get_department_or_404(user: AnyUser | None, slug: str) -> Department:
    """The department `slug` if this user may open it; 404 otherwise, as if it did not exist."""
    department = Department.objects.filter(slug=slug).first()
    if department is None or not can_see_department(user, department):
        raise Http404(_("Страница не найдена."))
    return department


def mfa_enrolment_redirect(request: HttpRequest) -> HttpResponse:
    messages.warning(
        request,
        _(
            "Для страниц редакторов нужна двухфакторная защита. Подключите приложение-аутентификатор: "
            "это займёт минуту."
        ),
    )
    return redirect("mfa_activate_totp")


def signed_in_user(request: HttpRequest) -> User:
    """The request's user in a view that has already refused visitors (login_required and kin)."""
    assert isinstance(request.user, User)  # noqa: S101 (type narrowing; login_required already refused visitors)  # nosec B101
    return request.user


def login_mfa_required[View: Callable[..., HttpResponse]](view: View) -> View:
    """Signed-in users only; one whose role needs a second factor (an editor, an admin) and has
    none is sent to enrol it first — for pages anyone signed in may open, where editors see more."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if mfa_missing(request.user):
            return mfa_enrolment_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def editor_required[View: Callable[..., HttpResponse]](view: View) -> View:
    """Editors and admins only. Visitors are sent to sign in, other users get 403, and an editor
    without TOTP is sent to enrol it first."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_editor(request.user):
            raise PermissionDenied(_("Эта страница только для редакторов."))
        if not has_totp(request.user):
            return mfa_enrolment_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
