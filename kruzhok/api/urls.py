"""/api/v1/: ninja's routes, each wrapped by `http.public` (CORS, rate limit, conditional GET,
JSON errors), then a JSON 404 for every other path under the prefix."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path, reverse
from django.utils.translation import gettext as _

from kruzhok.api import catalog, errors, events, http
from kruzhok.api.api import api


def not_found(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    return errors.error_response(
        404,
        errors.NOT_FOUND,
        _("Такого адреса в API нет. Все адреса — в %(schema)s.") % {"schema": reverse("api:openapi-json")},
    )


# The data each route reads, for its ETag; the search reads the activities.
SCOPES = {"search": "activities", **catalog.SCOPES, **events.SCOPES}

_patterns, _app_name, namespace = api.urls
app_name = namespace  # "api": ninja reverses its own routes in this namespace
urlpatterns: list[URLPattern | URLResolver] = [
    # Ninja's root view is a bare Django 404 without docs; the name stays, ninja reverses it.
    URLPattern(
        p.pattern,
        http.public(
            not_found if p.name == "api-root" else p.callback,
            scope=SCOPES.get(p.name or ""),
            content_etag=p.name == "openapi-json",
        ),
        p.default_args,
        p.name,
    )
    for p in _patterns
    if isinstance(p, URLPattern)
]
# [\s\S], not «.»: a path with an encoded line break must get the JSON 404 too.
urlpatterns.append(re_path(r"^(?P<rest>[\s\S]*)$", http.public(not_found)))
