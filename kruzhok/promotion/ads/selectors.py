"""Which ad, if any, a results page shows.

Targeting: an empty dimension matches every page; a filled one must be matched by what the page
is about, never guessed:
- directions: the page's direction, or the direction of a category it shows (a «футбол» search
  is a sport page);
- categories: one of the page's categories; a direction alone does not match (an advertiser who
  paid for football does not pay for every sport page);
- okrugs: the page's okrug (`district`); a page for the whole city does not match;
- ages: the searched age lies in the campaign's range (either bound may be open); a page
  without an age does not match an age-targeted campaign.

Fairness: among the campaigns that match and are under their daily cap, the one that has used
the smallest share of its cap today is shown (ties: the older campaign). Deterministic, so tests
need no seed, and over a day every campaign moves towards its cap at the same pace.

Cost: the running campaigns with their targeting are cached for RUNNING_CACHE_SECONDS per
process cache (an admin's save clears it), so a page makes at most one query: today's counts of
the campaigns that match, and none when nothing matches. Reading the list again takes two (the
campaigns, then their targeting).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import CharField, F, Value

from kruzhok.analytics import collect
from kruzhok.core.env import env_int
from kruzhok.promotion.models import AdCampaign, AdDailyStat
from kruzhok.search import taxonomy
from kruzhok.search.params import SearchParams

RUNNING_CACHE_SECONDS = env_int("ADS_RUNNING_CACHE_SECONDS", 30)


@dataclass(frozen=True)
class RunningAd:
    """A campaign as the slot needs it: display fields and targeting, no model instance."""

    id: int
    advertiser: str
    text: str
    image_url: str
    image_width: int
    image_height: int
    link: str
    erid: str
    cap: int
    directions: frozenset[str]
    categories: frozenset[str]
    okrugs: frozenset[str]
    age_min: int | None
    age_max: int | None

    def matches(self, params: SearchParams) -> bool:
        if self.categories and not self.categories.intersection(params.categories):
            return False
        if self.directions and not self.directions.intersection(page_directions(params)):
            return False
        if self.okrugs and params.district not in self.okrugs:
            return False
        if self.age_min is not None or self.age_max is not None:
            if params.age is None:
                return False
            if self.age_min is not None and params.age < self.age_min:
                return False
            if self.age_max is not None and params.age > self.age_max:
                return False
        return True


def page_directions(params: SearchParams) -> set[str]:
    tax = taxonomy.load()
    found = {params.direction} if params.direction else set()
    found.update(tax.categories[slug][3] for slug in params.categories if slug in tax.categories)
    return found


def _cache_key(day: date) -> str:
    return f"ads:running:{day.isoformat()}"


def forget_running() -> None:
    """After a campaign changes: the next page reads the list again."""
    from django.utils import timezone

    cache.delete(_cache_key(timezone.localdate()))


def _targeting(campaign_ids: list[int]) -> defaultdict[int, dict[str, set[str]]]:
    """The directions' and categories' slugs and the okrugs' names of these campaigns, in one
    query (a union over the three link tables) instead of one per kind."""
    found: defaultdict[int, dict[str, set[str]]] = defaultdict(
        lambda: {"direction": set(), "category": set(), "okrug": set()}
    )
    if not campaign_ids:
        return found
    links = [
        (AdCampaign.directions.through, "direction", "direction__slug"),
        (AdCampaign.categories.through, "category", "category__slug"),
        (AdCampaign.okrugs.through, "okrug", "district__name"),
    ]
    queries = [
        model._default_manager.filter(adcampaign_id__in=campaign_ids)
        .annotate(kind=Value(kind, output_field=CharField()), value=F(field))
        .values_list("adcampaign_id", "kind", "value")
        .order_by()
        for model, kind, field in links
    ]
    for campaign_id, kind, value in queries[0].union(*queries[1:], all=True):
        found[campaign_id][kind].add(value)
    return found


def running_ads(day: date) -> list[RunningAd]:
    """Campaigns switched on whose dates include `day`, with their targeting."""
    key = _cache_key(day)
    ads: list[RunningAd] | None = cache.get(key)
    if ads is not None:
        return ads
    campaigns = list(
        AdCampaign.objects.filter(is_active=True, starts_on__lte=day, ends_on__gte=day)
        .select_related("advertiser")
        .order_by("id")
    )
    targeting = _targeting([c.pk for c in campaigns])
    ads = [
        RunningAd(
            id=c.pk,
            advertiser=c.advertiser.name,
            text=c.text,
            image_url=c.image.url if c.image else "",
            image_width=c.image_width,
            image_height=c.image_height,
            link=c.link,
            erid=c.erid,
            cap=c.daily_impression_cap,
            directions=frozenset(targeting[c.pk]["direction"]),
            categories=frozenset(targeting[c.pk]["category"]),
            okrugs=frozenset(targeting[c.pk]["okrug"]),
            age_min=c.age_min,
            age_max=c.age_max,
        )
        for c in campaigns
    ]
    if RUNNING_CACHE_SECONDS > 0:
        cache.set(key, ads, RUNNING_CACHE_SECONDS)
    return ads


def ad_for_page(params: SearchParams, *, day: date) -> RunningAd | None:
    """At most one ad for a page about `params` on `day` (see the module's docstring)."""
    candidates = [ad for ad in running_ads(day) if ad.matches(params)]
    if not candidates:
        return None
    written = dict(
        AdDailyStat.objects.filter(campaign_id__in=[ad.id for ad in candidates], day=day).values_list(
            "campaign_id", "impressions"
        )
    )
    pending = collect.pending_ad_impressions(day)
    shares = []
    for ad in candidates:
        shown = written.get(ad.id, 0) + pending.get(ad.id, 0)
        if shown < ad.cap:
            shares.append((shown / ad.cap, ad.id, ad))
    if not shares:
        return None
    return min(shares, key=lambda share: (share[0], share[1]))[2]
