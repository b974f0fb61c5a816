from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    """What citizens propose and report, what providers claim, and what editors decide
    («Open contribution»): suggestions, problem reports, claims, version history, review cycle."""

    name = "kruzhok.moderation"
    label = "moderation"
    verbose_name = _("Модерация")
