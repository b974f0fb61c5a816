"""The public pages as a parent sees them: content, links, hostile input, pagination, languages."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse

from kruzhok.catalog.models import Activity, Status
from kruzhok.catalog.tests import factories

pytestmark = [
    pytest.mark.django_db,
]
OMSK = ZoneInfo("Asia/Omsk")


@pytest.fixture(autouse=True)
def _fresh_counts_cache():
    # Home counts are cached across requests; each test starts from its own catalog.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def kirovsky():
    return factories.okrug_row("Кировский")


@pytest.fixture
def sovetsky():
    return factories.okrug_row("Советский")


@pytest.fixture
def chess_club(kirovsky):
    org = factories.organization(
        name="Дворец творчества «Сибирь»",
        phone="+7 (3812) 55-12-34",
        email="info@sibir.example",
        website="https://sibir.example/kruzhki/",
        inn="5501234567",
        description="Городской дворец творчества.",
        kind="public",
        department=factories_department("education"),
    )
    venue = factories.venue(
        org,
        address="улица Лукашевича, 14",
        district=kirovsky,
        microdistrict=factories.microdistrict_row("Левобережье", okrug=kirovsky),
        lat=54.9947,
        lon=73.2739,
    )
    return factories.activity(
        organization=org,
        venue=venue,
        title="Шахматная школа «Ладья»",
        direction_slug="sport",
        categories=["chess"],
        description="Первый абзац про дебюты.\n\nВторой абзац про турниры.",
        age_min=7,
        age_max=12,
        price_rub=2500,
        price_note="первое занятие бесплатно",
        ovz=True,
        verified_at=datetime(2026, 3, 12, 10, 0, tzinfo=OMSK),
        slots=[(0, "15:00", "16:30"), (3, "17:00", "18:30")],
    )


def factories_department(slug: str):
    from kruzhok.catalog.models import Department

    return Department.objects.get(slug=slug)


def _text(response) -> str:
    return response.content.decode()


# --- base layout and home -------------------------------------------------------------------


def test_home_shows_search_form_directions_okrugs_and_footer(parent, chess_club, kirovsky, sovetsky):
    response = parent.get("/")
    html = _text(response)
    assert response.status_code == 200
    assert '<html lang="ru">' in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link and its target
    assert 'action="/search/"' in html and 'method="get"' in html
    for name in ("q", "where", "age"):
        assert f'for="id_{name}"' in html and f'name="{name}"' in html
    assert "Физкультурно-спортивная" in html and "/directions/sport/" in html
    assert html.count('class="tile tile-') == 6
    assert "1 занятие" in html  # sport has the chess club
    assert "/districts/kirovskiy/" in html and "Советский" in html
    assert "/categories/chess/" in html  # popular category
    assert 'href="https://www.openstreetmap.org/copyright"' in html
    assert "© участники OpenStreetMap, ODbL" in html
    assert 'href="/contribute/"' in html
    assert 'action="/i18n/setlang/"' in html


def test_pages_have_no_inline_scripts_or_styles(parent, chess_club):
    for url in ["/", "/search/", chess_club.get_absolute_url(), chess_club.organization.get_absolute_url()]:
        html = _text(parent.get(url))
        # Only external scripts; JSON data blocks are not executed and CSP does not cover them.
        assert (
            re.search(r'<script(?![^>]*\b(?:src=|type="application/(?:ld\+)?json"))[^>]*>', html) is None
        ), url
        assert "<style" not in html and " style=" not in html, url
        assert " onclick=" not in html and "hx-on" not in html, url


def test_home_query_count_is_fixed(parent, django_assert_max_num_queries, kirovsky):
    for i in range(15):
        factories.activity(title=f"Футбол {i}", venue=factories.venue(district=kirovsky))
    with django_assert_max_num_queries(8):
        assert parent.get("/").status_code == 200


# Search page tests live in kruzhok/search/tests/test_views.py.


# --- activity page --------------------------------------------------------------------------


def test_activity_page_shows_everything_a_parent_needs(parent, chess_club, settings):
    settings.MAP_TILE_URL = ""
    response = parent.get(chess_club.get_absolute_url())
    html = _text(response)
    assert response.status_code == 200
    assert "<h1>Шахматная школа «Ладья»</h1>" in html
    assert "<p>Первый абзац про дебюты.</p>" in html and "<p>Второй абзац про турниры.</p>" in html
    assert 'href="/categories/chess/"' in html and 'href="/directions/sport/"' in html
    assert "7–12 лет" in html and "2\u00a0500 ₽/мес" in html and "первое занятие бесплатно" in html
    assert "в группе" in html and "набор открыт" in html and "Для детей с ОВЗ" in html
    assert '<th scope="row">Пн</th>' in html and '<th scope="row">Чт</th>' in html
    assert "15:00–16:30" in html and "17:00–18:30" in html and '<th scope="row">Ср</th>' not in html
    assert "улица Лукашевича, 14" in html and "Кировский" in html and "Левобережье" in html
    assert 'data-lat="54.994700"' in html and 'data-tile-url=""' in html and "map-pin" in html
    assert 'href="tel:+73812551234"' in html and 'href="mailto:info@sibir.example"' in html
    assert 'href="https://sibir.example/kruzhki/"' in html
    assert f'href="{chess_club.organization.get_absolute_url()}"' in html
    assert "Данные проверены 12 марта 2026" in html
    assert f'href="/activities/{chess_club.pk}/report/"' in html and "Сообщить о проблеме" in html


def test_activity_page_with_a_wrong_slug_redirects_permanently(parent, chess_club):
    response = parent.get(f"/activities/{chess_club.pk}-old-title/")
    assert response.status_code == 301
    assert response["Location"] == chess_club.get_absolute_url()


def test_archived_activity_is_gone_and_hidden_from_lists(parent, chess_club):
    chess_club.status = Status.ARCHIVED
    chess_club.save()
    response = parent.get(chess_club.get_absolute_url())
    assert response.status_code == 410
    assert "больше не проводится" in _text(response)
    assert "Ладья" not in _text(parent.get("/search/"))
    assert "Ладья" not in _text(parent.get("/directions/sport/"))
    assert "Ладья" not in _text(parent.get(chess_club.organization.get_absolute_url()))


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PENDING])
def test_unpublished_activity_is_not_found(parent, chess_club, status):
    Activity.objects.filter(pk=chess_club.pk).update(status=status)
    assert parent.get(chess_club.get_absolute_url()).status_code == 404


def test_unknown_activity_is_not_found_with_a_friendly_page(parent, db):
    response = parent.get("/activities/999999-nothing/")
    assert response.status_code == 404
    assert "Страница не найдена" in _text(response)


def test_script_in_title_and_description_is_shown_as_text(parent, kirovsky):
    hostile = factories.activity(
        title="<script>alert(1)</script>",
        description="<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>",
        venue=factories.venue(district=kirovsky, address="<b>ул. Ленина</b>"),
    )
    for url in [hostile.get_absolute_url(), "/search/", hostile.organization.get_absolute_url()]:
        html = _text(parent.get(url, follow=True))
        assert "<script>alert(1)</script>" not in html, url
        assert "<img src=x" not in html and "<b>ул. Ленина</b>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_activity_page_query_count(parent, chess_club, django_assert_max_num_queries):
    # The activity with its relations, categories, groups and sessions, and the comments.
    with django_assert_max_num_queries(5):
        assert parent.get(chess_club.get_absolute_url()).status_code == 200


# --- organization page ----------------------------------------------------------------------


def test_organization_page_lists_contacts_venues_and_live_activities(parent, chess_club, settings):
    settings.CATALOG_PAGE_SIZE = 2
    org = chess_club.organization
    for i in range(3):
        factories.activity(organization=org, venue=chess_club.venue, title=f"Робототехника {i}")
    factories.activity(organization=org, venue=chess_club.venue, title="Черновик", status=Status.DRAFT)
    html = _text(parent.get(org.get_absolute_url()))
    assert "<h1>Дворец творчества «Сибирь»</h1>" in html
    assert "государственная / муниципальная" in html and "Департамент образования" in html
    assert "Городской дворец творчества." in html and "5501234567" in html
    assert 'href="tel:+73812551234"' in html
    assert "улица Лукашевича, 14" in html and 'href="/districts/kirovskiy/"' in html
    assert "4 занятия" in html and "Страница 1 из 2" in html and "Черновик" not in html
    page2 = _text(parent.get(org.get_absolute_url(), {"page": "2"}))
    assert "Робототехника 0" not in page2 and "Робототехника 2" in page2 and "Шахматная школа" in page2


def test_organization_wrong_slug_redirects_and_unknown_is_404(parent, organization):
    response = parent.get(f"/organizations/{organization.pk}-x/")
    assert response.status_code == 301 and response["Location"] == organization.get_absolute_url()
    assert parent.get("/organizations/987654-x/").status_code == 404


def test_organization_page_query_count(parent, chess_club, django_assert_max_num_queries):
    for i in range(10):
        factories.activity(organization=chess_club.organization, venue=chess_club.venue, title=f"Кружок {i}")
    with django_assert_max_num_queries(9):
        assert parent.get(chess_club.organization.get_absolute_url()).status_code == 200


# --- list pages -----------------------------------------------------------------------------


def test_direction_category_and_okrug_pages_list_with_counts(parent, chess_club, sovetsky):
    swim = factories.activity(
        title="Плавание", categories=["swimming"], venue=factories.venue(district=sovetsky)
    )
    art = factories.activity(title="Акварель", direction_slug="arts", categories=["drawing"])
    direction = _text(parent.get("/directions/sport/"))
    assert "<h1>Физкультурно-спортивная</h1>" in direction and "2 занятия" in direction
    assert swim.title in direction and art.title not in direction
    assert 'href="/categories/football/"' in direction  # the direction's categories
    category = _text(parent.get("/categories/swimming/"))
    assert "1 занятие" in category and swim.title in category and "Ладья" not in category
    okrug = _text(parent.get("/districts/sovetskiy/"))
    assert "Советский округ" in okrug and swim.title in okrug and "Ладья" not in okrug


@pytest.mark.parametrize("url", ["/directions/nope/", "/categories/nope/", "/districts/nope/"])
def test_unknown_list_pages_are_404(parent, db, url):
    assert parent.get(url).status_code == 404


def test_list_pages_paginate(parent, settings, kirovsky):
    settings.CATALOG_PAGE_SIZE = 2
    for i in range(5):
        factories.activity(title=f"Футбол {i}", venue=factories.venue(district=kirovsky))
    html = _text(parent.get("/categories/football/", {"page": "3"}))
    assert "Страница 3 из 3" in html and "Футбол 4" in html and "5 занятий" in html
    assert "Страницы 9 нет" in _text(parent.get("/directions/sport/", {"page": "9"}))


def test_list_page_query_count(parent, kirovsky, django_assert_max_num_queries):
    for i in range(12):
        factories.activity(title=f"Футбол {i}", venue=factories.venue(district=kirovsky))
    for url in ["/directions/sport/", "/categories/football/", "/districts/kirovskiy/"]:
        # 7 + the running ad campaigns (read once per ADS_RUNNING_CACHE_SECONDS: the first page)
        # + a direction page's editors' picks.
        with django_assert_max_num_queries(9):
            assert parent.get(url).status_code == 200


# --- languages ------------------------------------------------------------------------------


def test_language_switch_without_js_sets_english_and_returns_to_the_page(parent, chess_club):
    response = parent.post("/i18n/setlang/", {"language": "en", "next": "/directions/sport/"})
    assert response.status_code == 302 and response["Location"] == "/directions/sport/"
    html = _text(parent.get("/"))
    assert '<html lang="en">' in html
    assert "Physical culture and sport" in html  # taxonomy names switch with the language
    assert "Chess" in _text(parent.get(chess_club.get_absolute_url()))
    parent.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert '<html lang="ru">' in _text(parent.get("/"))


def test_english_switch_shows_english_navigation(parent, db):
    parent.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = _text(parent.get("/"))
    assert ">Search</a>" in html
    assert "Find an activity for your child" in html


def test_search_page_reverse_name_matches_contract():
    assert reverse("search:search") == "/search/"
    assert reverse("catalog:activity", args=[12, "shahmaty"]) == "/activities/12-shahmaty/"


def test_server_error_page_renders_without_a_request_or_database(django_assert_num_queries):
    from django.template.loader import render_to_string

    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Что-то пошло не так" in html and '<html lang="ru">' in html
