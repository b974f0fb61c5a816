from django.urls import path

from kruzhok.catalog import views_manage as views

app_name = "manage"
urlpatterns = [
    path("", views.index, name="index"),
    path("organizations/<int:pk>/", views.organization, name="organization"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/members/", views.members, name="members"),
    path(
        "organizations/<int:pk>/members/<int:membership_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("organizations/<int:pk>/activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_edit, name="activity"),
    path("activities/<int:pk>/groups/", views.groups, name="groups"),
    path("activities/<int:pk>/groups/new/", views.group_new, name="group_new"),
    path("groups/<int:pk>/", views.group_edit, name="group"),
    path("groups/<int:pk>/delete/", views.group_delete, name="group_delete"),
]
