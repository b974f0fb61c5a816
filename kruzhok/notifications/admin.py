"""The outbox in the admin: what was sent, what waits for a retry and why, what was given up.
Read-only: a mail is changed only by its delivery (kruzhok/notifications/outbox.py)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kruzhok.notifications.models import OutboxMail


@admin.register(OutboxMail)
class OutboxMailAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "key",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status"]
    search_fields = ["=recipient", "key"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    exclude = ["body_html"]  # shown as text below, never rendered in the admin's page

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in OutboxMail._meta.fields if field.name != "body_html"] + [
            "html_source"
        ]

    @admin.display(description="HTML")
    def html_source(self, obj: OutboxMail) -> str:
        return obj.body_html  # escaped by the admin

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
