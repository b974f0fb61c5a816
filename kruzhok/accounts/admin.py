from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.models import DepartmentMembership, Membership, User
from kruzhok.core.services import audit_log

# Role flags whose change through the admin is a grant or a revocation in the audit log.
ROLE_FLAGS = ("is_editor", "is_staff", "is_superuser", "is_active")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


class DepartmentMembershipInline(admin.TabularInline):
    model = DepartmentMembership
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["email", "display_name", "is_editor", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_editor", "is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "display_name", "username"]
    ordering = ["-date_joined"]
    inlines = [MembershipInline, DepartmentMembershipInline]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Кружок"), {"fields": ("display_name", "language", "is_editor", "deleted_at")}),
    )
    readonly_fields = ["deleted_at", "last_login", "date_joined"]

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        before = dict(User.objects.filter(pk=obj.pk).values(*ROLE_FLAGS).first() or {}) if change else {}
        super().save_model(request, obj, form, change)
        for flag in ROLE_FLAGS:
            now = bool(getattr(obj, flag))
            if bool(before.get(flag, False)) != now:
                audit_log(
                    action="accounts.role.granted" if now else "accounts.role.revoked",
                    obj=obj,
                    actor=request.user,
                    data={"role": flag.removeprefix("is_"), "via": "admin"},
                )

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        """Memberships added, changed or removed in the user's page are role changes too."""
        instances = formset.save(commit=False)
        for removed in formset.deleted_objects:
            self._log_membership(request, removed, "accounts.role.revoked")
            removed.delete()
        for instance in instances:
            self._log_membership(request, instance, "accounts.role.granted")
            instance.save()
        formset.save_m2m()

    @staticmethod
    def _log_membership(request: HttpRequest, membership: Any, action: str) -> None:
        if isinstance(membership, Membership):
            data = {
                "role": "provider",
                "organization": membership.organization_id,
                "membership_role": membership.role,
            }
        elif isinstance(membership, DepartmentMembership):
            data = {"role": "department", "department": membership.department.slug}
        else:
            return
        audit_log(action=action, obj=membership.user, actor=request.user, data={**data, "via": "admin"})
