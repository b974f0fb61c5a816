"""Public routes of the moderation app, mounted at the site root: reporting a problem on an
activity, and the provider's signed «всё верно» link from the review mail."""

from django.urls import path

from kruzhok.moderation.views import reports, review

app_name = "moderation_public"
urlpatterns = [
    path("activities/<int:pk>/report/", reports.activity_report, name="report"),
    path("review/<str:token>/", review.review_confirm, name="review_confirm"),
]
