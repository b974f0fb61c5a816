"""`/healthz`: is this app process able to serve, and is the job queue moving?

For a load balancer or a monitor: 200 `{"status": "ok", "checks": {...}}`, or 503 with the
failed check marked. Two queries: the database answers, and the oldest job waiting in
django-tasks-db's table (which also proves the table is there). A job waiting longer than
HEALTHZ_MAX_QUEUE_AGE_S means no worker is taking jobs. Errors name only their class: the
details (host names, SQL) go to the log, not to whoever asks.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)

Check = dict[str, Any]


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_queue() -> Check:
    """Jobs ready to run (not delayed into the future) and how long the oldest has waited: since
    it was queued, or since its run_after for a delayed one."""
    date_max = get_date_max()
    waiting_since = Case(
        When(run_after=date_max, then=F("enqueued_at")),
        default=Greatest("enqueued_at", "run_after"),
    )
    row = DBTaskResult.objects.ready().aggregate(waiting=Count("id"), oldest=Min(waiting_since))
    max_age = settings.HEALTHZ_MAX_QUEUE_AGE_S
    age = (timezone.now() - row["oldest"]).total_seconds() if row["oldest"] else 0.0
    return {
        "ok": age <= max_age,
        "waiting": row["waiting"],
        "oldest_age_s": round(max(age, 0.0), 1),
        "max_age_s": max_age,
    }


CHECKS = {"database": check_database, "queue": check_queue}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Check] = {}
    for name, check in CHECKS.items():
        if checks and not all(c["ok"] for c in checks.values()):
            checks[name] = {"ok": False, "error": "skipped"}  # the database is down: no second wait
            continue
        try:
            checks[name] = check()
        except Exception as exc:
            logger.exception("healthz: the %s check failed", name)
            checks[name] = {"ok": False, "error": type(exc).__name__}
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
