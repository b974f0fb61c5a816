"""GET /api/v1/search: the DESIGN.md contract, field by field, and its errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kruzhok.catalog.tests import factories

CARD_KEYS = {
    "id", "external_id", "title", "url", "organization", "direction", "categories", "age_min", "age_max",
    "price_rub", "free", "district", "address", "lat", "lon", "distance_km", "rating",
}  # fmt: skip


@pytest.fixture
def catalog(db):
    kirovsky = factories.okrug_row("Кировский")
    chess = factories.activity(
        title="Шахматный клуб «Ладья»",
        categories=["chess"],
        age_min=7,
        age_max=12,
        price_rub=0,
        external_id="ext-1",
        source="test",
        venue=factories.venue(address="улица Лукашевича, 14", lat=54.9947, lon=73.2739, district=kirovsky),
    )
    football = factories.activity(
        title="Футбол для начинающих",
        categories=["football"],
        age_min=6,
        age_max=9,
        price_rub=1500,
        venue=factories.venue(address="улица Ленина, 10", lat=54.9724, lon=73.3791, district=None),
    )
    return chess, football


def test_search_response_matches_the_contract_field_by_field(client, catalog):
    chess, _football = catalog
    data = client.get("/api/v1/search", {"q": "шахматы"}).json()
    assert set(data) >= {"count", "page", "results", "facets", "location", "corrected_query"}
    assert (
        data["count"] == 1
        and data["page"] == 1
        and data["location"] is None
        and data["corrected_query"] is None
    )
    assert set(data["facets"]) == {"direction", "category", "district"}
    assert data["facets"]["category"] == {"chess": 1}
    assert data["facets"]["district"] == {"Кировский": 1}
    card = data["results"][0]
    assert set(card) == CARD_KEYS
    assert card["id"] == chess.pk and card["external_id"] == "ext-1"
    assert card["url"] == f"http://testserver{chess.get_absolute_url()}"
    assert card["organization"] == {"id": chess.organization_id, "name": chess.organization.name}
    assert card["direction"] == "sport" and card["categories"] == ["chess"]
    assert (card["age_min"], card["age_max"], card["price_rub"], card["free"]) == (7, 12, 0, True)
    assert card["district"] == "Кировский" and card["address"] == "улица Лукашевича, 14"
    assert card["lat"] == pytest.approx(54.9947) and card["distance_km"] is None and card["rating"] is None


def test_location_from_where_and_from_coordinates_gives_distances(client, catalog):
    by_address = client.get("/api/v1/search", {"where": "ул. Ленина, 10", "radius_km": "2"}).json()
    assert by_address["location"]["label"]
    assert [c["title"] for c in by_address["results"]] == ["Футбол для начинающих"]
    assert by_address["results"][0]["distance_km"] < 0.5
    by_point = client.get("/api/v1/search", {"lat": "54.9947", "lon": "73.2739", "radius_km": "1"}).json()
    assert by_point["location"] == {"lat": 54.9947, "lon": 73.2739, "label": by_point["location"]["label"]}
    assert [c["title"] for c in by_point["results"]] == ["Шахматный клуб «Ладья»"]


def test_filters_and_correction_through_the_api(client, catalog):
    assert client.get("/api/v1/search", {"free": "1"}).json()["count"] == 1
    assert client.get("/api/v1/search", {"age": "6"}).json()["results"][0]["title"] == "Футбол для начинающих"
    typo = client.get("/api/v1/search", {"q": "футбл"}).json()
    assert typo["corrected_query"] == "футбол" and typo["count"] == 1
    empty = client.get("/api/v1/search", {"q": "шахматы", "age": "16"}).json()
    assert empty["count"] == 0 and empty["results"] == []
    assert empty["relaxations"] and all(r["count"] > 0 for r in empty["relaxations"])


@pytest.mark.parametrize(
    "query",
    [
        "age=abc", "age=99", "lat=54.9", "lat=999&lon=1", "lat=nan&lon=1", "radius_km=-1", "radius_km=inf",
        "sort=bogus", "day=xyz", "page=0", "page=-5", "page_size=0", "page_size=101", "category=nope",
        "direction=magic", "district=atlantis", "free=maybe", "after=25:00", "after=18:00&before=17:00",
        "q=" + "ф" * 10_000,
    ],
)  # fmt: skip
def test_bad_parameters_give_422_json_with_error_and_detail(client, catalog, query):
    response = client.get("/api/v1/search?" + query)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"error", "detail"} and body["error"] == "invalid_parameter" and body["detail"]


def test_unknown_api_path_is_a_json_404(client, db):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_openapi_schema_lists_search_with_every_parameter(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names >= {"q", "where", "lat", "lon", "radius_km", "age", "direction", "category", "district", "free", "ovz",
                     "day", "after", "before", "sort", "page"}  # fmt: skip
    assert all(p.get("description") for p in operation["parameters"])
    card = schema["components"]["schemas"]["Card"]["properties"]
    assert set(card) == CARD_KEYS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["q", "where", "age", "lat", "lon", "radius_km", "day", "category", "sort", "page", "x"]
            ),
            st.text(max_size=40),
        ),
        max_size=6,
    )
)
def test_any_query_string_gives_json_and_never_a_server_error(client, catalog, pairs):
    from urllib.parse import urlencode

    response = client.get("/api/v1/search?" + urlencode(pairs))
    assert response.status_code in (200, 422)
    json.loads(response.content)
