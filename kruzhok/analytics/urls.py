from django.urls import path

from kruzhok.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("targets/", views.targets, name="targets"),
    path("<slug:slug>.csv", views.table_csv, name="csv"),
]
