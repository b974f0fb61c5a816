"""The shared abuse defences: the client's IP (X-Forwarded-For believed from trusted proxies only),
rate limits per account and per IP, a cache that fails open, and the honeypot."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import RequestFactory

from kruzhok.core import abuse
from kruzhok.core.abuse import HoneypotMixin, allow, client_ip, hit, too_many


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _request(remote: str = "203.0.113.5", forwarded: str | None = None, user=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().post("/activities/1/report/", **extra)
    request.user = user or AnonymousUser()
    return request


class _User:
    """Just what `allow` reads of a user."""

    is_authenticated = True

    def __init__(self, pk: int) -> None:
        self.pk = pk


# --- client_ip --------------------------------------------------------------------------------


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.5", forwarded="1.2.3.4")) == "203.0.113.5"


def test_a_direct_client_cannot_spoof_its_address(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # Not from our proxy: whatever the header says, the connection's address counts.
    assert client_ip(_request("198.51.100.20", forwarded="127.0.0.1, 1.1.1.1")) == "198.51.100.20"


def test_behind_a_trusted_proxy_the_last_untrusted_hop_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(_request("127.0.0.1", forwarded="198.51.100.7")) == "198.51.100.7"
    # Two of our proxies in a row: both skipped.
    assert client_ip(_request("127.0.0.1", forwarded="198.51.100.7, 10.1.2.3")) == "198.51.100.7"


def test_a_spoofed_left_end_of_the_header_is_not_believed(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    # The client wrote «6.6.6.6» itself; our proxy appended the address it really saw.
    assert client_ip(_request("127.0.0.1", forwarded="6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    # A client cannot pretend to be our proxy to skip its own hop either.
    assert client_ip(_request("127.0.0.1", forwarded="6.6.6.6, 127.0.0.1, 198.51.100.7")) == "198.51.100.7"


@pytest.mark.parametrize("garbage", ["not-an-ip", "<script>", "1.2.3.4.5", "", " , ,"])
def test_garbage_in_the_header_falls_back_to_the_proxy_address(settings, garbage):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_request("127.0.0.1", forwarded=garbage)) == "127.0.0.1"


def test_ipv6_clients_and_ipv4_mapped_proxy_addresses(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "fd00::/8"]
    assert client_ip(_request("fd00::1", forwarded="2001:db8::42")) == "2001:db8::42"
    # A dual-stack socket reports an IPv4 proxy as ::ffff:127.0.0.1: still our proxy.
    assert client_ip(_request("::ffff:127.0.0.1", forwarded="198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("127.0.0.1", forwarded="::ffff:198.51.100.7")) == "198.51.100.7"


def test_missing_remote_addr_is_a_value_not_an_error(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)
    assert client_ip(request) == "0.0.0.0"  # noqa: S104 — a value, not a bind


# --- allow / hit -------------------------------------------------------------------------------


def test_anonymous_visitors_are_limited_per_ip(settings):
    settings.TRUSTED_PROXIES = []
    settings.IP_LIMIT_FACTOR = 2
    results = [allow(_request("203.0.113.5"), "report", limit=2) for _ in range(5)]
    assert results == [True, True, True, True, False]  # 2 × factor 2
    assert allow(_request("203.0.113.6"), "report", limit=2) is True  # another address
    assert allow(_request("203.0.113.5"), "comment", limit=2) is True  # another scope


def test_signed_in_users_are_limited_per_account_whatever_their_address(settings):
    settings.TRUSTED_PROXIES = []
    settings.IP_LIMIT_FACTOR = 10
    anna = _User(1)
    results = [allow(_request(f"203.0.113.{i}", user=anna), "report", limit=3) for i in range(5)]
    assert results == [True, True, True, False, False]
    assert allow(_request("203.0.113.1", user=_User(2)), "report", limit=3) is True


def test_a_shared_school_ip_limits_everyone_behind_it(settings):
    settings.TRUSTED_PROXIES = []
    settings.IP_LIMIT_FACTOR = 2
    results = [allow(_request("192.0.2.1", user=_User(pk)), "report", limit=1) for pk in range(1, 5)]
    assert results == [True, True, False, False]


def test_limits_reset_in_the_next_window(settings, monkeypatch):
    settings.TRUSTED_PROXIES = []
    settings.IP_LIMIT_FACTOR = 1
    now = [1_800_000_000.0]
    monkeypatch.setattr(abuse.time, "time", lambda: now[0])
    assert allow(_request(), "report", limit=1, period=60)
    assert not allow(_request(), "report", limit=1, period=60)
    now[0] += 60
    assert allow(_request(), "report", limit=1, period=60)


def test_spoofed_forwarded_for_does_not_give_fresh_counters(settings):
    settings.TRUSTED_PROXIES = []
    settings.IP_LIMIT_FACTOR = 1
    assert allow(_request("203.0.113.5", forwarded="1.1.1.1"), "report", limit=1)
    assert not allow(_request("203.0.113.5", forwarded="2.2.2.2"), "report", limit=1)


class _BrokenCache:
    def add(self, *args, **kwargs):
        raise ConnectionError("redis is down")

    def incr(self, *args, **kwargs):
        raise ConnectionError("redis is down")


def test_an_unreachable_cache_lets_requests_through(monkeypatch, settings):
    settings.TRUSTED_PROXIES = []
    monkeypatch.setattr(abuse, "cache", _BrokenCache())
    assert all(allow(_request(), "report", limit=1) for _ in range(5))
    assert hit("report", "x", limit=0, period=60) is True


def test_a_counter_that_vanished_between_add_and_incr_lets_the_request_through(monkeypatch):
    class Evicting:
        def add(self, *args, **kwargs):
            return False  # someone else's key… which is gone by the time we count

        def incr(self, key):
            raise ValueError(f"Key {key!r} not found")

    monkeypatch.setattr(abuse, "cache", Evicting())
    assert hit("report", "x", limit=1, period=60) is True


def test_keys_do_not_contain_the_raw_identity(monkeypatch):
    seen: list[str] = []

    class Spy:
        def add(self, key, *args, **kwargs):
            seen.append(key)
            return True

    monkeypatch.setattr(abuse, "cache", Spy())
    hit("report:ip", "203.0.113.5", limit=1, period=60)
    assert seen and "203.0.113.5" not in seen[0] and seen[0].startswith("rl:report:ip:")


def test_too_many_is_a_429_with_retry_after(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    response = too_many(request)
    response.render()
    assert response.status_code == 429 and response["Retry-After"] == "600"
    assert "Слишком много попыток" in response.content.decode()


# --- honeypot -----------------------------------------------------------------------------------


class _Form(HoneypotMixin, forms.Form):
    text = forms.CharField()


def test_honeypot_field_is_added_hidden_from_people():
    form = _Form()
    field = form.fields["website_url"]
    assert not field.required
    assert field.widget.attrs["tabindex"] == "-1" and field.widget.attrs["autocomplete"] == "off"


def test_empty_honeypot_passes():
    form = _Form(data={"text": "привет", "website_url": ""})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("value", ["http://spam.example", "x", " bot "])
def test_a_filled_honeypot_is_a_form_error(value):
    form = _Form(data={"text": "привет", "website_url": value})
    assert not form.is_valid()
    assert form.non_field_errors() == ["Форма не отправлена. Обновите страницу и попробуйте ещё раз."]


def test_honeypot_works_with_a_form_that_has_its_own_clean():
    class WithClean(HoneypotMixin, forms.Form):
        text = forms.CharField()

        def clean(self):
            cleaned = super().clean()
            cleaned["text"] = cleaned.get("text", "").upper()
            return cleaned

    good = WithClean(data={"text": "a"})
    assert good.is_valid() and good.cleaned_data["text"] == "A"
    assert not WithClean(data={"text": "a", "website_url": "x"}).is_valid()
