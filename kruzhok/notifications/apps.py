from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """What the site tells people by mail: the outbox every mail goes through (delivered by a task,
    retried with backoff, swept by `manage.py deliver_mail`)."""

    name = "kruzhok.notifications"
    label = "notifications"
    verbose_name = _("Уведомления")
