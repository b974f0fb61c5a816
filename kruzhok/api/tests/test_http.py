"""What every answer under /api/v1/ shares: CORS and preflight, HEAD, conditional GET (ETag,
Last-Modified, 304) that follows the data and the language, the anonymous rate limit, JSON
errors for every failure, and the schema and its docs page."""

from __future__ import annotations

import re

import pytest
from django.utils.http import http_date, parse_http_date

from kruzhok.api.tests import openapi
from kruzhok.catalog.models import Group, ScheduleSlot
from kruzhok.catalog.tests import factories

ACTIVITIES = "/api/v1/activities"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def test_every_answer_allows_any_origin_without_credentials(client, db):
    for path, status in (
        (ACTIVITIES, 200),
        (f"{ACTIVITIES}?age=abc", 422),
        ("/api/v1/nowhere", 404),
        ("/api/v1/openapi.json", 200),
    ):
        response = client.get(path, HTTP_ORIGIN="https://school.example.org")
        assert response.status_code == status, path
        assert response["Access-Control-Allow-Origin"] == "*", path
        assert "ETag" in response["Access-Control-Expose-Headers"]
        assert not response.has_header("Access-Control-Allow-Credentials")


def test_a_preflight_is_answered_for_get_and_head(client, db):
    response = client.options(
        ACTIVITIES,
        HTTP_ORIGIN="https://school.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert response.status_code == 204 and response.content == b""
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert int(response["Access-Control-Max-Age"]) > 0


def test_head_is_get_without_the_body(client, db):
    got = client.get(ACTIVITIES)
    head = client.head(ACTIVITIES)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == got["ETag"] and head["Content-Length"] == str(len(got.content))


def test_other_methods_are_a_json_405_even_without_a_csrf_token(spec):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    for method in ("post", "put", "delete", "patch"):
        response = getattr(strict, method)(ACTIVITIES)
        assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS", method
        body = response.json()
        assert (
            body["error"] == "method_not_allowed"
            and openapi.problems(body, openapi.response_schema(spec, ACTIVITIES, 405), spec) == []
        )
    for path in ("/api/v1/nowhere", "/api/v1/openapi.json", "/api/v1/docs"):
        assert strict.post(path).json()["error"] == "method_not_allowed", path


def test_an_unchanged_answer_is_a_304_by_etag_or_date(client, public_catalog):
    paths = [
        ACTIVITIES, f"{ACTIVITIES}/{public_catalog['chess'].pk}", "/api/v1/search?q=шахматы", "/api/v1/organizations",
        "/api/v1/venues", "/api/v1/events?from=2027-02-01", f"/api/v1/events/{public_catalog['weekly'].pk}",
        "/api/v1/directions", "/api/v1/openapi.json",
    ]  # fmt: skip
    for path in paths:
        first = client.get(path)
        etag = first["ETag"]
        assert first.status_code == 200 and etag.startswith('W/"'), path
        assert first["Cache-Control"] == "public, no-cache" and "Cookie" in first["Vary"]
        again = client.get(path, HTTP_IF_NONE_MATCH=f'"other", {etag}')
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag, path
        assert again["Access-Control-Allow-Origin"] == "*"
        assert client.get(path, HTTP_IF_NONE_MATCH='W/"stale"').status_code == 200
        if path != "/api/v1/openapi.json":  # the schema changes with the code, not by date
            since = first["Last-Modified"]
            assert client.get(path, HTTP_IF_MODIFIED_SINCE=since).status_code == 304, path
            earlier = http_date(parse_http_date(since) - 1)
            assert client.get(path, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200, path


def _etag(client, path: str, **extra: str) -> str:
    response = client.get(path, **extra)
    assert response.status_code == 200, path
    return response["ETag"]


def test_the_etag_changes_with_the_data_the_answer_reads(client, public_catalog):
    c = public_catalog
    watched = [
        ACTIVITIES, f"{ACTIVITIES}/{c['chess'].pk}", "/api/v1/search", "/api/v1/categories",
        "/api/v1/organizations", f"/api/v1/venues/{c['hall'].pk}", "/api/v1/events?from=2027-02-01",
    ]  # fmt: skip

    def etags() -> dict[str, str]:
        return {path: _etag(client, path) for path in watched}

    def changed_by(write) -> set[str]:
        before = etags()
        write()
        after = etags()
        return {path for path in watched if before[path] != after[path]}

    everything = set(watched)
    # A schedule edit leaves the activity's own updated_at alone: the index's sequence moves.
    group = Group.objects.filter(activity=c["chess"]).first()
    assert (
        changed_by(
            lambda: ScheduleSlot.objects.create(group=group, weekday=4, starts_at="10:00", ends_at="11:00")
        )
        == everything
    )
    # An organization without activities: only what lists organizations, venues and events.
    lonely = factories.organization(name="Новый клуб")
    assert changed_by(lambda: lonely.save()) == {
        "/api/v1/organizations",
        f"/api/v1/venues/{c['hall'].pk}",
        "/api/v1/events?from=2027-02-01",
    }
    weekly = c["weekly"]
    weekly.title = "Мастер-класс по шахматам для всех"
    assert changed_by(weekly.save) == {"/api/v1/events?from=2027-02-01"}
    assert changed_by(c["cancelled"].delete) == {"/api/v1/events?from=2027-02-01"}
    # The same data in another language or on another page is another answer.
    assert _etag(client, ACTIVITIES) != _etag(client, f"{ACTIVITIES}?page=2")
    english = _etag(client, ACTIVITIES, HTTP_COOKIE="django_language=en")
    assert english != _etag(client, ACTIVITIES)
    assert client.get(ACTIVITIES, HTTP_IF_NONE_MATCH=english).status_code == 200


def test_last_modified_moves_past_the_old_one_when_the_data_changes(client, public_catalog, monkeypatch):
    import time as real_time

    first = client.get(ACTIVITIES)
    later = real_time.time() + 5
    monkeypatch.setattr("kruzhok.api.selectors.clock.time", lambda: later)
    c = public_catalog["chess"]
    c.title = "Шахматы"
    c.save()
    second = client.get(ACTIVITIES, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert second.status_code == 200
    assert parse_http_date(second["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_over_the_rate_limit_is_a_429_with_retry_after(client, spec, settings, db):
    settings.API_REQUESTS_PER_MINUTE = 3
    one = {"REMOTE_ADDR": "10.9.9.9"}
    statuses = [client.get("/api/v1/directions", **one).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(ACTIVITIES, **one)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Access-Control-Allow-Origin"] == "*"
    body = refused.json()
    assert body["error"] == "too_many_requests" and "3" in body["detail"] and CYRILLIC.search(body["detail"])
    assert openapi.problems(body, openapi.response_schema(spec, ACTIVITIES, 429), spec) == []
    # Counted per client address; a preflight is not counted.
    assert client.get(ACTIVITIES, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.options(ACTIVITIES, **one).status_code == 204
    settings.API_REQUESTS_PER_MINUTE = 0  # no limit
    assert client.get(ACTIVITIES, **one).status_code == 200


def test_openapi_lists_every_endpoint_and_describes_everything_in_both_languages(spec):
    assert set(spec["paths"]) == {
        "/api/v1/search", "/api/v1/activities", "/api/v1/activities/{id}", "/api/v1/organizations",
        "/api/v1/organizations/{id}", "/api/v1/venues", "/api/v1/venues/{id}", "/api/v1/events",
        "/api/v1/events/{id}", "/api/v1/directions", "/api/v1/categories", "/api/v1/okrugs",
    }  # fmt: skip
    for path, operations in spec["paths"].items():
        operation = operations["get"]
        assert set(operations) == {"get"}, path
        assert {"200", "304", "429"} <= set(operation["responses"]), path
        assert CYRILLIC.search(operation["summary"]) and LATIN_WORD.search(operation["summary"]), path
        for parameter in operation.get("parameters", []):
            text = parameter.get("description", "")
            assert CYRILLIC.search(text) and LATIN_WORD.search(text), (path, parameter["name"])
    for name, schema in spec["components"]["schemas"].items():
        if name.endswith("Query"):
            continue  # the parameters, checked above
        for field, prop in schema.get("properties", {}).items():
            text = prop.get("description", "")
            assert CYRILLIC.search(text) and LATIN_WORD.search(text), f"{name}.{field}"


def test_the_docs_page_is_served_from_our_own_files_without_inline_script(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all('src="/static/' in tag or 'type="application/json"' in tag for tag in scripts)
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui.css" in html
    assert "cdn" not in html.lower() and '<html lang="ru">' in html
    assert "/api/v1/openapi.json" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_the_schema_and_docs_answer_head_and_cors_too(client, db, path):
    response = client.head(path)
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"


def test_a_failure_outside_the_views_is_a_logged_json_500_too(client, db, monkeypatch, caplog):
    def broken(scope):
        raise RuntimeError("database gone")

    monkeypatch.setattr("kruzhok.api.selectors.data_version", broken)
    response = client.get(ACTIVITIES)
    assert response.status_code == 500 and response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["error"] == "server_error" and CYRILLIC.search(response.json()["detail"])
    assert "Internal Server Error: /api/v1/activities" in caplog.text


def test_a_change_within_the_same_second_still_moves_last_modified(client, public_catalog, monkeypatch):
    import time as real_time

    frozen = real_time.time()
    monkeypatch.setattr("kruzhok.api.selectors.clock.time", lambda: frozen)
    first = client.get(ACTIVITIES)
    c = public_catalog["chess"]
    c.title = "Шахматы"
    c.save()
    second = client.get(ACTIVITIES, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert second.status_code == 200, "a client holding the old date must not be told «not modified»"


def test_the_next_day_is_another_answer_for_the_same_data(client, public_catalog, monkeypatch):
    from datetime import date

    path = "/api/v1/events"  # no `from`: the window starts today
    first = client.get(path)
    monkeypatch.setattr("kruzhok.api.selectors.today", lambda: date(2099, 1, 2))
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_if_none_match_star_never_hides_a_missing_entry(client, db):
    response = client.get(f"{ACTIVITIES}/999999", HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
