from django.urls import path

from kruzhok.imports import views_open_data

app_name = "open_data"
urlpatterns = [
    path("", views_open_data.index, name="index"),
    path("<str:name>", views_open_data.download, name="download"),
]
