"""Gunicorn, the production server: `gunicorn kruzhok.wsgi` run from the repository root reads this file.

Put a reverse proxy (nginx) in front: it buffers slow clients, which a sync worker must not wait
for, and terminates TLS. Static files are served by WhiteNoise after `manage.py collectstatic`.
Every value can be changed from the environment (or on the gunicorn command line).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Search is CPU-bound Python and numpy under the GIL, so throughput comes from processes, one per
# core; each keeps its own in-memory copy of the search index (kruzhok.search.store).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Sync workers: threads in one process would only take turns on the GIL for this work, and a
# process handles one request at a time, so per-process caches need no locking.
worker_class = "sync"
# A search at 200,000 activities takes milliseconds; 30 s only stops a stuck worker.
timeout = 30
graceful_timeout = 30
# No access log by default: the proxy in front already writes one.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


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
