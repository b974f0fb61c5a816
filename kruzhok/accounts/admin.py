from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.models import DepartmentMembership, Membership, User


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
