"""Five failed sign-ins to one account within 30 minutes lock that account's sign-in."""

from __future__ import annotations

import pytest

from kruzhok.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Слишком много неудачных попыток входа. Вход в этот аккаунт временно закрыт"


def _attempt(client, email, password, ip="10.0.0.1"):
    return client.post("/account/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_even_for_the_right_password(client, citizen_a, citizen_b):
    for i in range(5):
        response = _attempt(client, citizen_a.email, f"wrong-{i}", ip=f"10.0.0.{i + 1}")
        assert response.status_code == 200
        assert "Неверный адрес электронной почты или пароль." in response.content.decode()
    locked = _attempt(client, citizen_a.email, PASSWORD, ip="10.0.0.99")
    assert locked.status_code == 200 and LOCKED in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is per account: someone else signs in from the same address.
    assert _attempt(client, citizen_b.email, PASSWORD, ip="10.0.0.99").status_code == 302


def test_lock_is_per_account_whatever_the_case_of_the_address(client, citizen_a):
    for i in range(5):
        _attempt(client, citizen_a.email.upper() if i % 2 else citizen_a.email, "wrong", ip=f"10.0.1.{i}")
    assert LOCKED in _attempt(client, citizen_a.email, PASSWORD).content.decode()


def test_the_lock_lifts_when_the_window_has_passed(client, citizen_a, monkeypatch):
    import time

    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    for i in range(5):
        _attempt(client, citizen_a.email, "wrong", ip=f"10.0.2.{i}")
    assert LOCKED in _attempt(client, citizen_a.email, PASSWORD).content.decode()
    monkeypatch.setattr(time, "time", lambda: now + 29 * 60)
    assert LOCKED in _attempt(client, citizen_a.email, PASSWORD).content.decode()
    monkeypatch.setattr(time, "time", lambda: now + 30 * 60 + 1)
    assert _attempt(client, citizen_a.email, PASSWORD).status_code == 302


def test_four_failures_then_success_still_signs_in(client, citizen_a):
    for i in range(4):
        _attempt(client, citizen_a.email, "wrong", ip=f"10.0.3.{i}")
    assert _attempt(client, citizen_a.email, PASSWORD).status_code == 302


def test_behind_the_proxy_each_visitor_has_their_own_address_limit(client, citizen_a, settings):
    """allauth's per-address limits (30 sign-in attempts a minute) count the visitor named by the
    trusted proxy, as every other limit does, not the proxy that carries the whole city's sign-ins."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]

    def through_proxy(visitor: str, email: str, password: str):
        return client.post(
            "/account/login/",
            {"login": email, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=visitor,
        )

    # Forty people sign in within the minute, each from their own address.
    for i in range(40):
        assert through_proxy(f"203.0.113.{i}", f"nobody-{i}@example.org", "wrong").status_code == 200
    assert through_proxy("203.0.113.200", citizen_a.email, PASSWORD).status_code == 302
    # One address that tries again and again is still stopped, by itself.
    client.logout()
    answers = [through_proxy("198.51.100.7", f"x{i}@example.org", "wrong").status_code for i in range(31)]
    assert 429 in answers and answers[0] == 200
