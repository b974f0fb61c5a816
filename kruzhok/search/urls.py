from django.urls import URLPattern, path

from kruzhok.search import views

app_name = "search"
urlpatterns: list[URLPattern] = [
    path("search/", views.search, name="search"),
    path("search/places/", views.places, name="places"),
]
