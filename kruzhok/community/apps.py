from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """Comments and ratings on activities, and reports on comments («Open contribution»)."""

    name = "kruzhok.community"
    label = "community"
    verbose_name = _("Отзывы")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from kruzhok.community.models import Rating

        # Every way a rating changes (the site, the admin, an account deleted) recounts the average.
        post_save.connect(_rating_changed, sender=Rating, dispatch_uid="community.rating.saved")
        post_delete.connect(_rating_changed, sender=Rating, dispatch_uid="community.rating.deleted")


def _rating_changed(sender: object, instance: object, **kwargs: object) -> None:
    from kruzhok.community.services import refresh_rating

    if kwargs.get("raw"):
        return
    refresh_rating(instance.activity_id)  # type: ignore[attr-defined]
