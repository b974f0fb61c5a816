"""The /search/ page as a parent's browser sees it: with and without htmx, hostile input, the map data.

Only the Django test client: the same assertions hold on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.test import Client

from kruzhok.catalog.models import Activity
from kruzhok.catalog.tests import factories
from kruzhok.core.emails import site_url
from kruzhok.search.selectors import Card, Session

pytestmark = pytest.mark.django_db
OMSK = ZoneInfo("Asia/Omsk")
LENINA_10 = (54.972372, 73.379134)  # the gazetteer's point for «улица Ленина, 10»
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def kirovsky():
    return factories.okrug_row("Кировский")


@pytest.fixture
def sovetsky():
    return factories.okrug_row("Советский")


@pytest.fixture
def chess_club(kirovsky):
    org = factories.organization(name="Дворец творчества «Сибирь»")
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
        age_min=7,
        age_max=12,
        price_rub=2500,
        ovz=True,
        slots=[(0, "15:00", "16:30"), (3, "17:00", "18:30")],
    )


@pytest.fixture
def football(kirovsky):
    """Three football sections around Lenina 10 and one for toddlers, plus a drawing studio."""
    centre = factories.okrug_row("Центральный")
    near = factories.venue(
        address="улица Ленина, 12", lat=LENINA_10[0] + 0.002, lon=LENINA_10[1], district=centre
    )
    mid = factories.venue(
        address="улица Гагарина, 3", lat=LENINA_10[0] - 0.01, lon=LENINA_10[1] + 0.01, district=centre
    )
    far = factories.venue(address="улица Лукашевича, 14", lat=54.9947, lon=73.2739, district=kirovsky)
    return {
        "near": factories.activity(title="Футбол для начинающих", categories=["football"], age_min=7, age_max=9, venue=near, price_rub=0),
        "mid": factories.activity(title="Мини-футбол «Старт»", categories=["football"], age_min=6, age_max=10, venue=mid, price_rub=1500),
        "far": factories.activity(title="Футбольная школа «Иртыш»", categories=["football"], age_min=8, age_max=12, venue=far, price_rub=2000),
        "young": factories.activity(title="Футбол для малышей", categories=["football"], age_min=4, age_max=6, venue=near),
        "drawing": factories.activity(title="Изостудия «Палитра»", direction_slug="arts", categories=["drawing"], venue=near),
    }  # fmt: skip


def _text(response) -> str:
    return response.content.decode()


def _words(html: str) -> str:
    """The visible text, spaces collapsed (no-break spaces kept: prices and units rely on them)."""
    inline_gone = re.sub(r"</?(?:a|span|time)\b[^>]*>", "", html)
    return re.sub(r"[ \t\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", inline_gone))).strip()


def _titles(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html)]


def _map_points(html: str) -> list[dict]:
    match = re.search(r'<div id="map-data"[^>]*data-points="([^"]*)"', html)
    assert match, "the results carry the map's points"
    return json.loads(unescape(match.group(1)))


def _map_location(html: str) -> dict | None:
    match = re.search(r'data-location="([^"]*)"', html)
    assert match
    return json.loads(unescape(match.group(1)))


def _field(html: str, name: str) -> str:
    """The form control (or controls) named `name`, as markup."""
    found = re.findall(
        rf'<select[^>]*\bname="{name}"[^>]*>(?s:.*?)</select>|<input[^>]*\bname="{name}"[^>]*>', html
    )
    assert found, name
    return "\n".join(found)


# --- the page and its form -------------------------------------------------------------------


def test_page_is_a_plain_get_form_with_a_label_for_every_field(parent, chess_club):
    response = parent.get("/search/")
    html = _text(response)
    assert response.status_code == 200
    form = re.search(r'<form class="filters"(?s:.*?)</form>', html)
    assert form, "the search form"
    form_html = form.group(0)
    assert 'action="/search/"' in form_html and 'method="get"' in form_html
    assert 'type="submit"' in form_html  # works without JavaScript
    ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', form_html)
    for control_id in ids:
        if control_id in {"id_lat", "id_lon"}:
            continue  # hidden coordinates set by «рядом со мной»
        assert f'for="{control_id}"' in form_html, control_id
    for name in ("q", "where", "age", "radius_km", "direction", "category", "district", "after", "before"):
        assert f'name="{name}"' in form_html, name
    for name in ("free", "ovz", "open"):
        assert re.search(rf'<label class="check"><input type="checkbox" name="{name}"', form_html), name
    assert form_html.count('name="day"') == 7
    assert 'name="sort"' in form_html
    assert f'<link rel="canonical" href="{site_url("/search/")}">' in html


def test_form_fields_show_the_search_in_the_url(parent, chess_club):
    # Back and shared links rebuild the form from the URL alone.
    html = _text(
        parent.get(
            "/search/?q=шахматы&where=улица+Ленина,+10&age=9&radius_km=5&direction=sport&category=chess"
            "&district=Кировский&free=1&ovz=1&open=1&day=mon&day=thu&after=14:00&before=19:30&sort=price"
        )
    )
    assert 'value="шахматы"' in _field(html, "q")
    assert 'value="улица Ленина, 10"' in _field(html, "where")
    assert 'value="9"' in _field(html, "age")
    assert re.search(r'<option value="5"[^>]* selected', _field(html, "radius_km"))
    assert re.search(r'<option value="sport"[^>]* selected', _field(html, "direction"))
    assert re.search(r'<option value="chess"[^>]* selected', _field(html, "category"))
    assert re.search(r'<option value="Кировский"[^>]* selected', _field(html, "district"))
    assert re.search(r'<option value="price"[^>]* selected', _field(html, "sort"))
    for name in ("free", "ovz", "open"):
        assert "checked" in _field(html, name), name
    days = _field(html, "day")
    assert re.findall(r'value="(\w+)" checked', days) == ["mon", "thu"]
    assert 'value="14:00"' in _field(html, "after") and 'value="19:30"' in _field(html, "before")
    # Folded (phones show the list first), saying how many filters are inside; the days are one.
    summary = re.search(r'<details class="more-filters"[^>]*>\s*<summary>(?s:(.*?))</summary>', html)
    assert summary and " open" not in summary.group(0).split(">")[0]
    assert _words(summary.group(1)) == "Ещё фильтры(9)"  # the gap is CSS margin


def test_hostile_text_is_escaped_in_fields_title_and_messages(parent, chess_club):
    hostile = '"><script>alert(1)</script>'
    html = _text(parent.get("/search/", {"q": hostile, "where": hostile}))
    assert "<script>alert(1)</script>" not in html
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_search_only_answers_safe_methods(parent, db):
    assert parent.post("/search/", {"q": "футбол"}).status_code == 405


# --- htmx --------------------------------------------------------------------------------------


def test_htmx_request_gets_only_the_results_and_a_canonical_url_to_push(parent, chess_club):
    response = parent.get(
        "/search/",
        {
            "q": "шахматы",
            "where": "",
            "age": "",
            "radius_km": "",
            "direction": "",
            "sort": "best",
            "free": "",
        },
        **HTMX,
    )
    html = _text(response)
    assert response.status_code == 200
    # Only the results (with the «сообщать о новых» form for this search), not the page's filters.
    assert "<html" not in html and 'id="search-form"' not in html
    assert 'id="results-title"' in html and "Ладья" in html
    # Empty fields and defaults drop out: the address bar shows what a person would share.
    assert response["HX-Push-Url"] == "/search/?q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B"
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page_with_the_form(parent, chess_club):
    # Back after live updates: htmx asks for the page again and swaps it all, form included.
    response = parent.get(
        "/search/",
        {"q": "шахматы", "age": "9"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    html = _text(response)
    assert "<html" in html and 'id="search-form"' in html
    assert 'value="шахматы"' in _field(html, "q") and 'value="9"' in _field(html, "age")
    assert not response.has_header("HX-Push-Url")


def test_same_fragment_renders_in_the_page_and_alone(parent, chess_club):
    page = _text(parent.get("/search/", {"q": "шахматы"}))
    fragment = _text(parent.get("/search/", {"q": "шахматы"}, **HTMX))
    section = re.search(r'<section id="results"[^>]*>(?s:(.*?))</section>', page)
    assert section
    fragment = re.sub(
        r'<select id="id_\w+" hx-swap-oob=(?s:.*?)</select>', "", fragment
    )  # the form's options
    # The «сообщать о новых» box follows the search out of band; the page has it beside the results.
    fragment, boxes = re.subn(
        r'<section class="subscribe subscribe-search" id="subscribe-search"[^>]*hx-swap-oob=(?s:.*?)</section>',
        "",
        fragment,
    )
    assert boxes == 1 and 'id="subscribe-search"' in page
    # So does the ad slot (kruzhok.promotion.ads), which is never part of the cached results.
    fragment = re.sub(r'<div class="ad-slot" id="ad-slot" hx-swap-oob="true">(?s:.*?)</div>', "", fragment)
    assert " ".join(section.group(1).split()) == " ".join(fragment.split())


# --- results -----------------------------------------------------------------------------------


def test_search_finds_by_title_case_and_yo_insensitively(parent, chess_club):
    other = factories.activity(
        title="Ёлочные игрушки своими руками", direction_slug="arts", categories=["applied-arts"]
    )
    html = _text(parent.get("/search/", {"q": "ШАХМАТНАЯ"}))
    assert "Шахматная школа «Ладья»" in _titles(html) and other.title not in html
    html = _text(parent.get("/search/", {"q": "елочные"}))
    assert _titles(html) == [other.title]


def test_search_matches_category_names_in_both_languages(parent, chess_club):
    assert _titles(_text(parent.get("/search/", {"q": "Chess"}))) == ["Шахматная школа «Ладья»"]
    assert _titles(_text(parent.get("/search/", {"q": "шахматы"}))) == ["Шахматная школа «Ладья»"]


def test_search_filters_narrow_results(parent, chess_club, sovetsky):
    free_swim = factories.activity(
        title="Плавание для малышей",
        categories=["swimming"],
        age_min=4,
        age_max=6,
        price_rub=0,
        venue=factories.venue(address="проспект Мира, 8Б", lat=55.024771, lon=73.304044, district=sovetsky),
        slots=[(5, "10:00", "11:00")],
        enrollment=Activity.Enrollment.CLOSED,
    )
    cases = [
        ({"age": "5"}, free_swim),
        ({"age": "10"}, chess_club),
        ({"free": "1"}, free_swim),
        ({"ovz": "1"}, chess_club),
        ({"open": "1"}, chess_club),
        ({"day": "sat"}, free_swim),
        ({"day": "thu"}, chess_club),
        ({"after": "16:00"}, chess_club),
        ({"before": "12:00"}, free_swim),
        ({"district": "sovetskiy"}, free_swim),
        ({"district": "Кировский"}, chess_club),
        ({"where": "Левобережье"}, chess_club),
        ({"category": "swimming"}, free_swim),
    ]
    for params, expected in cases:
        html = _text(parent.get("/search/", params))
        assert _titles(html) == [expected.title], params
        assert "Найдено 1 занятие" in html, params
    both = _text(parent.get("/search/?category=swimming&category=chess&day=mon&day=sat"))
    assert "Найдено 2 занятия" in both


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("age=abc", "Возраст — целое число лет от 0 до 18."),
        ("age=99", "Возраст — целое число лет от 0 до 18."),
        ("age=-3", "Возраст — целое число лет от 0 до 18."),
        ("age=%C2%B9", "Возраст — целое число лет от 0 до 18."),
        ("page=-1", "Номер страницы — целое число от 1."),
        ("page=abc", "Номер страницы — целое число от 1."),
        ("page=99999", "Страницы 99999 нет: всего страниц 1. Показана последняя."),
        ("direction=magic", "Нет такой направленности: «magic»."),
        ("category=nope", "Нет такой категории: «nope»."),
        ("district=atlantis", "Нет такого округа: «atlantis»."),
        ("day=funday", "Нет такого дня недели: «funday»."),
        ("free=maybe", "Значение «maybe» не подходит: укажите 1 или 0."),
        ("after=25:00", "Время — в виде ЧЧ:ММ, например 15:30."),
        ("lat=91&lon=73", "Координаты — числа: широта от −90 до 90, долгота от −180 до 180."),
        ("lat=54.9", "Укажите обе координаты: lat и lon."),
        ("radius_km=-1", "Радиус — число километров больше 0"),
        ("sort=cheapest", "Нет такого порядка: «cheapest»."),
        ("sort=near", "Чтобы упорядочить по расстоянию, укажите адрес или место."),
        ("where=Марс", "Не нашли место «Марс»: показываем занятия по всему городу."),
        ("q=" + "ф" * 300, "Запрос слишком длинный"),
        ("q=%00%01", ""),
    ],
)
def test_bad_search_params_give_a_message_not_an_error(parent, chess_club, query, message):
    for headers in ({}, HTMX):
        response = parent.get("/search/?" + query, **headers)
        assert response.status_code == 200, headers
        html = unescape(_text(response))
        if message:
            assert 'class="notice"' in html
            assert message in html, headers
        assert "Шахматная школа «Ладья»" in _titles(html)  # the invalid filter is dropped


def test_valid_filters_still_apply_next_to_an_invalid_one(parent, chess_club):
    factories.activity(title="Футбол для малышей", age_min=4, age_max=6)
    html = _text(parent.get("/search/", {"age": "5", "day": "funday"}))
    assert _titles(html) == ["Футбол для малышей"]


def test_search_paginates_and_keeps_every_filter_in_page_links(parent, settings, kirovsky):
    settings.CATALOG_PAGE_SIZE = 3
    for i in range(7):
        factories.activity(title=f"Футбол {i:02d}", venue=factories.venue(district=kirovsky), age_min=5)
    query = {"q": "футбол", "age": "9", "district": "Кировский", "day": ["mon", "wed"], "sort": "price"}
    first = _text(parent.get("/search/", query))
    assert "Страница 1 из 3" in first and len(_titles(first)) == 3
    next_link = re.search(r'<a rel="next" href="\?([^"]+)"', first)
    assert next_link
    assert parse_qs(unescape(next_link.group(1))) == {
        "q": ["футбол"],
        "age": ["9"],
        "district": ["Кировский"],
        "day": ["mon", "wed"],
        "sort": ["price"],
        "page": ["2"],
    }
    seen = list(_titles(first))
    for page in ("2", "3"):
        html = _text(parent.get("/search/", {**query, "page": page}))
        seen += _titles(html)
    assert sorted(seen) == [f"Футбол {i:02d}" for i in range(7)]  # every one once
    last = _text(parent.get("/search/", {**query, "page": "3"}))
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_search_query_count_does_not_grow_with_results(parent, django_assert_max_num_queries, kirovsky):
    query = {"q": "футбол", "age": "9", "day": "mon"}
    counts = []
    for start, stop in ((0, 20), (20, 60)):
        for i in range(start, stop):
            factories.activity(title=f"Футбол {i}", venue=factories.venue(district=kirovsky))
        # Right after a catalog change the search reloads its in-memory copy: a few queries.
        with django_assert_max_num_queries(10):
            response = parent.get("/search/", query)
        assert f"Найдено {stop} занятий" in _text(response)
        with django_assert_max_num_queries(10) as warm:
            parent.get("/search/", {**query, "page": "2"})
        counts.append(len(warm.captured_queries))
    assert counts[1] <= counts[0]  # three times the rows, no more queries


# --- cards -------------------------------------------------------------------------------------


def test_card_shows_title_org_ages_price_place_badges_and_next_sessions(parent, chess_club):
    html = _text(parent.get("/search/"))
    card = re.search(r'<article class="card"(?s:.*?)</article>', html)
    assert card
    text = _words(card.group(0))
    assert "Шахматная школа «Ладья»" in text and "Дворец творчества «Сибирь»" in text
    assert "7–12 лет" in text and "2\u00a0500 ₽/мес" in text
    assert "Кировский · улица Лукашевича, 14" in text
    assert "ОВЗ" in text and "Ближайшие занятия:" in text
    assert re.search(r'<time datetime="[0-9T:+-]+">(Пн|Чт), \d+ \w+, (15:00|17:00)</time>', card.group(0))
    assert f'href="{chess_club.get_absolute_url()}"' in card.group(0)


def test_card_with_a_location_shows_distance_and_free_price(parent, football):
    html = _text(parent.get("/search/", {"q": "футбол", "where": "улица Ленина, 10", "age": "8"}))
    assert _titles(html)[0] == "Футбол для начинающих"  # the nearest fitting one first
    card = re.search(r'<article class="card"(?s:.*?)</article>', html)
    assert card
    assert '<li class="fact-distance">0,2 км</li>' in card.group(0)
    assert '<li class="fact-price is-free">бесплатно</li>' in card.group(0)
    assert "в 3 км от «улица Ленина, 10»" in unescape(html)


def test_card_template_shows_rating_and_session_times():
    card = Card(
        id=7, external_id="x-7", title="Танцы", url="/activities/7-tantsy/", organization_id=1,
        organization_name="Студия", direction="arts", direction_name="Художественная",
        categories=["choreography"], category_names=["Хореография"], age_min=5, age_max=9,
        price_rub=1200, free=False, district="Советский", address="проспект Мира, 8Б",
        lat=55.02, lon=73.30, distance_km=1.234, rating=4.62, rating_count=13, ovz=False,
        enrollment="waitlist", enrollment_label="лист ожидания", format="group",
        next_sessions=[
            Session(datetime(2026, 12, 1, 17, 0, tzinfo=OMSK), datetime(2026, 12, 1, 18, 0, tzinfo=OMSK)),
        ],
    )  # fmt: skip
    html = render_to_string("search/_card.html", {"card": card})
    text = _words(html)
    assert "★ 4,6" in text and "1,2 км" in text and "1\u00a0200 ₽/мес" in text
    assert "лист ожидания" in text and "Вт, 1 декабря, 17:00" in text
    assert 'data-id="7"' in html


# --- correction, zero results, facets ----------------------------------------------------------


def test_corrected_query_is_announced_with_a_link_to_search_it(parent, football):
    html = unescape(_text(parent.get("/search/", {"q": "футбл", "age": "8"})))
    assert "Показаны результаты для «футбол»." in _words(html)
    assert "Футбол для начинающих" in _titles(html)
    link = re.search(r'<a href="\?([^"]+)"[^>]*>футбол</a>', html)
    assert link and parse_qs(link.group(1)) == {"q": ["футбол"], "age": ["8"]}


def test_wrong_keyboard_layout_is_corrected(parent, football):
    html = unescape(_text(parent.get("/search/", {"q": "afnjk"})))
    assert "Показаны результаты для «футбол»." in _words(html) and "Футбол для начинающих" in _titles(html)


def test_zero_results_name_the_filter_and_offer_relaxations_with_counts(parent, football):
    html = unescape(_text(parent.get("/search/", {"q": "футбол", "age": "15"})))
    assert "Найдено 0 занятий" in html and _titles(html) == []
    assert "возраст 15" in re.search(r'<div class="empty">(?s:.*?)</div>', html).group(0)  # type: ignore[union-attr]
    offers = re.findall(r'<li><a href="\?([^"]*)">([^<]+)</a> — (\d+) заняти', html)
    assert offers, "at least one way out"
    for query, _label, count in offers:
        followed = _text(parent.get("/search/?" + query))
        assert f"Найдено {count} заняти" in followed, query  # the count the link promised
    assert _map_points(html) == []


def test_filters_show_facet_counts_beside_their_options(parent, football, chess_club):
    html = _text(parent.get("/search/", {"q": "футбол"}))
    direction = _field(html, "direction")
    assert re.search(r'<option value="sport"[^>]*>Физкультурно-спортивная \(4\)</option>', direction)
    category = _field(html, "category")
    assert re.search(r'<option value="football"[^>]*>Футбол \(4\)</option>', category)
    assert re.search(r'<option value="chess"[^>]*>Шахматы \(0\)</option>', category)
    district = _field(html, "district")
    assert re.search(r'<option value="Центральный"[^>]*>Центральный \(3\)</option>', district)
    assert re.search(r'<option value="Кировский"[^>]*>Кировский \(1\)</option>', district)


def test_htmx_fragment_refreshes_the_facet_counts_in_the_form(parent, football):
    html = _text(parent.get("/search/", {"q": "футбол", "age": "5"}, **HTMX))
    # The form is not swapped (the cursor stays put); its options arrive out of band.
    oob = re.search(r'<select[^>]*id="id_direction"[^>]*hx-swap-oob="[^"]+"(?s:.*?)</select>', html)
    assert oob and "Физкультурно-спортивная (1)" in oob.group(0)
    assert re.search(r'<select[^>]*id="id_district"[^>]*hx-swap-oob', html)
    assert re.search(r'<select[^>]*id="id_category"[^>]*hx-swap-oob', html)
    assert 'name="direction"' not in html  # the out-of-band copies are not second form fields


# --- the map -----------------------------------------------------------------------------------


def test_map_points_cover_the_results_with_coordinates(parent, football):
    factories.activity(title="Футбол онлайн", categories=["football"], venue=None, format="online")
    html = _text(parent.get("/search/", {"q": "футбол", "where": "улица Ленина, 10"}))
    points = _map_points(html)
    shown = set(re.findall(r'<article class="card" data-id="(\d+)"', html))
    assert {str(p["id"]) for p in points} == shown - {
        str(a.pk) for a in Activity.objects.filter(title="Футбол онлайн")
    }
    by_title = {p["title"]: p for p in points}
    near = football["near"]
    assert by_title[near.title]["url"] == near.get_absolute_url()
    assert by_title[near.title]["lat"] == pytest.approx(near.venue.lat)
    location = _map_location(html)
    assert location is not None
    assert (location["lat"], location["lon"]) == pytest.approx(LENINA_10, abs=1e-4)
    assert location["radius_km"] == 3


def test_map_data_survives_a_hostile_title(parent, kirovsky):
    title = '</div><script>alert("x")</script> & «ёлка»'
    factories.activity(title=title, venue=factories.venue(district=kirovsky))
    html = _text(parent.get("/search/"))
    assert "<script>alert" not in html
    assert _map_points(html)[0]["title"] == title


def test_tile_url_comes_from_settings(parent, chess_club, settings):
    settings.MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    assert 'data-tile-url="https://tiles.example/{z}/{x}/{y}.png"' in _text(parent.get("/search/"))
    settings.MAP_TILE_URL = ""
    assert 'data-tile-url=""' in _text(parent.get("/search/"))


def test_browser_coordinates_search_around_the_point(parent, football):
    lat, lon = LENINA_10
    html = unescape(
        _text(parent.get("/search/", {"q": "футбол", "lat": f"{lat}", "lon": f"{lon}", "sort": "near"}))
    )
    assert _titles(html)[:2] == ["Футбол для начинающих", "Футбол для малышей"]
    assert 'name="lat"' in html and f'value="{lat:.6f}"' in html  # kept for the next change
    assert 'id="id_lat" value="54.972372"' in html and "disabled" not in _field(html, "lat")


# --- address suggestions -----------------------------------------------------------------------


def _options(response) -> list[str]:
    return [unescape(v) for v in re.findall(r'<option value="([^"]*)"', _text(response))]


def test_place_suggestions_offer_streets_okrugs_and_microdistricts(parent, db):
    streets = _options(parent.get("/search/places/", {"where": "лени"}))
    assert "ул. Ленина" in streets and "Ленинский округ" in streets
    assert len(streets) <= 8
    assert "ул. Ленина, 10" in _options(parent.get("/search/places/", {"where": "Ленина 10"}))
    assert "мкр Левобережье" in _options(parent.get("/search/places/", {"where": "левобер"}))


def test_place_suggestions_ignore_short_empty_and_hostile_text(parent, db):
    assert _options(parent.get("/search/places/", {"where": "л"})) == []
    assert _options(parent.get("/search/places/")) == []
    for text in ["<script>", "%00", "ё" * 5000, "\u202e"]:
        response = parent.get("/search/places/", {"where": text})
        assert response.status_code == 200 and "<script>" not in _text(response)


def test_place_suggestions_follow_the_where_field_not_the_page_url(parent, db):
    html = _text(parent.get("/search/"))
    where = _field(html, "where")
    assert 'hx-get="/search/places/"' in where and 'hx-push-url="false"' in where
    assert 'list="where-options"' in where and '<datalist id="where-options">' in html


# --- languages ---------------------------------------------------------------------------------


def test_english_page_translates_labels_sorts_and_messages(parent, chess_club):
    client: Client = parent
    client.post("/i18n/setlang/", {"language": "en", "next": "/search/"})
    html = unescape(_text(client.get("/search/", {"q": "chess", "age": "abc", "sort": "price"})))
    assert '<html lang="en">' in html
    assert "What does your child want to do" in html and "Child's age" in html
    assert "Cheapest first" in html and "Age is a whole number of years from 0 to 18." in html
    assert "1 activity found" in html
    assert "Physical culture and sport" in _field(html, "direction")


def test_home_search_box_leads_to_the_search_page_with_the_same_fields(parent, chess_club):
    html = _text(parent.get("/"))
    form = re.search(r'<form class="search-box"(?s:.*?)</form>', html)
    assert form and 'action="/search/"' in form.group(0)
    names = set(re.findall(r'name="(\w+)"', form.group(0)))
    assert names == {"q", "where", "age"}
    target = urlsplit("/search/?q=шахматы&where=&age=9")
    assert "Шахматная школа «Ладья»" in _titles(_text(parent.get(target.path, parse_qs(target.query))))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rendered_results_are_reused_until_the_catalog_changes(monkeypatch, settings):
    """Outside a transaction (as in production) the results column is rendered once per query
    and language, and a catalog edit shows at the next request."""
    from kruzhok.search import selectors

    searches: list[str] = []
    search = selectors.search

    def counted(params, **kwargs):
        searches.append(params.q)
        return search(params, **kwargs)

    monkeypatch.setattr(selectors, "search", counted)
    activity = factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"])
    visitor = Client()
    first = _text(visitor.get("/search/", {"q": "шахматы"}))
    again = _text(visitor.get("/search/", {"q": "шахматы"}))
    fragment = _text(visitor.get("/search/", {"q": "шахматы"}, **HTMX))
    assert "Ладья" in first and "Ладья" in again and "Ладья" in fragment
    assert searches == ["шахматы"]
    english_visitor = Client()
    english_visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _text(english_visitor.get("/search/", {"q": "шахматы"}))
    assert "Ладья" in english and "found" in english.lower()
    activity.title = "Шахматный клуб «Гамбит»"
    activity.save()
    edited = _text(visitor.get("/search/", {"q": "шахматы"}))
    assert "Гамбит" in edited and "Ладья" not in edited
    assert len(searches) == 3  # the English page and the edit each searched once more


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cards_are_rendered_once_per_entry_state_and_language(monkeypatch, settings):
    """Outside a transaction a card's HTML is reused by other queries showing it, until the
    activity, its organization or its schedule changes; each language has its own."""
    from datetime import time

    from kruzhok.catalog.models import ScheduleSlot
    from kruzhok.search import views

    monkeypatch.setattr(views, "RESULTS_CACHE_SECONDS", 0)  # every request searches and renders
    monkeypatch.setattr(views, "card_cache", views._CardCache(100))
    rendered: list[str] = []
    get_template = views.get_template

    class Counted:
        def __init__(self, name: str) -> None:
            self.template = get_template(name)

        def render(self, context):
            rendered.append(context["card"].title)
            return self.template.render(context)

    monkeypatch.setattr(views, "get_template", Counted)
    activity = factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"])
    visitor = Client()

    def card() -> str:
        found = re.search(
            r'<article class="card"(?s:.*?)</article>', _text(visitor.get("/search/", {"q": "шахматы"}))
        )
        assert found
        return _words(found.group(0))

    assert "Ладья" in card()
    other_query = _text(visitor.get("/search/", {"q": "шахматы", "age": "8"}, **HTMX))
    assert "Ладья" in other_query
    assert rendered == ["Шахматный клуб «Ладья»"]  # the second query reused the card

    english_visitor = Client()
    english_visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _words(_text(english_visitor.get("/search/", {"q": "шахматы"})))
    assert "7–12 years" in english and "7–12 лет" not in english
    assert "7–12 лет" in card()
    assert len(rendered) == 2

    activity.title = "Шахматный клуб «Гамбит»"
    activity.save()
    assert "Гамбит" in card() and len(rendered) == 3

    organization = activity.organization
    organization.name = "Центр «Новая волна»"
    organization.save()
    assert "Центр «Новая волна»" in card() and len(rendered) == 4

    slot = ScheduleSlot.objects.filter(group__activity=activity, weekday=0).get()
    slot.starts_at, slot.ends_at = time(18, 5), time(19, 0)
    slot.save()
    assert "18:05" in card() and len(rendered) == 5
    assert "Ладья" not in card() and len(rendered) == 5
