from django.urls import path

from kruzhok.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("delete/", views.delete_account, name="delete"),
]
