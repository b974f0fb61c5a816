"""What a rate-limit check costs with each cache, and with Redis dead (kruzhok.core.cache).

    .venv/bin/python bench/cache.py [--calls 20000]

Needs no database. Starts its own redis-server on a free port (never the machine's 6379), times
`abuse.hit` (an add + incr, what every limited request does) and a results-cache `get` against
local memory, against Redis, and after the Redis process is killed (the per-process fallback),
and prints the median microseconds per call.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import socket
import statistics
import subprocess  # starts the system's redis-server, no shell  # nosec B404
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def _time(label: str, calls: int, step: Callable[[int], object]) -> None:
    samples = []
    for i in range(calls):
        started = time.perf_counter()
        step(i)
        samples.append(time.perf_counter() - started)
    samples.sort()
    print(
        f"{label:<44} median {statistics.median(samples) * 1e6:7.1f} µs"
        f"   p99 {samples[int(len(samples) * 0.99)] * 1e6:8.1f} µs   max {samples[-1] * 1e3:6.1f} ms"
    )


def _get(backend: BaseCache, _i: int) -> object:
    return backend.get("page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (a fixed binary and arguments)  # nosec B603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
        import django

        django.setup()
        from django.core.cache import caches

        from kruzhok.core import abuse
        from kruzhok.core.cache import ResilientRedisCache

        page = {"results": "<li>карточка</li>" * 20}
        local = caches.create_connection("default")
        redis_cache = ResilientRedisCache(f"redis://127.0.0.1:{port}/0", {"KEY_PREFIX": "bench"})
        for name, backend in (("local memory", local), ("Redis", redis_cache)):
            abuse.cache = backend
            backend.set("page", page, 60)
            _time(
                f"{name}: rate-limit hit (add + incr)",
                args.calls,
                lambda i: abuse.hit("b", str(i % 50), limit=10**9, period=60),
            )
            print(f"  (after the hits, Redis marked down: {getattr(backend, 'redis_down', False)})")
            _time(f"{name}: cached results get", args.calls, functools.partial(_get, backend))
        server.kill()
        server.wait()
        abuse.cache = redis_cache
        _time(
            "Redis killed: rate-limit hit (fallback)",
            args.calls,
            lambda i: abuse.hit("b", str(i % 50), limit=10**9, period=60),
        )
        _time("Redis killed: cached results get (a miss)", args.calls, lambda i: redis_cache.get("page"))
        print(
            f"fallback in use: {redis_cache.redis_down}; Redis retried every {redis_cache.retry_after_s:.0f} s"
        )
    finally:
        if server.poll() is None:
            server.kill()


if __name__ == "__main__":
    main()
