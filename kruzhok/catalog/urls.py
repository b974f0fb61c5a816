from django.urls import path

from kruzhok.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("activities/<int:pk>-<str:slug>/", views.activity_detail, name="activity"),
    path("organizations/<int:pk>-<str:slug>/", views.organization_detail, name="organization"),
    path("directions/<slug:slug>/", views.direction_detail, name="direction"),
    path("categories/<slug:slug>/", views.category_detail, name="category"),
    path("districts/<slug:slug>/", views.district_detail, name="district"),
]
