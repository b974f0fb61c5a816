from django.urls import URLPattern

app_name = "promotion"
urlpatterns: list[URLPattern] = []
