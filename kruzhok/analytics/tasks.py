"""Background jobs of the analytics app (Django's tasks API; see kruzhok/notifications/tasks.py)."""

from __future__ import annotations

from django.tasks import task

from kruzhok.analytics.services import analytics_aggregate


@task
def aggregate_analytics(days: int | None = None) -> dict[str, int]:
    """The roll-up as a job, for a worker that schedules it instead of cron; safe to run twice."""
    summary = analytics_aggregate(days=days)
    return {
        "days": len(summary.days),
        "page_views_deleted": summary.page_views_deleted,
        "searches_deleted": summary.searches_deleted,
        "salts_deleted": summary.salts_deleted,
    }
