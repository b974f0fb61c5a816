"""/openactive/: the dataset page, the two RPDE feeds and our concept scheme."""

from django.urls import path

from kruzhok.api import openactive

app_name = "openactive"
urlpatterns = [
    path("", openactive.dataset, name="dataset"),
    path("session-series", openactive.session_series, name="session-series"),
    path("scheduled-sessions", openactive.scheduled_sessions, name="scheduled-sessions"),
    path("categories", openactive.categories, name="categories"),
]
