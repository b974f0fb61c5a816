"""Mounted at the site root before the catalog: the public news page, the provider's «Новости и
фото» under /manage/, and the editors' pages under /moderation/ (the moderation app's own
patterns are tried first and none of them matches these)."""

from django.urls import URLPattern, path

from kruzhok.promotion import views

app_name = "promotion"
urlpatterns: list[URLPattern] = [
    path("organizations/<int:pk>-<str:slug>/news/", views.organization_news, name="news"),
    path("organizations/<int:pk>-<str:slug>/photos/", views.organization_photos, name="photos"),
    path("manage/organizations/<int:pk>/news/", views.manage, name="manage"),
    path("manage/organizations/<int:pk>/news/posts/new/", views.post_new, name="post_new"),
    path("manage/organizations/<int:pk>/news/photos/new/", views.photo_new, name="photo_new"),
    path("manage/posts/<int:pk>/", views.post_edit, name="post_edit"),
    path("manage/posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("manage/photos/<int:pk>/caption/", views.photo_caption, name="photo_caption"),
    path("manage/photos/<int:pk>/move/", views.photo_move, name="photo_move"),
    path("manage/photos/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("moderation/posts/<int:pk>/hide/", views.post_visibility, {"action": "hide"}, name="post_hide"),
    path("moderation/posts/<int:pk>/show/", views.post_visibility, {"action": "show"}, name="post_show"),
    path("moderation/photos/<int:pk>/hide/", views.photo_visibility, {"action": "hide"}, name="photo_hide"),
    path("moderation/photos/<int:pk>/show/", views.photo_visibility, {"action": "show"}, name="photo_show"),
    path("moderation/featured/", views.featured, name="featured"),
    path("moderation/featured/<int:pk>/remove/", views.featured_remove, name="featured_remove"),
]
