"""Demo city offer for `seed_demo`: a coverage target for every okrug and direction, a little
above what the demo catalog has, so the dashboard's coverage grid shows gaps to fill. Targets an
editor already set are left alone."""

from __future__ import annotations

from django.db.models import Count

from kruzhok.analytics.models import CoverageTarget
from kruzhok.catalog.models import Activity, Direction
from kruzhok.places.models import District


def demo_coverage_targets(*, source: str) -> int:
    """Create the missing targets; returns how many."""
    counts = {
        (row["venue__district_id"], row["direction_id"]): row["n"]
        for row in Activity.objects.live()
        .filter(source=source, venue__district__isnull=False)
        .values("venue__district_id", "direction_id")
        .annotate(n=Count("id"))
    }
    okrugs = list(
        District.objects.filter(kind=District.Kind.OKRUG, venues__activities__source=source).distinct()
    )
    directions = list(Direction.objects.all())
    taken = set(CoverageTarget.objects.values_list("okrug_id", "direction_id"))
    targets = []
    for okrug in okrugs:
        for direction in directions:
            if (okrug.pk, direction.pk) in taken:
                continue
            # 30 % above today's offer, rounded up to fives: the kind of figure a city plan states.
            have = counts.get((okrug.pk, direction.pk), 0)
            expected = max(5, -(-int(have * 1.3) // 5) * 5)
            targets.append(CoverageTarget(okrug=okrug, direction=direction, expected=expected))
    CoverageTarget.objects.bulk_create(targets)
    return len(targets)
