"""/api/v1/: ninja's routes, then a JSON 404 for every other path under the prefix."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path, reverse
from django.utils.translation import gettext as _

from kruzhok.api import errors
from kruzhok.api.api import api

View = Callable[..., HttpResponseBase]


def _json_method_errors(view: View) -> View:
    """Ninja answers a wrong method with a plain-text 405; the API's errors are all JSON."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = errors.error_response(
                405,
                errors.METHOD_NOT_ALLOWED,
                _("Этот адрес API принимает только %(methods)s.") % {"methods": allowed},
            )
            response["Allow"] = allowed
        return response

    return wrapped


def not_found(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    return errors.error_response(
        404,
        errors.NOT_FOUND,
        _("Такого адреса в API нет. Все адреса — в %(schema)s.") % {"schema": reverse("api:openapi-json")},
    )


_patterns, _app_name, namespace = api.urls
app_name = namespace  # "api": ninja reverses its own routes in this namespace
urlpatterns: list[URLPattern | URLResolver] = [
    # Ninja's root view is a bare Django 404 without docs; the name stays, ninja reverses it.
    URLPattern(
        p.pattern,
        not_found if p.name == "api-root" else _json_method_errors(p.callback),
        p.default_args,
        p.name,
    )
    for p in _patterns
    if isinstance(p, URLPattern)
]
urlpatterns.append(re_path(r"^(?P<rest>.*)$", not_found))
