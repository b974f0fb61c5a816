"""The audit log is evidence: the admin may read and search it, never change it."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kruzhok.core.models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "object_type", "object_id", "actor"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor"]
    search_fields = ["=action", "=object_id", "actor__username"]
    readonly_fields = ["created_at", "actor", "action", "object_type", "object_id", "data"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
