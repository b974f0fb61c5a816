"""The Redis cache (CACHE_URL) against a real redis-server that each test starts on a free port:
shared between processes while it runs, never an error when it dies, used again when it is back."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache, caches
from django.test import Client

from kruzhok.accounts.tests import factories
from kruzhok.accounts.tests.factories import PASSWORD
from kruzhok.core import abuse
from kruzhok.core.cache import ResilientRedisCache

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
pytestmark = pytest.mark.skipif(not shutil.which(REDIS_SERVER), reason="redis-server is not installed")

LOCKED = "Слишком много неудачных попыток входа. Вход в этот аккаунт временно закрыт"
RETRY_AFTER_S = 0.3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A throw-away redis-server of this test (never the machine's own on 6379)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 — a fixed binary and arguments
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def redis_cache(settings, redis_server) -> Iterator[ResilientRedisCache]:
    """The site's cache pointed at the test's Redis, as CACHE_URL does it (kruzhok/settings.py)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "kruzhok.core.cache.ResilientRedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "kruzhok",
            "RETRY_AFTER_S": RETRY_AFTER_S,
        }
    }
    backend = caches["default"]
    assert isinstance(backend, ResilientRedisCache)
    yield backend
    backend._fallback.clear()


def _other_process(url: str) -> ResilientRedisCache:
    """What another app process (or machine) has: its own client, the same Redis."""
    return ResilientRedisCache(url, {"KEY_PREFIX": "kruzhok", "RETRY_AFTER_S": RETRY_AFTER_S})


def test_settings_choose_redis_only_when_cache_url_is_set(monkeypatch):
    import importlib

    from kruzhok import settings as site_settings

    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6390/2")
    try:
        reloaded = importlib.reload(site_settings)
        assert reloaded.CACHES["default"]["BACKEND"] == "kruzhok.core.cache.ResilientRedisCache"
        assert reloaded.CACHES["default"]["LOCATION"] == "redis://127.0.0.1:6390/2"
        monkeypatch.setenv("CACHE_URL", "")
        reloaded = importlib.reload(site_settings)
        assert reloaded.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    finally:
        monkeypatch.delenv("CACHE_URL")
        importlib.reload(site_settings)


def test_every_operation_the_site_uses_goes_to_the_shared_redis(redis_cache, redis_server):
    other = _other_process(redis_server.url)
    assert cache.add("a", 1, timeout=60) is True
    assert cache.add("a", 5, timeout=60) is False
    assert cache.incr("a") == 2 and other.incr("a") == 3
    assert cache.get("a") == 3
    cache.set("obj", {"parts": ["x"]}, 60)
    assert other.get("obj") == {"parts": ["x"]}
    cache.set_many({"m1": 1, "m2": "two"}, 60)
    assert other.get_many(["m1", "m2", "missing"]) == {"m1": 1, "m2": "two"}
    assert cache.touch("m1", 120) is True and cache.has_key("m2")
    assert other.delete("obj") is True and cache.get("obj", "gone") == "gone"
    cache.delete_many(["m1", "m2"])
    assert cache.get_many(["m1", "m2"]) == {}
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")
    # A rate limit counted by two processes is one limit.
    assert all(abuse.hit("test", "who", limit=3, period=60) for _ in range(2))
    assert caches["default"] is redis_cache and not redis_cache.redis_down


def test_a_killed_redis_raises_nothing_and_limits_count_in_the_process(redis_cache, redis_server, caplog):
    cache.set("before", "value", 60)
    redis_server.kill()
    calls = 0
    real = redis_cache._cache.get_client

    def counted(*args, **kwargs):
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    redis_cache._cache.get_client = counted  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, logger="kruzhok.cache"):
        assert cache.get("before") is None  # a miss, not an error
        cache.set("during", "kept here", 60)
        assert cache.get("during") == "kept here"
        assert cache.add("n", 1, 60) is True and cache.incr("n") == 2 and cache.decr("n") == 1
        assert cache.get_or_set("computed", lambda: 42, 60) == 42
        cache.set_many({"x": 1}, 60)
        assert cache.get_many(["x", "y"]) == {"x": 1}
        assert cache.touch("x", 60) and cache.has_key("x") and cache.delete("x")
        cache.delete_many(["n"])
        results = [abuse.hit("comment", "someone", limit=3, period=3600) for _ in range(5)]
    assert results == [True, True, True, False, False]  # the limit still holds, in this process
    assert calls == 1  # only the first call went to the network; the rest waited for the retry
    warnings = [r for r in caplog.records if r.name == "kruzhok.cache"]
    assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()
    assert redis_cache.redis_down


