"""parse_params: whatever arrives in a URL becomes valid SearchParams plus errors in the user's
language, never an exception; and a query string survives the trip through parse_params."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from django.http import QueryDict
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kruzhok.search.params import (
    MAX_PAGE,
    MAX_RADIUS_KM,
    MAX_TEXT,
    SORTS,
    SearchParams,
    parse_params,
)

pytestmark = pytest.mark.django_db
NAMES = ("q", "where", "lat", "lon", "radius_km", "age", "direction", "category", "district",
         "free", "ovz", "open", "day", "after", "before", "sort", "page")  # fmt: skip
DIRECTIONS = ("technical", "science", "sport", "arts", "tourism", "social")
CATEGORIES = ("football", "chess", "drawing", "robotics", "swimming", "english", "3d-modeling", "hockey")
OKRUGS = ("Кировский", "Ленинский", "Октябрьский", "Советский", "Центральный")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
HYPOTHESIS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def parse(**data: Any) -> tuple[SearchParams, dict[str, str]]:
    params, errors = parse_params(data)
    return params, {e.field: e.message for e in errors}


# --- never raises -------------------------------------------------------------------------------

hostile_text = st.text(max_size=300) | st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "1e309",
        "nan",
        "inf",
        "-0",
        "٣",
        "１２",
        "8.0",
        "0x10",
        "⁸",
        "10:60",
        "24:00",
        "99999999999999999999",
    ]
)


@HYPOTHESIS
@given(
    data=st.dictionaries(
        st.sampled_from(NAMES) | st.text(max_size=12),
        hostile_text | st.lists(hostile_text, max_size=4),
        max_size=12,
    )
)
def test_parse_params_never_raises_and_keeps_only_valid_values(db, data):
    params, errors = parse_params(data)
    assert isinstance(params, SearchParams)
    for error in errors:
        assert error.field in NAMES and error.message
    assert len(params.q) <= MAX_TEXT and len(params.where) <= MAX_TEXT
    assert "\x00" not in params.q + params.where
    assert params.age is None or 0 <= params.age <= 18
    assert params.radius_km is None or 0 < params.radius_km <= MAX_RADIUS_KM
    assert (params.lat is None) == (params.lon is None)
    assert params.direction in ("", *DIRECTIONS)
    assert all(d in range(7) for d in params.days) and list(params.days) == sorted(set(params.days))
    assert params.after is None or params.before is None or params.after < params.before
    assert params.sort in SORTS and 1 <= params.page <= MAX_PAGE
    # What was kept is stable: parsing its own query string again gives the same and no errors.
    assert parse_params(QueryDict(params.query_string())) == (params, [])


def test_a_querydict_with_repeated_keys_is_read_like_a_dict_of_lists(db):
    from_url = parse_params(QueryDict("category=chess&category=football&day=sat&day=mon&age=8"))
    from_dict = parse_params({"category": ["chess", "football"], "day": ["sat", "mon"], "age": "8"})
    assert from_url == from_dict
    assert from_url[0].categories == ("chess", "football") and from_url[0].days == (0, 5)


# --- errors ----------------------------------------------------------------------------------

BAD = [
    ("age", {"age": "восемь"}),
    ("age", {"age": "19"}),
    ("age", {"age": "-1"}),
    ("age", {"age": "8.5"}),
    ("lon", {"lat": "54.99"}),  # the missing one is named
    ("lat", {"lon": "73.27"}),
    ("lat", {"lat": "north", "lon": "73.27"}),
    ("lat", {"lat": "95", "lon": "73.27"}),
    ("lat", {"lat": "nan", "lon": "73.27"}),
    ("radius_km", {"radius_km": "0"}),
    ("radius_km", {"radius_km": "1000"}),
    ("radius_km", {"radius_km": "inf"}),
    ("direction", {"direction": "magic"}),
    ("category", {"category": "quidditch"}),
    ("district", {"district": "Нарния"}),
    ("free", {"free": "maybe"}),
    ("ovz", {"ovz": "2"}),
    ("open", {"open": "yes please"}),
    ("day", {"day": "monday"}),
    ("after", {"after": "25:00"}),
    ("before", {"before": "noon"}),
    ("before", {"after": "18:00", "before": "17:00"}),
    ("sort", {"sort": "cheapest"}),
    ("page", {"page": "0"}),
    ("page", {"page": "two"}),
    ("q", {"q": "ф" * (MAX_TEXT + 1)}),
    ("where", {"where": "у" * (MAX_TEXT + 1)}),
]


@pytest.mark.parametrize(("field", "data"), BAD)
def test_each_bad_value_is_an_error_in_russian_naming_its_field(db, field, data):
    params, errors = parse_params(data)
    assert [e.field for e in errors] == [field]
    assert CYRILLIC.search(errors[0].message), errors[0].message
    # The bad value is left out; the parameters are as if it had not been sent.
    assert params == SearchParams(after=params.after) if field == "before" else params == SearchParams()


@pytest.mark.parametrize(("field", "data"), [b for b in BAD if not CYRILLIC.search(str(b[1]))])
def test_errors_follow_the_interface_language(db, field, data):
    with translation.override("en"):
        _params, errors = parse_params(data)
    assert [e.field for e in errors] == [field]
    assert not CYRILLIC.search(errors[0].message), errors[0].message


def test_valid_filters_survive_a_bad_one(db):
    params, errors = parse(
        q="футбол", age="восемь", direction="sport", category=["football", "quidditch"], day=["sat", "funday"]
    )
    assert set(errors) == {"age", "category", "day"}
    assert params == SearchParams(q="футбол", direction="sport", categories=("football",), days=(5,))


# --- values ----------------------------------------------------------------------------------


def test_text_is_trimmed_and_control_characters_become_spaces(db):
    params, errors = parse(q="  футбол\x00для\tдетей \n", where="улица\x07Лукашевича,   10")
    assert errors == {}
    assert (params.q, params.where) == ("футбол для детей", "улица Лукашевича, 10")


def test_a_text_of_exactly_the_limit_is_accepted(db):
    params, errors = parse(q="ф" * MAX_TEXT)
    assert errors == {} and len(params.q) == MAX_TEXT


def test_numbers_accept_a_decimal_comma(db):
    params, errors = parse(lat="54,995776", lon="73,271767", radius_km="2,5")
    assert errors == {}
    assert (params.lat, params.lon, params.radius_km) == (54.995776, 73.271767, 2.5)


def test_age_bounds_are_inclusive(db):
    assert parse(age="0")[0].age == 0
    assert parse(age="18")[0].age == 18


def test_repeated_values_keep_each_once(db):
    params, errors = parse(category=["chess", "football", "chess"], day=["sat", "mon", "sat", "SUN"])
    assert errors == {}
    assert params.categories == ("chess", "football")
    assert params.days == (0, 5, 6)


def test_district_accepts_the_name_or_the_slug_in_any_case(db):
    for text in ("Кировский", "кировский", "КИРОВСКИЙ", "kirovskiy", "Кировский округ"):
        params, errors = parse(district=text)
        assert errors == {} and params.district == "Кировский", text


def test_flags_accept_the_usual_spellings(db):
    for value in ("1", "on", "true", "yes", "да", "True"):
        assert parse(free=value)[0].free, value
    for value in ("0", "off", "false", "no", "нет", ""):
        params, errors = parse(free=value)
        assert not params.free and errors == {}, value


def test_times_accept_a_dot_and_a_single_digit_hour(db):
    params, errors = parse(after="9.30", before="18:05")
    assert errors == {}
    assert (params.after, params.before) == (time(9, 30), time(18, 5))


def test_the_last_of_repeated_single_values_wins(db):
    params, errors = parse(age=["7", "9"], sort=["price", "near"])
    assert errors == {} and (params.age, params.sort) == (9, "near")


# --- query strings ---------------------------------------------------------------------------

free_text = st.text(
    st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from(" &=?#%+«»"), max_size=MAX_TEXT
).map(lambda s: " ".join(s.split()))


@st.composite
def valid_params(draw: st.DrawFn) -> SearchParams:
    values: dict[str, Any] = {"q": draw(free_text), "where": draw(free_text)}
    if draw(st.booleans()):
        values["lat"] = round(draw(st.floats(-90, 90)), 6)
        values["lon"] = round(draw(st.floats(-180, 180)), 6)
    if draw(st.booleans()):
        values["radius_km"] = draw(st.integers(1, 1000)) / 10
    values["age"] = draw(st.none() | st.integers(0, 18))
    values["direction"] = draw(st.just("") | st.sampled_from(DIRECTIONS))
    values["categories"] = tuple(draw(st.lists(st.sampled_from(CATEGORIES), max_size=4, unique=True)))
    values["district"] = draw(st.just("") | st.sampled_from(OKRUGS))
    values["free"], values["ovz"], values["open"] = (
        draw(st.booleans()),
        draw(st.booleans()),
        draw(st.booleans()),
    )
    values["days"] = tuple(sorted(draw(st.sets(st.integers(0, 6)))))
    minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
    after, before = draw(st.none() | minutes), draw(st.none() | minutes)
    if after is not None and before is not None and after >= before:
        after, before = None, before
    values["after"], values["before"] = after, before
    values["sort"] = draw(st.sampled_from(SORTS))
    values["page"] = draw(st.integers(1, MAX_PAGE))
    return SearchParams(**values)


@HYPOTHESIS
@given(params=valid_params())
def test_query_string_round_trips_through_parse_params(db, params):
    assert parse_params(QueryDict(params.query_string())) == (params, [])


def test_query_string_leaves_out_defaults_in_a_stable_order(db):
    assert SearchParams().query_string() == ""
    params = SearchParams(
        sort="near",
        page=2,
        days=(5, 0),
        free=True,
        age=8,
        q="футбол",
        where="улица Лукашевича, 10",
        radius_km=3.0,
    )
    assert [name for name, _value in params.query_pairs()] == [
        "q", "where", "radius_km", "age", "free", "day", "day", "sort", "page",
    ]  # fmt: skip
    assert params.query_string(page=1).endswith("sort=near")


def test_is_empty_ignores_sort_and_page(db):
    assert SearchParams(sort="price", page=3).is_empty()
    assert not SearchParams(q="футбол").is_empty()
    assert not SearchParams(ovz=True).is_empty()
    assert not SearchParams(days=(0,)).is_empty()


def test_without_a_place_drops_its_radius_and_goes_back_to_page_one(db):
    params = SearchParams(where="улица Лукашевича, 10", radius_km=3.0, age=8, page=4)
    assert params.without("where") == SearchParams(age=8)
    assert SearchParams(lat=54.9, lon=73.3, radius_km=1.0, free=True).without("lat", "lon") == SearchParams(
        free=True
    )
