"""Writes for ad campaigns (the admin is their only editor)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from kruzhok.core.services import audit_log
from kruzhok.promotion.ads.selectors import forget_running
from kruzhok.promotion.models import AdCampaign


def campaign_saved(*, campaign: AdCampaign, actor: AbstractBaseUser | AnonymousUser, created: bool) -> None:
    """After the admin saved a campaign and its targeting: log it, and let pages see it now."""
    with transaction.atomic():
        audit_log(
            action="promotion.ad.created" if created else "promotion.ad.changed",
            obj=campaign,
            actor=actor,
            data={
                "advertiser": campaign.advertiser_id,
                "erid": campaign.erid,
                "starts_on": campaign.starts_on.isoformat(),
                "ends_on": campaign.ends_on.isoformat(),
                "cap": campaign.daily_impression_cap,
                "is_active": campaign.is_active,
            },
        )
        transaction.on_commit(forget_running)


def campaign_delete(*, campaign: AdCampaign, actor: AbstractBaseUser | AnonymousUser) -> None:
    with transaction.atomic():
        audit_log(
            action="promotion.ad.deleted",
            object_type="promotion.adcampaign",
            object_id=str(campaign.pk),
            actor=actor,
            data={"name": campaign.name, "erid": campaign.erid},
        )
        campaign.delete()
        transaction.on_commit(forget_running)
