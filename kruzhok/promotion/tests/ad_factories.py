"""Builders for ad campaigns in tests: a running, untargeted campaign unless told otherwise."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from django.utils import timezone

from kruzhok.catalog.tests import factories
from kruzhok.promotion.models import AdCampaign

_seq = itertools.count(1)


def campaign(
    *,
    directions: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    okrugs: tuple[str, ...] = (),
    **kw: Any,
) -> AdCampaign:
    n = next(_seq)
    today = timezone.localdate()
    kw.setdefault("advertiser", factories.organization(name=f"Школа плавания «Дельфин-{n}»"))
    kw.setdefault("name", f"Осенний набор {n}")
    kw.setdefault("text", "Бассейн для детей с 5 лет: первое занятие бесплатно.")
    kw.setdefault("link", f"https://delfin{n}.example/nabor")
    kw.setdefault("erid", f"2VtzqwAbC{n}")
    kw.setdefault("starts_on", today - timedelta(days=3))
    kw.setdefault("ends_on", today + timedelta(days=10))
    kw.setdefault("daily_impression_cap", 1000)
    ad = AdCampaign.objects.create(**kw)
    if directions:
        ad.directions.set([factories.direction(slug) for slug in directions])
    if categories:
        ad.categories.set([factories.category(slug) for slug in categories])
    if okrugs:
        ad.okrugs.set([factories.okrug_row(name) for name in okrugs])
    return ad
