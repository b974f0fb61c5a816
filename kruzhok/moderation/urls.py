from django.urls import path

from kruzhok.moderation.views import claims, comments, history, queue, reports, review, suggestions

app_name = "moderation"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("suggestions/<int:pk>/", suggestions.suggestion, name="suggestion"),
    path("reports/<int:pk>/", reports.report, name="report"),
    path("claims/<int:pk>/", claims.claim, name="claim"),
    path("comments/<int:pk>/", comments.comment, name="comment"),
    path("review/<int:pk>/", review.review, name="review"),
    path("activities/<int:pk>/history/", history.history, name="history"),
    path("versions/<int:pk>/revert/", history.revert, name="revert"),
]
