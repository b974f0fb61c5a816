from django.urls import path

from kruzhok.imports import views

app_name = "imports"
urlpatterns = [
    path("department/<slug:slug>/", views.department_upload, name="department_upload"),
    path("department/<slug:slug>/<str:key>/", views.department_confirm, name="department_confirm"),
    path("organization/<int:pk>/", views.organization_upload, name="organization_upload"),
    path("organization/<int:pk>/<str:key>/", views.organization_confirm, name="organization_confirm"),
]
