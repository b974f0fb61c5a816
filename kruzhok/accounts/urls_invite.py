"""The link in an invitation mail: /invite/<token>/ (a name without a namespace, like allauth's)."""

from django.urls import path

from kruzhok.accounts import views_department as views

urlpatterns = [
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
