"""Public calendar pages and feeds, and (under /manage/) the provider's event pages."""

from django.urls import path

from kruzhok.events import views, views_manage

app_name = "events"
urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/feed.ics", views.feed, name="feed"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("activities/<int:pk>/schedule.ics", views.activity_schedule, name="activity_schedule"),
    path("organizations/<int:pk>/events.ics", views.organization_feed, name="organization_feed"),
    path("manage/organizations/<int:pk>/events/", views_manage.event_index, name="manage_events"),
    path("manage/organizations/<int:pk>/events/new/", views_manage.event_new, name="manage_event_new"),
    path("manage/events/<int:pk>/", views_manage.event_edit, name="manage_event"),
    path("manage/events/<int:pk>/cancel/", views_manage.event_cancel, name="manage_event_cancel"),
]
