"""GET /api/v1/search: the DESIGN.md contract field by field, the filters through the API, and
its errors; every answer is checked against the schema our own openapi.json publishes."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kruzhok.api.tests import openapi
from kruzhok.catalog.tests import factories

SEARCH = "/api/v1/search"
CONTRACT_KEYS = {"count", "page", "results", "facets", "location", "corrected_query"}
EXTRA_KEYS = {"page_count", "page_size", "next", "previous", "emptied_by", "relaxations", "messages"}
CARD_KEYS = {
    "id", "external_id", "title", "url", "organization", "direction", "categories", "age_min", "age_max",
    "price_rub", "free", "district", "address", "lat", "lon", "distance_km", "rating",
}  # fmt: skip
PARAMETERS = {
    "q", "where", "lat", "lon", "radius_km", "age", "direction", "category", "district", "free", "ovz",
    "day", "after", "before", "sort", "page", "open", "page_size",
}  # fmt: skip
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def catalog(db: None) -> dict[str, Any]:
    kirovsky = factories.okrug_row("Кировский")
    central = factories.okrug_row("Центральный")
    chess = factories.activity(
        title="Шахматный клуб «Ладья»",
        categories=["chess"],
        age_min=7,
        age_max=12,
        price_rub=0,
        external_id="ext-1",
        source="test",
        venue=factories.venue(address="улица Лукашевича, 14", lat=54.9947, lon=73.2739, district=kirovsky),
        slots=[(0, "15:00", "16:30"), (2, "15:00", "16:30")],
    )
    football = factories.activity(
        title="Футбол для начинающих",
        categories=["football"],
        age_min=6,
        age_max=9,
        price_rub=1500,
        enrollment="closed",
        venue=factories.venue(address="улица Ленина, 10", lat=54.9724, lon=73.3791, district=central),
        slots=[(5, "10:00", "11:30")],
    )
    robotics = factories.activity(
        title="Робототехника для школьников",
        categories=["robotics"],
        direction_slug="technical",
        age_min=10,
        age_max=16,
        price_rub=3000,
        ovz=True,
        venue=factories.venue(address="улица 70 лет Октября, 3", lat=54.9816, lon=73.3003, district=kirovsky),
        slots=[(1, "18:00", "19:30")],
    )
    return {"chess": chess, "football": football, "robotics": robotics}


def titles(body: dict[str, Any]) -> set[str]:
    return {card["title"] for card in body["results"]}


def test_search_response_matches_the_contract_field_by_field(api, catalog):
    chess = catalog["chess"]
    status, data = api({"q": "шахматы"})
    assert status == 200
    assert set(data) == CONTRACT_KEYS | EXTRA_KEYS
    assert (data["count"], data["page"], data["location"], data["corrected_query"]) == (1, 1, None, None)
    assert (data["page_count"], data["page_size"], data["relaxations"], data["emptied_by"]) == (
        1,
        20,
        [],
        None,
    )
    assert (data["next"], data["previous"]) == (None, None)
    assert data["facets"] == {
        "direction": {"sport": 1},
        "category": {"chess": 1},
        "district": {"Кировский": 1},
    }
    (card,) = data["results"]
    assert set(card) == CARD_KEYS
    assert card["id"] == chess.pk and card["external_id"] == "ext-1"
    assert card["title"] == "Шахматный клуб «Ладья»"
    assert card["url"] == f"http://testserver{chess.get_absolute_url()}"
    assert card["organization"] == {"id": chess.organization_id, "name": chess.organization.name}
    assert card["direction"] == "sport" and card["categories"] == ["chess"]
    assert (card["age_min"], card["age_max"], card["price_rub"], card["free"]) == (7, 12, 0, True)
    assert card["district"] == "Кировский" and card["address"] == "улица Лукашевича, 14"
    assert card["lat"] == pytest.approx(54.9947) and card["lon"] == pytest.approx(73.2739)
    assert card["distance_km"] is None and card["rating"] is None


def test_card_url_follows_the_host_the_client_asked(client, catalog):
    football = catalog["football"]
    data = client.get(SEARCH, {"q": "футбол"}, HTTP_HOST="localhost", secure=True).json()
    assert data["results"][0]["url"] == f"https://localhost{football.get_absolute_url()}"


def test_russian_text_travels_as_utf8_not_escapes(client, catalog):
    response = client.get(SEARCH, {"q": "шахматы"})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Шахматный клуб «Ладья»".encode() in response.content and b"\\u" not in response.content


def test_location_from_where_text_gives_distances(api, catalog):
    _, data = api({"where": "ул. Ленина, 10", "radius_km": "2"})
    assert data["location"]["label"] and data["location"]["lat"] == pytest.approx(54.9724, abs=0.01)
    assert titles(data) == {"Футбол для начинающих"}
    assert data["results"][0]["distance_km"] < 0.5


def test_location_from_coordinates_overrides_where(api, catalog):
    _, data = api({"where": "ул. Ленина, 10", "lat": "54.9947", "lon": "73.2739", "radius_km": "1"})
    assert (data["location"]["lat"], data["location"]["lon"]) == (54.9947, 73.2739)
    assert titles(data) == {"Шахматный клуб «Ладья»"}
    assert data["results"][0]["distance_km"] == pytest.approx(0, abs=0.05)


def test_an_okrug_as_where_keeps_its_activities_with_distances(api, catalog):
    _, data = api({"where": "Кировский"})
    assert data["location"]["label"] == "Кировский"
    assert titles(data) == {"Шахматный клуб «Ладья»", "Робототехника для школьников"}
    assert all(card["distance_km"] is not None for card in data["results"])


def test_a_place_not_found_searches_the_whole_city_and_says_so(api, catalog):
    _, data = api({"where": "Атлантида, дом 100500"})
    assert data["location"] is None and data["count"] == 3
    assert any("Атлантида" in message for message in data["messages"])


def test_sort_near_orders_by_distance(api, catalog):
    _, data = api({"lat": "54.9947", "lon": "73.2739", "radius_km": "25", "sort": "near"})
    distances = [card["distance_km"] for card in data["results"]]
    assert len(distances) == 3 and distances == sorted(distances)
    assert data["results"][0]["title"] == "Шахматный клуб «Ладья»"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("free=1", {"chess"}),
        ("age=6", {"football"}),
        ("age=14", {"robotics"}),
        ("direction=technical", {"robotics"}),
        ("category=chess&category=football", {"chess", "football"}),
        ("district=Кировский", {"chess", "robotics"}),
        ("district=kirovskiy", {"chess", "robotics"}),
        ("ovz=1", {"robotics"}),
        ("open=1", {"chess", "robotics"}),
        ("day=sat", {"football"}),
        ("day=mon&day=tue", {"chess", "robotics"}),
        ("after=17:00", {"robotics"}),
        ("before=16:45", {"chess", "football"}),
        ("day=mon&after=16:00", set()),
        ("q=робототехника&age=12", {"robotics"}),
        ("free=1&district=Центральный", set()),
    ],
)
def test_each_filter_narrows_through_the_api(api, catalog, query, expected):
    status, data = api(query)
    assert status == 200
    names = {name for name, activity in catalog.items() if activity.title in titles(data)}
    assert names == expected and data["count"] == len(expected)


def test_sort_price_puts_free_first(api, catalog):
    _, data = api({"sort": "price"})
    assert [card["price_rub"] for card in data["results"]] == [0, 1500, 3000]


def test_each_facet_counts_under_the_other_filters(api, catalog):
    _, data = api({"direction": "sport"})
    assert data["count"] == 2
    # The direction facet ignores the chosen direction, so switching shows what it would give.
    assert data["facets"]["direction"] == {"sport": 2, "technical": 1}
    assert data["facets"]["category"] == {"chess": 1, "football": 1}
    assert data["facets"]["district"] == {"Кировский": 1, "Центральный": 1}
    _, by_district = api({"district": "Кировский", "free": "1"})
    assert by_district["facets"]["district"] == {"Кировский": 1}
    assert by_district["facets"]["direction"] == {"sport": 1}


def test_a_typo_is_corrected_and_the_correction_returned(api, catalog):
    _, data = api({"q": "футбл"})
    assert data["corrected_query"] == "футбол"
    assert titles(data) == {"Футбол для начинающих"}


def test_an_empty_result_names_the_cause_and_offers_working_relaxations(api, catalog):
    _, data = api({"q": "шахматы", "age": "16"})
    assert data["count"] == 0 and data["results"] == []
    assert data["emptied_by"]
    assert data["relaxations"]
    for relaxation in data["relaxations"]:
        assert relaxation["kind"] in {"radius", "drop", "query"} and relaxation["label"]
        _, relaxed = api(relaxation["query"])
        assert relaxed["count"] == relaxation["count"] > 0


def test_pages_and_page_size(api, catalog):
    _, first = api({"sort": "price", "page_size": "2"})
    assert (first["count"], first["page_count"], first["page_size"]) == (3, 2, 2)
    assert [c["price_rub"] for c in first["results"]] == [0, 1500]
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/search?sort=price&page_size=2&page=2"
    _, second = api(first["next"].removeprefix("http://testserver/api/v1/search?"))
    assert second["page"] == 2 and [c["price_rub"] for c in second["results"]] == [3000]
    assert second["next"] is None and second["previous"].endswith("page_size=2&page=1")


def test_a_page_past_the_end_is_empty_with_the_real_count(api, catalog):
    status, data = api({"page": "7"})
    assert status == 200
    assert (data["page"], data["count"], data["page_count"], data["results"]) == (7, 3, 1, [])


def test_a_repeated_single_parameter_takes_the_last_value(api, catalog):
    status, data = api([("age", "99"), ("age", "6")])
    assert status == 200 and titles(data) == {"Футбол для начинающих"}


def test_unknown_parameters_are_ignored(api, catalog):
    status, data = api({"utm_source": "newsletter", "format": "xml"})
    assert status == 200 and data["count"] == 3


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("age=abc", "age"), ("age=99", "age"), ("age=-1", "age"), ("age=99999999999999999999999", "age"),
        ("lat=54.9", "lon"), ("lon=73.3", "lat"), ("lat=999&lon=1", "lat"), ("lat=nan&lon=1", "lat"),
        ("lat=inf&lon=-inf", "lat"), ("lat=1e309&lon=73", "lat"), ("radius_km=-1", "radius_km"),
        ("radius_km=0", "radius_km"), ("radius_km=inf", "radius_km"), ("radius_km=NaN", "radius_km"),
        ("radius_km=1e400", "radius_km"), ("sort=bogus", "sort"), ("day=xyz", "day"), ("day=mon&day=funday", "day"),
        ("page=0", "page"), ("page=-5", "page"), ("page=1.5", "page"), ("page=10000000000000000000000", "page"),
        ("page_size=0", "page_size"), ("page_size=101", "page_size"), ("page_size=abc", "page_size"),
        ("category=nope", "category"), ("direction=magic", "direction"), ("district=atlantis", "district"),
        ("free=maybe", "free"), ("ovz=2", "ovz"), ("open=yes-please", "open"), ("after=25:00", "after"),
        ("before=noon", "before"), ("after=18:00&before=17:00", "before"), ("q=" + "ф" * 10_000, "q"),
        ("where=" + "%3Cscript%3E" * 100, "where"),
    ],
)  # fmt: skip
def test_bad_parameters_give_422_with_error_detail_and_the_parameter(api, catalog, query, parameter):
    status, body = api(query)
    assert status == 422
    assert set(body) == {"error", "detail", "parameters"} and body["error"] == "invalid_parameter"
    assert body["detail"] and CYRILLIC.search(body["detail"])
    assert parameter in {p["name"] for p in body["parameters"]}


@pytest.mark.parametrize("query", ["age=²", "page=³"])
def test_superscript_digits_are_a_422_not_a_server_error(api, catalog, query):
    status, _body = api(query)
    assert status == 422


def test_every_bad_parameter_is_reported_at_once(api, catalog):
    status, body = api("age=abc&sort=bogus&page_size=0")
    assert status == 422
    assert [p["name"] for p in body["parameters"]] == ["age", "sort", "page_size"]
    assert all(p["detail"] in body["detail"] for p in body["parameters"])


def test_error_detail_is_english_once_the_visitor_chose_english(api, client, catalog):
    client.cookies["django_language"] = "en"
    status, body = api("age=abc&page_size=500")
    assert status == 422
    assert not CYRILLIC.search(body["detail"]) and "18" in body["detail"] and "100" in body["detail"]


@pytest.mark.parametrize("query", ["q=%00", "q=abc%00def", "%00=1", "where=%FF%FE", "q=%C3%28"])
def test_nul_bytes_and_broken_utf8_are_a_400_malformed_request(api, catalog, query):
    status, body = api(query)
    assert status == 400 and body["error"] == "malformed_request" and body["detail"]


def test_too_many_parameters_are_a_400_json_not_an_html_page(api, catalog):
    status, body = api("&".join(f"p{i}=1" for i in range(1500)))
    assert status == 400 and body["error"] == "malformed_request"


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing", "/api/v1/", "/api/v1/search/", "/api/v1/search/extra"]
)
def test_unknown_api_paths_are_a_json_404(api, db, path):
    status, body = api(path=path)
    assert status == 404 and body["error"] == "not_found" and "/api/v1/openapi.json" in body["detail"]


def test_the_api_is_get_only_and_says_so_in_json(client, spec, db):
    response = client.post(SEARCH, {"q": "футбол"})
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS"
    body = response.json()
    assert body["error"] == "method_not_allowed"
    assert openapi.problems(body, openapi.response_schema(spec, SEARCH, 405), spec) == []


def test_openapi_lists_search_with_every_parameter_described_in_both_languages(spec):
    operation = spec["paths"][SEARCH]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == PARAMETERS
    for name, parameter in parameters.items():
        assert parameter["in"] == "query" and parameter["required"] is False, name
        description = parameter["description"]
        assert CYRILLIC.search(description) and LATIN_WORD.search(description), name
    assert parameters["category"]["schema"]["type"] == "array"
    assert parameters["day"]["schema"]["items"]["enum"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert parameters["sort"]["schema"]["enum"] == ["best", "near", "price", "rating"]
    assert (parameters["age"]["schema"]["minimum"], parameters["age"]["schema"]["maximum"]) == (0, 18)
    assert {"200", "304", "400", "422", "429"} <= set(operation["responses"])


def test_openapi_describes_every_response_field_in_both_languages(spec):
    schemas = spec["components"]["schemas"]
    assert set(schemas["Card"]["properties"]) == CARD_KEYS
    assert set(schemas["SearchResponse"]["properties"]) == CONTRACT_KEYS | EXTRA_KEYS
    assert set(schemas["Location"]["properties"]) == {"lat", "lon", "label"}
    assert set(schemas["Facets"]["properties"]) == {"direction", "category", "district"}
    for name in ("SearchResponse", "Card", "OrganizationRef", "Location", "Facets", "Relaxation", "Error"):
        for field, prop in schemas[name]["properties"].items():
            description = prop.get("description", "")
            assert CYRILLIC.search(description) and LATIN_WORD.search(description), f"{name}.{field}"
        assert set(schemas[name]["required"]) == set(schemas[name]["properties"]), name


_NAMES = st.sampled_from([*sorted(PARAMETERS), "x", "q[]", "", "page_size"]) | st.text(max_size=6)
_VALUES = st.one_of(
    st.text(max_size=40),
    st.integers().map(str),
    st.floats().map(repr),
    st.sampled_from(
        ["", "1", "0", "-0", "nan", "inf", "-inf", "1e309", "mon", "sat", "near", "15:30", "25:61"]
    ),
    st.sampled_from(["sport", "chess", "Кировский", "54.99", "73.3", "٣", "１０", "ⅻ"]),
    st.text(alphabet=st.characters(max_codepoint=0x20), max_size=5),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=8))
def test_any_parameters_give_schema_valid_json_and_never_a_server_error(api, catalog, pairs):
    status, body = api(pairs)
    assert status in (200, 400, 422)
    if status != 200:
        assert body["error"] in ("invalid_parameter", "malformed_request") and body["detail"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=60))
def test_any_bytes_as_the_query_string_never_give_a_server_error(api, catalog, raw):
    status, _body = api(quote_from_bytes(raw, safe="=&"))
    assert status in (200, 400, 422)
