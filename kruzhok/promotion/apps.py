from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionConfig(AppConfig):
    """Free promotion (organizations' news and photos, editors' featured picks) and paid ad
    slots, which are labelled as advertising and never mixed into the organic ranking."""

    name = "kruzhok.promotion"
    label = "promotion"
    verbose_name = _("Продвижение и реклама")
