"""Gunicorn, the production server: `gunicorn kruzhok.wsgi` run from the repository root reads this file.

Put a reverse proxy (nginx) in front: it buffers slow clients, which a sync worker must not wait
for, and terminates TLS. Static files are served by WhiteNoise after `manage.py collectstatic`.
Every value can be changed from the environment (or on the gunicorn command line).
"""

from kruzhok.core.env import env_bool, env_choice, env_int, env_str

bind = env_str("GUNICORN_BIND", "127.0.0.1:8000")
# Search is CPU-bound Python and numpy under the GIL, so throughput comes from processes, one per
# core; each keeps its own in-memory copy of the search index (kruzhok.search.store).
workers = env_int("WEB_CONCURRENCY", 2)
# Sync workers: threads in one process would only take turns on the GIL for this work, and a
# process handles one request at a time, so per-process caches need no locking.
worker_class = "sync"
# A search at 200,000 activities takes milliseconds; 30 s only stops a stuck worker.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Off by default: a new worker reloads the search index (seconds at 200,000 activities). Set
# GUNICORN_MAX_REQUESTS to recycle workers (jittered, so not all at once) if a leak ever shows.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
# Which peers may say a request came over HTTPS (X-Forwarded-Proto): the proxies, addresses or
# networks, from the environment only; gunicorn's own default is loopback.
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No access log by default: the proxy in front already writes one (and it holds client addresses).
accesslog = env_str("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = env_str("GUNICORN_LOG_LEVEL", "info")

# Gunicorn's own lines (start, worker exits, timeouts) in the site's format: JSON lines on stderr
# with the same default as kruzhok/settings.py (text under DEBUG). The workers' Django logging
# replaces the root logger's handler with its own, so application records are not written twice.
if env_choice("LOG_FORMAT", "text" if env_bool("DEBUG") else "json", ("json", "text")) == "json":
    logconfig_dict = {
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
            # Written only when GUNICORN_ACCESS_LOG asks for it (a logging config would turn it on).
            "gunicorn.access": {
                "level": "INFO",
                "handlers": ["console"] if accesslog else [],
                "propagate": False,
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "formatters": {"json": {"()": "kruzhok.core.logging.JsonFormatter"}},
    }


def post_worker_init(worker):  # noqa: ANN001, ANN201 (gunicorn's hook signature)
    """Load this worker's copy of the search index before it takes requests: at 200,000
    activities that takes 8–14 s, which would otherwise fall on the first visitor's search."""
    from django.db import connections

    from kruzhok.search import store

    try:
        store.current()
    except Exception:  # a database that is not migrated yet: the first search will say so
        worker.log.exception("Could not load the search index at start")
    finally:
        connections.close_all()
