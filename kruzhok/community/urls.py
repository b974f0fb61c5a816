from django.urls import path

from kruzhok.community import views

app_name = "community"
urlpatterns = [
    path("activities/<int:pk>/comments/", views.comment, name="comment"),
    path("comments/<int:pk>/report/", views.report, name="report"),
    path("comments/<int:pk>/answer/", views.answer, name="answer"),
]
