"""Administrative places the catalog refers to: okrugs and microdistricts of a city.

Streets and houses live in the shipped gazetteer files (see `gazetteer.py`), not in tables:
they are reference data read by the geocoder, never edited through the site.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    class Kind(models.TextChoices):
        OKRUG = "okrug", _("округ")
        MICRODISTRICT = "microdistrict", _("микрорайон")

    city = models.CharField(_("город"), max_length=100, default="Омск")
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("название"), max_length=100)
    slug = models.SlugField(_("слаг"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("округ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    lat = models.FloatField(_("широта центра"))
    lon = models.FloatField(_("долгота центра"))

    class Meta:
        verbose_name = _("район")
        verbose_name_plural = _("округа и микрорайоны")
        ordering = ["city", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "kind", "slug"], name="district_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name
