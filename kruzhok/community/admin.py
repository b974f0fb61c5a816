from django.contrib import admin

from kruzhok.community.models import Comment, CommentReport, Rating


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Until the moderation queue (/moderation/) exists, editors decide held and hidden comments here."""

    list_display = ("activity", "author", "stars", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("text",)
    raw_id_fields = ("activity", "author")


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("activity", "user", "stars", "updated_at")
    raw_id_fields = ("activity", "user")


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ("comment", "reporter", "reason", "created_at")
    raw_id_fields = ("comment", "reporter")
