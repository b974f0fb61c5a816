from django.urls import path

from kruzhok.accounts import views_department as views

app_name = "department"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.network_view, name="network"),
    path("<slug:slug>/invitations/", views.invitation_list, name="invitations"),
    path("<slug:slug>/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("<slug:slug>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
