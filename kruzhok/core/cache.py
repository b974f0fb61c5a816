"""Django's Redis cache that a Redis outage cannot break.

Several app processes share one Redis for rate limits (allauth's sign-in lockout, the API limit,
comments, reports, ad counts per visitor) and rendered search results. When Redis stops answering,
a request must still be served: an operation that fails with a Redis error is done on this
process's own local-memory cache instead, and so is every operation for the next RETRY_AFTER_S
seconds, without touching the network (a dead Redis costs no latency per request). Limits then
count per process, as they do without Redis, and cached pages are rendered again. After that pause
the next operation tries Redis again and, when it answers, Redis is used again. One warning is
logged when Redis is lost (repeated every WARN_EVERY_S while it stays lost) and one line when it is
back, never one per call. Only errors that mean an outage switch over: any other Redis error is a
bug and is raised.

Connect and socket timeouts are short (a cache that needs more than half a second is worse than
none; shorter would mistake a busy machine's stall for an outage — bench/cache.py saw 0.29 s on a
loopback Redis at load average 11), and redis-py's own retries are off: the pause above is the
retry policy.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis import exceptions as redis_errors
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger("kruzhok.cache")

T = TypeVar("T")

CONNECT_TIMEOUT_S = 0.5
SOCKET_TIMEOUT_S = 0.5
RETRY_AFTER_S = 5.0


# Errors that mean Redis cannot be reached or cannot serve now. Anything else (a wrong type for
# INCR, a pickling error) is a bug and is raised, not hidden behind the fallback.
OUTAGE_ERRORS = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.ReadOnlyError,
    redis_errors.OutOfMemoryError,
)
# While the outage lasts, the warning is repeated this often (a misconfigured CACHE_URL must not
# go quiet after one line).
WARN_EVERY_S = 300.0


class _Outage:
    """One process's view of one Redis: shared by all threads, since Django gives each thread its
    own cache object, and a per-thread fallback would count a sign-in lockout per thread."""

    def __init__(self, fallback: LocMemCache) -> None:
        self.fallback = fallback
        self.down = False
        self.down_until = 0.0  # time.monotonic() before which Redis is not tried
        self.warned_at = -WARN_EVERY_S
        self.lock = threading.Lock()


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    """RedisCache whose every operation falls back to a per-process LocMemCache while Redis is down.

    CACHES options: LOCATION a redis:// URL; RETRY_AFTER_S (default 5) how long Redis is left
    alone after a failure; FALLBACK_ENTRIES (default 5000) how much the fallback holds; OPTIONS are
    redis-py's connection options, with short timeouts and no retries unless given."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT_S)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_S)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.retry_after_s = float(params.get("RETRY_AFTER_S", RETRY_AFTER_S))
        identity = f"{server}|{params.get('KEY_PREFIX', '')}"
        with _outages_lock:
            if identity not in _outages:
                # The same key prefix, version and default timeout, so the fallback behaves like Redis.
                _outages[identity] = _Outage(
                    LocMemCache(
                        f"kruzhok-redis-fallback-{identity}",
                        {
                            "TIMEOUT": params.get("TIMEOUT", 300),
                            "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                            "VERSION": params.get("VERSION", 1),
                            "KEY_FUNCTION": params.get("KEY_FUNCTION"),
                            "OPTIONS": {"MAX_ENTRIES": int(params.get("FALLBACK_ENTRIES", 5000))},
                        },
                    )
                )
            self._outage = _outages[identity]
        self._fallback = self._outage.fallback

    @property
    def redis_down(self) -> bool:
        """Whether this process is serving from its fallback (Redis failed within RETRY_AFTER_S)."""
        return self._outage.down

    def _failed(self, error: Exception) -> None:
        outage = self._outage
        now = time.monotonic()
        with outage.lock:
            outage.down = True
            outage.down_until = now + self.retry_after_s
            warn = now - outage.warned_at >= WARN_EVERY_S
            if warn:
                outage.warned_at = now
        if warn:
            logger.warning(
                "Redis cache unreachable (%s: %s); this process uses its own memory and retries every %.0f s",
                type(error).__name__,
                error,
                self.retry_after_s,
            )

    def _recovered(self) -> None:
        outage = self._outage
        with outage.lock:
            was_down, outage.down = outage.down, False
            outage.warned_at = -WARN_EVERY_S
        if was_down:
            # What was counted or cached meanwhile is per process and would come back stale at
            # the next outage.
            self._fallback.clear()
            logger.warning("Redis cache reachable again; limits and cached pages are shared once more")

    def _run(self, redis_call: Callable[[], T], fallback_call: Callable[[], T]) -> T:
        outage = self._outage
        if outage.down and time.monotonic() < outage.down_until:
            return fallback_call()
        try:
            result = redis_call()
        except OUTAGE_ERRORS as error:
            self._failed(error)
            return fallback_call()
        if outage.down:
            self._recovered()
        return result

    # Every operation the code and its libraries use; BaseCache builds the rest (get_or_set,
    # decr, the async variants) on these.

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._run(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version),
            lambda: self._fallback.add(key, value, timeout, version),
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._run(
            lambda: super(ResilientRedisCache, self).get(key, default, version),
            lambda: self._fallback.get(key, default, version),
        )

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._run(
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version),
            lambda: self._fallback.set(key, value, timeout, version),
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._run(
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version),
            lambda: self._fallback.touch(key, timeout, version),
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._run(
            lambda: super(ResilientRedisCache, self).delete(key, version),
            lambda: self._fallback.delete(key, version),
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._run(
            lambda: super(ResilientRedisCache, self).get_many(keys, version),
            lambda: self._fallback.get_many(keys, version),
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._run(
            lambda: super(ResilientRedisCache, self).has_key(key, version),
            lambda: self._fallback.has_key(key, version),
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A missing key is ValueError from either side, as Django documents: not an outage.
        return self._run(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version),
            lambda: self._fallback.incr(key, delta, version),
        )

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return self._run(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            lambda: self._fallback.set_many(data, timeout, version),
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._run(
            lambda: super(ResilientRedisCache, self).delete_many(keys, version),
            lambda: self._fallback.delete_many(keys, version),
        )

    def clear(self) -> None:
        self._fallback.clear()
        self._run(lambda: super(ResilientRedisCache, self).clear(), lambda: None)
