from django.contrib import admin

from kruzhok.places.models import District


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "city", "slug", "lat", "lon"]
    list_filter = ["kind", "city"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["parent"]
