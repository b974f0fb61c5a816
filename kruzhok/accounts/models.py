from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The site's user. Our own model from the first migration, so that roles, memberships and
    profile fields (the «Open contribution» issue) can be added without swapping user models later."""

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        swappable = "AUTH_USER_MODEL"