def test_redis_back_is_used_again_after_the_pause(redis_cache, redis_server, caplog):
    redis_server.kill()
    cache.set("k", "fallback", 60)
    assert redis_cache.redis_down
    redis_server.start()  # an empty Redis on the same port, as after a restart
    assert cache.get("k") == "fallback"  # within the pause: still this process's memory
    time.sleep(RETRY_AFTER_S + 0.1)
    with caplog.at_level(logging.WARNING, logger="kruzhok.cache"):
        cache.set("k", "shared", 60)
    assert not redis_cache.redis_down
    assert _other_process(redis_server.url).get("k") == "shared"
    assert any("reachable again" in r.getMessage() for r in caplog.records)
    # What the process kept during the outage is dropped: it must not come back at the next one.
    redis_server.kill()
    assert cache.get("k") is None


def test_a_bug_is_raised_not_taken_for_an_outage(redis_cache):
    import redis

    redis_cache._cache.get_client(write=True).set(redis_cache.make_and_validate_key("raw"), "abc")
    with pytest.raises(redis.exceptions.ResponseError):
        cache.incr("raw")
    assert not redis_cache.redis_down


def test_every_thread_of_a_process_sees_one_outage(redis_cache, redis_server):
    import threading

    redis_server.kill()
    cache.set("lock", "held", 60)  # this thread finds Redis gone
    seen: dict[str, object] = {}

    def other_thread() -> None:
        # Django gives each thread its own cache object; the outage and fallback are the process's.
        backend = caches["default"]
        seen["distinct"] = backend is not redis_cache
        seen["down"] = getattr(backend, "redis_down", None)
        seen["value"] = backend.get("lock")

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen == {"distinct": True, "down": True, "value": "held"}


@pytest.mark.django_db
def test_sign_in_lockout_still_refuses_the_sixth_attempt_while_redis_is_down(
    client, redis_cache, redis_server
):
    citizen_a = factories.user("anna@example.org", display_name="Анна")

    def attempt(password: str, ip: str):
        return client.post(
            "/account/login/", {"login": citizen_a.email, "password": password}, REMOTE_ADDR=ip
        )

    assert client.get("/account/login/").status_code == 200
    redis_server.kill()  # mid-way: the site is up and Redis goes
    for i in range(5):
        response = attempt(f"wrong-{i}", f"10.0.0.{i + 1}")
        assert response.status_code == 200
        assert "Неверный адрес электронной почты или пароль." in response.content.decode()
    # Five failures counted in this process's memory: the right password is still refused.
    sixth = attempt(PASSWORD, "10.0.0.99")
    assert sixth.status_code == 200 and LOCKED in sixth.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rendered_results_are_shared_and_a_write_in_one_process_retires_them_in_every_other(
    redis_cache, redis_server
):
    """Outside a test transaction (so the results cache is on): process A renders a search into
    Redis, process B reuses it; a catalog write moves the index's sequence number, so neither can
    serve the old page again."""
    import redis

    from kruzhok.catalog.tests import factories as catalog
    from kruzhok.search import store

    raw = redis.Redis.from_url(redis_server.url)
    activity = catalog.activity(title="Шахматная школа «Ладья»", categories=["chess"])
    url = "/search/?q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B"  # «шахматы»
    assert "Ладья" in Client().get(url).content.decode()  # process A
    (key,) = raw.keys("kruzhok:1:search:*")
    # Mark the stored rendering, to see whether process B serves it or renders its own.
    other = _other_process(redis_server.url)
    name = key.decode().removeprefix("kruzhok:1:")
    parts = other.get(name)
    other.set(name, {part: html.replace("Ладья", "Ладья-из-кэша") for part, html in parts.items()}, 60)
    store.reset()  # process B: its own index copy, the same Redis
    assert "Ладья-из-кэша" in Client().get(url).content.decode()
    assert raw.keys("kruzhok:1:search:*") == [key]

    activity.title = "Шахматная школа «Гамбит»"
    activity.save()  # written by process A
    page = Client().get(url).content.decode()  # process B
    assert "Гамбит" in page and "Ладья" not in page  # neither the cached nor the old rendering
    assert len(raw.keys("kruzhok:1:search:*")) == 2  # a new key: the old one can never answer again
