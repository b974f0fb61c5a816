"""Redirects stay on this site, and no POST is accepted without a CSRF token."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kruzhok.accounts.tests import factories
from kruzhok.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "http:evil.example",
    "https://evil.example@127.0.0.1/",
    "javascript:alert(1)",
    " //evil.example",
    "http://localhost/",  # another allowed host name is still another site
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_after_sign_in_never_leaves_the_site(client, citizen_a, target):
    response = client.post(
        "/account/login/", {"login": citizen_a.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/", target


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_after_sign_out_and_sign_up_never_leaves_the_site(client, citizen_a, target):
    client.force_login(citizen_a)
    assert client.post("/account/logout/", {"next": target})["Location"] == "/"
    response = client.post(
        "/account/signup/",
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD, "next": target},
    )
    assert "evil" not in response.get("Location", "")


@pytest.mark.parametrize("target", OFF_SITE)
def test_admin_sign_in_redirect_never_leaves_the_site(client, target):
    response = client.get("/admin/login/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=%2Fadmin%2F"


def test_next_on_the_site_is_followed(client, citizen_a):
    response = client.post(
        "/account/login/", {"login": citizen_a.email, "password": PASSWORD, "next": "/search/?q=шахматы"}
    )
    assert unquote(response["Location"]) == "/search/?q=шахматы"


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for item in resolver.url_patterns:
        route = prefix + str(item.pattern)
        if isinstance(item, URLResolver):
            found += _patterns(item, route)
        else:
            found.append((route, item))
    return found


def _example_path(route: str) -> str:
    """A concrete URL for a route: any value will do, the CSRF check comes before the view."""
    for token, value in (
        ("^", ""),
        ("$", ""),
        ("(?P<key>[-:\\w]+)", "some-key"),
        ("(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)", "1-set-password"),
    ):
        route = route.replace(token, value)
    return "/" + route  # fmt: skip


def test_every_account_post_is_refused_without_a_csrf_token(citizen_a):
    """Walks every URL under /account/ and /i18n/ (and the admin's sign-in), signed in and not,
    so a view added later is covered too."""
    routes = [
        (route, pattern)
        for route, pattern in _patterns(get_resolver())
        if route.startswith(("account/", "i18n/", "admin/login/"))
    ]
    assert len(routes) >= 20
    for signed_in in (False, True):
        client = Client(enforce_csrf_checks=True)
        if signed_in:
            client.force_login(citizen_a)
        for route, _pattern in routes:
            path = _example_path(route)
            response = client.post(path, {"password": PASSWORD, "email": "x@example.org", "language": "en"})
            assert response.status_code == 403, (path, signed_in, response.status_code)
            assert "CSRF" in response.content.decode() or response.status_code == 403


def test_logout_by_get_only_asks_and_never_signs_out(client, citizen_a):
    client.force_login(citizen_a)
    page = client.get("/account/logout/")
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    assert "_auth_user_id" in client.session


def test_pages_carry_the_strict_content_security_policy(client):
    for path in ("/account/login/", "/account/signup/", "/account/password/reset/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, path
        html = client.get(path).content.decode()
        assert "<script" not in html and "style=" not in html and "<style" not in html, path


def test_factories_make_users_who_can_sign_in(client):
    user = factories.user()
    assert client.post("/account/login/", {"login": user.email, "password": PASSWORD}).status_code == 302
