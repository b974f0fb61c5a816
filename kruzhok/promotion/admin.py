"""Admin for the free promotion. Photos are added only through the provider's page, where the
upload is re-encoded; here they can be captioned, hidden or deleted. Every change is audited."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from kruzhok.accounts.models import User
from kruzhok.core.services import audit_log
from kruzhok.promotion import services
from kruzhok.promotion.ads import admin as ads_admin  # noqa: F401  (ad campaigns register themselves)
from kruzhok.promotion.models import Featured, OrganizationPhoto, OrganizationPost


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the admin lets only signed-in staff this far


class _AuditedAdmin(admin.ModelAdmin):
    audit_name = ""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        verb = "changed" if change else "created"
        fields = sorted(form.changed_data) if form is not None else []
        audit_log(
            action=f"promotion.{self.audit_name}.admin_{verb}",
            obj=obj,
            actor=request.user,
            data={"fields": fields},
        )

    def delete_one(self, request: HttpRequest, obj: Any) -> None:
        """Through the app's service, so the delete is audited and leaves no file behind."""
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self.delete_one(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # The admin's bulk delete would otherwise be one SQL DELETE: no audit, files left in MEDIA.
        with transaction.atomic():
            for obj in queryset:
                self.delete_one(request, obj)


@admin.register(OrganizationPost)
class OrganizationPostAdmin(_AuditedAdmin):
    audit_name = "post"
    list_display = ["title", "organization", "published_at", "hidden_at"]
    list_filter = [("hidden_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organization"]
    search_fields = ["title", "organization__name"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["author", "hidden_by"]
    date_hierarchy = "published_at"
    show_full_result_count = False

    def delete_one(self, request: HttpRequest, obj: Any) -> None:
        services.post_delete(post=obj, actor=_actor(request))


@admin.register(OrganizationPhoto)
class OrganizationPhotoAdmin(_AuditedAdmin):
    audit_name = "photo"
    list_display = ["__str__", "organization", "position", "width", "height", "hidden_at"]
    list_filter = [("hidden_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organization"]
    search_fields = ["caption", "organization__name"]
    readonly_fields = ["organization", "image", "width", "height", "author"]
    raw_id_fields = ["hidden_by"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploads go through kruzhok.core.images on the provider's page

    def delete_one(self, request: HttpRequest, obj: Any) -> None:
        services.photo_delete(photo=obj, actor=_actor(request))


@admin.register(Featured)
class FeaturedAdmin(_AuditedAdmin):
    audit_name = "featured"
    list_display = ["__str__", "direction", "starts_on", "ends_on", "position"]
    list_filter = ["direction"]
    list_select_related = ["direction", "activity", "event"]
    raw_id_fields = ["activity", "event", "created_by"]
    date_hierarchy = "starts_on"

    def delete_one(self, request: HttpRequest, obj: Any) -> None:
        services.featured_remove(featured=obj, editor=_actor(request))
