"""Which ad a page gets: targeting, dates, the switch, daily caps and a fair share between ads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kruzhok.analytics import collect
from kruzhok.promotion.ads import selectors
from kruzhok.promotion.models import AdDailyStat
from kruzhok.search.params import SearchParams

from .ad_factories import campaign

pytestmark = pytest.mark.django_db


def chosen(params: SearchParams, day=None):
    selectors.forget_running()
    return selectors.ad_for_page(params, day=day or timezone.localdate())


FOOTBALL_PAGE = SearchParams(categories=("football",))
SPORT_PAGE = SearchParams(direction="sport")
CHESS_PAGE = SearchParams(categories=("chess",))
ARTS_PAGE = SearchParams(direction="arts")
KIROVSKY_PAGE = SearchParams(district="Кировский")
SOVETSKY_PAGE = SearchParams(district="Советский")
WHOLE_CITY = SearchParams()


@pytest.mark.parametrize(
    ("targeting", "page", "shown"),
    [
        # No targeting: every page.
        ({}, WHOLE_CITY, True),
        ({}, SearchParams(q="шахматы", age=9, district="Кировский"), True),
        # Direction: the page's direction, or the direction of its category.
        ({"directions": ("sport",)}, SPORT_PAGE, True),
        ({"directions": ("sport",)}, FOOTBALL_PAGE, True),
        ({"directions": ("sport",)}, ARTS_PAGE, False),
        ({"directions": ("sport",)}, WHOLE_CITY, False),
        ({"directions": ("sport", "arts")}, ARTS_PAGE, True),
        # Category: only a page showing that category; its direction alone is not enough.
        ({"categories": ("football",)}, FOOTBALL_PAGE, True),
        ({"categories": ("football",)}, SearchParams(categories=("chess", "football")), True),
        ({"categories": ("football",)}, SPORT_PAGE, False),
        ({"categories": ("football",)}, CHESS_PAGE, False),
        # Okrug: the page's okrug; the whole city is not it.
        ({"okrugs": ("Кировский",)}, KIROVSKY_PAGE, True),
        ({"okrugs": ("Кировский",)}, SOVETSKY_PAGE, False),
        ({"okrugs": ("Кировский",)}, WHOLE_CITY, False),
        # Age: the searched age inside the range, bounds included; no age searched: not shown.
        ({"age_min": 6, "age_max": 10}, SearchParams(age=6), True),
        ({"age_min": 6, "age_max": 10}, SearchParams(age=10), True),
        ({"age_min": 6, "age_max": 10}, SearchParams(age=11), False),
        ({"age_min": 6, "age_max": 10}, SearchParams(age=5), False),
        ({"age_min": 6, "age_max": 10}, WHOLE_CITY, False),
        ({"age_min": 14}, SearchParams(age=17), True),
        ({"age_max": 4}, SearchParams(age=3), True),
        ({"age_max": 4}, SearchParams(age=5), False),
        # Every filled dimension must match.
        ({"categories": ("football",), "okrugs": ("Кировский",)}, FOOTBALL_PAGE, False),
        (
            {"categories": ("football",), "okrugs": ("Кировский",), "age_min": 7, "age_max": 12},
            SearchParams(categories=("football",), district="Кировский", age=8),
            True,
        ),
    ],
)
def test_targeting_matrix(targeting, page, shown):
    ad = campaign(**targeting)
    result = chosen(page)
    assert (result is not None and result.id == ad.pk) is shown


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (1, 5, False),  # starts tomorrow
        (0, 5, True),  # first day
        (-5, 0, True),  # last day
        (-5, -1, False),  # ended yesterday
    ],
)
def test_campaign_shows_only_between_its_dates_inclusive(start, end, shown):
    today = timezone.localdate()
    campaign(starts_on=today + timedelta(days=start), ends_on=today + timedelta(days=end))
    assert (chosen(WHOLE_CITY) is not None) is shown


def test_switched_off_campaign_is_not_shown():
    campaign(is_active=False)
    assert chosen(WHOLE_CITY) is None


def test_campaign_at_its_daily_cap_is_not_shown():
    ad = campaign(daily_impression_cap=5)
    AdDailyStat.objects.create(campaign=ad, day=timezone.localdate(), impressions=5)
    assert chosen(WHOLE_CITY) is None


def test_yesterdays_impressions_do_not_count_towards_todays_cap():
    ad = campaign(daily_impression_cap=5)
    AdDailyStat.objects.create(campaign=ad, day=timezone.localdate() - timedelta(days=1), impressions=50)
    assert chosen(WHOLE_CITY).id == ad.pk


def test_buffered_impressions_count_towards_the_cap_before_they_are_written():
    ad = campaign(daily_impression_cap=5)
    AdDailyStat.objects.create(campaign=ad, day=timezone.localdate(), impressions=3)
    collect.record_ad(ad.pk, "impressions")
    assert chosen(WHOLE_CITY).id == ad.pk
    collect.record_ad(ad.pk, "impressions")
    assert chosen(WHOLE_CITY) is None
    collect.flush()
    assert AdDailyStat.objects.get(campaign=ad).impressions == 5
    assert chosen(WHOLE_CITY) is None


def test_buffered_clicks_do_not_count_towards_the_impression_cap():
    ad = campaign(daily_impression_cap=1)
    collect.record_ad(ad.pk, "clicks")
    assert chosen(WHOLE_CITY).id == ad.pk


def test_the_campaign_furthest_below_its_share_of_the_cap_is_chosen():
    today = timezone.localdate()
    big = campaign(daily_impression_cap=1000)
    small = campaign(daily_impression_cap=10)
    AdDailyStat.objects.create(campaign=big, day=today, impressions=300)  # 30 %
    AdDailyStat.objects.create(campaign=small, day=today, impressions=2)  # 20 %
    assert chosen(WHOLE_CITY).id == small.pk
    collect.record_ad(small.pk, "impressions")  # 30 %: a tie goes to the older campaign
    assert chosen(WHOLE_CITY).id == big.pk


def test_shares_even_out_over_many_pages():
    first = campaign(daily_impression_cap=30)
    second = campaign(daily_impression_cap=10)
    for _ in range(20):
        ad = selectors.ad_for_page(WHOLE_CITY, day=timezone.localdate())
        collect.record_ad(ad.id, "impressions")
    pending = collect.pending_ad_impressions(timezone.localdate())
    assert pending[first.pk] == 15
    assert pending[second.pk] == 5


def test_a_page_costs_one_query_once_the_running_campaigns_are_cached(django_assert_num_queries):
    campaign(categories=("football",))
    campaign(okrugs=("Кировский",))
    selectors.forget_running()
    selectors.ad_for_page(WHOLE_CITY, day=timezone.localdate())  # fills the cache
    with django_assert_num_queries(0):
        assert selectors.ad_for_page(WHOLE_CITY, day=timezone.localdate()) is None
    with django_assert_num_queries(1):
        assert selectors.ad_for_page(FOOTBALL_PAGE, day=timezone.localdate()) is not None


def test_reading_the_running_campaigns_takes_two_queries(django_assert_num_queries):
    campaign(
        directions=("sport", "arts"), categories=("football", "chess"), okrugs=("Кировский", "Советский")
    )
    campaign(categories=("chess",), age_min=6)
    campaign()
    selectors.forget_running()
    with django_assert_num_queries(2):
        ads = selectors.running_ads(timezone.localdate())
    assert [(sorted(a.directions), sorted(a.categories), sorted(a.okrugs), a.age_min) for a in ads] == [
        (["arts", "sport"], ["chess", "football"], ["Кировский", "Советский"], None),
        ([], ["chess"], [], 6),
        ([], [], [], None),
    ]


def test_a_saved_campaign_reaches_pages_without_waiting_for_the_cache(
    admin_user, django_capture_on_commit_callbacks
):
    from kruzhok.promotion.ads import services

    ad = campaign(is_active=False)
    assert chosen(WHOLE_CITY) is None
    selectors.ad_for_page(WHOLE_CITY, day=timezone.localdate())  # cached: nothing runs
    ad.is_active = True
    ad.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_saved(campaign=ad, actor=admin_user, created=False)
    assert selectors.ad_for_page(WHOLE_CITY, day=timezone.localdate()).id == ad.pk
