from django.urls import URLPattern

app_name = "ads"
urlpatterns: list[URLPattern] = []
