"""schemathesis against our own openapi.json: every operation, valid and invalid data (its
positive and negative modes), in-process through Django's WSGI application on the small public
catalog of `conftest`. Every check schemathesis has runs, and any failure fails the test: a
5xx, an answer that breaks the schema (status, content type, headers, body), invalid data
accepted, and (where the schema can say which values are valid) valid data refused.

The module loads the schema as it is collected (the schema reads no database), not through
`schemathesis.pytest.from_fixture`, whose lazy loader needs pytest < 9."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

# Bounded so the run adds seconds, not minutes, to each database's suite.
EXAMPLES_PER_OPERATION = 25
# The lists take parameters whose valid values the schema cannot list: slugs and okrugs that come
# from the catalog's taxonomy (`category=x` is a 422 naming the unknown slug), rules across two
# parameters (`after` before `before`, `lat` with `lon`, `from` not after `to`, a window of at
# most 400 days) and dates between the years 2000 and 2100. There «any valid-looking request is
# accepted» cannot hold by design; every other check still runs on them, and the ids and the
# taxonomy lists get every check.
TAXONOMY_VALUED = {
    "/api/v1/search", "/api/v1/activities", "/api/v1/organizations", "/api/v1/venues", "/api/v1/events",
}  # fmt: skip


# Loaded when the module is collected: the schema itself reads no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


# Ids the catalog has, per operation, for the hook below (filled by the fixture).
KNOWN_IDS: dict[str, list[int]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """A random id names nothing (a 404): often ask for one the catalog has instead, so the
    answers with data are checked against the schema too. Invalid ids go through untouched."""
    ids = KNOWN_IDS.get(context.operation.path, [])
    value = (path_parameters or {}).get("id")
    if not path_parameters or not ids or not isinstance(value, int) or isinstance(value, bool):
        return st.just(path_parameters)
    return st.sampled_from([value, *ids]).map(lambda chosen: {**path_parameters, "id": chosen})


@pytest.fixture(autouse=True)
def _catalog(public_catalog: dict[str, Any], settings: Any) -> Iterator[None]:
    settings.API_REQUESTS_PER_MINUTE = 0  # hundreds of requests from one address in seconds
    c = public_catalog
    KNOWN_IDS.update(
        {
            "/api/v1/activities/{id}": [c[n].pk for n in ("chess", "football", "robotics")],
            "/api/v1/organizations/{id}": [c["palace"].pk, c["school"].pk, c["pending_org"].pk],
            "/api/v1/venues/{id}": [c["hall"].pk, c["stadium"].pk, c["pending_venue"].pk],
            "/api/v1/events/{id}": [c[n].pk for n in ("open_day", "weekly", "cancelled", "draft_link")],
        }
    )
    # As Django's test client does: the WSGI handler would close the connection after each
    # request (it is inside the test's transaction), and the next one would find it closed.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_against_its_schema(case: Any) -> None:
    if case.operation.path in TAXONOMY_VALUED:
        case.call_and_validate(excluded_checks=[positive_data_acceptance])
    else:
        case.call_and_validate()
