"""Admin for the catalog. Built for a million activities: no full counts on big tables,
related rows joined in the changelist, foreign keys picked by autocomplete, never by a
<select> of every row.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog import services
from kruzhok.catalog.models import (
    Activity,
    Category,
    Department,
    Direction,
    Group,
    Organization,
    ScheduleSlot,
    Venue,
)


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["name_ru", "name_en", "slug", "position"]
    search_fields = ["name_ru", "name_en", "slug"]
    ordering = ["position"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_ru", "name_en", "slug", "direction"]
    list_filter = ["direction"]
    list_select_related = ["direction"]
    search_fields = ["name_ru", "name_en", "slug"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "department", "inn", "status", "verified", "updated_at"]
    list_filter = ["status", "kind", "verified", "department"]
    list_select_related = ["department"]
    search_fields = ["name", "=inn", "=external_id"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False

    # Deletions go through the service: audit log and the open-data feeds' tombstones.
    def delete_model(self, request: HttpRequest, obj: Organization) -> None:
        services.organizations_delete(organizations=[obj], actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        services.organizations_delete(organizations=queryset, actor=request.user)  # type: ignore[arg-type]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["address", "name", "organization", "district", "microdistrict", "lat", "lon"]
    list_filter = [("district", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organization", "district", "microdistrict"]
    search_fields = ["address", "name", "organization__name"]
    autocomplete_fields = ["organization", "district", "microdistrict"]
    show_full_result_count = False

    def delete_model(self, request: HttpRequest, obj: Venue) -> None:
        services.venues_delete(venues=[obj], actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        services.venues_delete(venues=queryset, actor=request.user)  # type: ignore[arg-type]


class GroupInline(admin.TabularInline):
    model = Group
    extra = 0
    fields = ["name", "age_min", "age_max", "teacher", "capacity"]
    show_change_link = True  # the weekly slots are edited on the group's own page


class HasVerifiedFilter(admin.SimpleListFilter):
    title = _("проверено")
    parameter_name = "verified"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", str(_("да"))), ("no", str(_("нет")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "organization",
        "direction",
        "district_name",
        "age_min",
        "age_max",
        "price_rub",
        "status",
        "enrollment",
        "ovz",
        "verified_at",
    ]
    list_filter = [
        "status",
        "direction",
        ("venue__district", admin.RelatedOnlyFieldListFilter),
        "format",
        "ovz",
        "enrollment",
        HasVerifiedFilter,
    ]
    list_select_related = ["organization", "direction", "venue__district"]
    search_fields = ["title", "organization__name", "=external_id"]
    autocomplete_fields = ["organization", "venue", "categories"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [GroupInline]
    show_full_result_count = False
    list_per_page = 50

    def delete_model(self, request: HttpRequest, obj: Activity) -> None:
        services.activities_delete(activities=[obj], actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        services.activities_delete(activities=queryset, actor=request.user)  # type: ignore[arg-type]

    @admin.display(description=_("округ"), ordering="venue__district__name")
    def district_name(self, obj: Activity) -> str:
        return obj.venue.district.name if obj.venue and obj.venue.district else "—"


class ScheduleSlotInline(admin.TabularInline):
    model = ScheduleSlot
    extra = 1


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["__str__", "activity", "age_min", "age_max", "teacher"]
    list_select_related = ["activity"]
    search_fields = ["name", "teacher", "activity__title"]
    raw_id_fields = ["activity"]
    inlines = [ScheduleSlotInline]
    show_full_result_count = False
