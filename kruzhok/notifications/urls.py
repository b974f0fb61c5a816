"""/subscriptions/: subscribe, and the pages every subscription mail links to."""

from django.urls import URLPattern, path

from kruzhok.notifications import views

app_name = "subscriptions"
urlpatterns: list[URLPattern] = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscribe_new, name="new"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("optout/<str:token>/", views.optout, name="optout"),
]
