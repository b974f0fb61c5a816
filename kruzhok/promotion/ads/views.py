"""The ad slot (rendered for each request, outside any cached fragment) and the click redirect."""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kruzhok.analytics import collect
from kruzhok.core.abuse import client_ip
from kruzhok.promotion.ads import selectors
from kruzhok.promotion.models import AdCampaign
from kruzhok.search.params import SearchParams

CLICK_SALT = "kruzhok.ads.click"
# A page left open over a weekend still leads to the advertiser; only counting needs a fresh link.
CLICK_TOKEN_MAX_AGE = 24 * 60 * 60


def click_token(campaign_id: int) -> str:
    return signing.TimestampSigner(salt=CLICK_SALT).sign(str(campaign_id))


def click_url(campaign_id: int) -> str:
    return f"{reverse('ads:click', args=[campaign_id])}?t={click_token(campaign_id)}"


def _counts(request: HttpRequest) -> bool:
    return request.method == "GET" and not collect.is_bot(request)


def _seconds_to_midnight() -> int:
    now = timezone.localtime()
    midnight = timezone.make_aware(datetime.combine(now.date() + timedelta(days=1), time.min), now.tzinfo)
    return max(int((midnight - now).total_seconds()) + 1, 1)


def _within_visitor_limit(request: HttpRequest, campaign_id: int, kind: str, limit: int) -> bool:
    """Whether this visitor (address + User-Agent, hashed with the secret key and the Omsk day,
    so nothing readable is kept) may still add a `kind` count for the campaign today. A replayed
    click link or a reloaded page stops counting after `limit`; the ad is shown all the same.
    Counted in Django's cache until the end of the day: per process with the default
    local-memory cache, shared with Redis. A cache that fails lets the count through."""
    if limit <= 0:
        return False
    day = timezone.localdate().isoformat()
    who = "\0".join([settings.SECRET_KEY, day, client_ip(request), request.headers.get("User-Agent", "")])
    key = f"ads:{kind}:{campaign_id}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"
    try:
        if cache.add(key, 1, timeout=_seconds_to_midnight()):
            return True
        return int(cache.incr(key)) <= limit
    # Also ValueError: the key expired between add and incr (midnight).
    except Exception:  # noqa: BLE001 — a cache outage must not break the page
        return True


def slot_html(request: HttpRequest, params: SearchParams, *, oob: bool = False) -> str:
    """The fixed ad slot: empty, or one ad for a page about `params`; its impression is counted
    here, since this is when it is shown (people only: no robots, no HEAD, no prefetch).

    For a live update (`oob`), the page says which ad it shows (X-Ad-Shown, set by search.js):
    when it would be the same one, nothing is sent, so the slot stays as it is and a visitor
    typing a word is not counted as one impression per keystroke pause."""
    ad = selectors.ad_for_page(params, day=timezone.localdate())
    if oob and ad is not None and request.headers.get("X-Ad-Shown") == str(ad.id):
        return ""
    if (
        ad is not None
        and _counts(request)
        and _within_visitor_limit(request, ad.id, "impressions", settings.ADS_IMPRESSIONS_PER_VISITOR)
    ):
        collect.record_ad(ad.id, "impressions")
    context = {"ad": ad, "click_url": click_url(ad.id) if ad else "", "oob": oob}
    return render_to_string("promotion/ads/_slot.html", context, request)


def _check_token(token: str, campaign_id: int) -> bool | None:
    """None for a token we did not sign for this campaign; else whether it is still fresh."""
    signer = signing.TimestampSigner(salt=CLICK_SALT)
    try:
        try:
            value = signer.unsign(token, max_age=CLICK_TOKEN_MAX_AGE)
            fresh = True
        except signing.SignatureExpired:
            value, fresh = signer.unsign(token), False
    # ValueError: a value signed with the same salt but without a timestamp (a plain Signer).
    except (signing.BadSignature, ValueError):
        return None
    return fresh if value == str(campaign_id) else None


def _gone(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "promotion/ads/gone.html", {"message": message}, status=404)


@require_safe
def click(request: HttpRequest, pk: int) -> HttpResponse:
    """A click on an ad: counted when the link is genuine and fresh, then off to the advertiser.

    The token signs the campaign's id, so nobody can make links that count clicks for a
    campaign of their choosing; a stale token still leads to the advertiser, uncounted."""
    fresh = _check_token(request.GET.get("t", "")[:200], pk)
    if fresh is None:
        return _gone(request, _("Ссылка на объявление повреждена."))
    campaign = AdCampaign.objects.filter(pk=pk).only("link", "is_active", "starts_on", "ends_on").first()
    today = timezone.localdate()
    if campaign is None or not campaign.is_active or not campaign.starts_on <= today <= campaign.ends_on:
        return _gone(request, _("Это объявление больше не показывается."))
    if fresh and _counts(request) and _within_visitor_limit(request, campaign.pk, "clicks", 1):
        collect.record_ad(campaign.pk, "clicks")
    response = HttpResponseRedirect(campaign.link)
    response["X-Robots-Tag"] = "noindex"
    return response
