"""Writes of the city's offer (coverage targets), kept apart from the counters' services."""

from __future__ import annotations

from django.db import transaction

from kruzhok.accounts.models import User
from kruzhok.analytics.models import CoverageTarget
from kruzhok.core.services import audit_log


def coverage_targets_set(*, targets: dict[tuple[int, int], int | None], editor: User) -> int:
    """Set (okrug_id, direction_id) → expected live entries; None removes a target. Returns how
    many cells changed; one audit line lists them all."""
    changes: list[dict[str, int | None]] = []
    with transaction.atomic():
        current = {
            (row.okrug_id, row.direction_id): row
            for row in CoverageTarget.objects.select_for_update().filter(
                okrug_id__in={okrug for okrug, _d in targets}, direction_id__in={d for _o, d in targets}
            )
        }
        for (okrug_id, direction_id), expected in targets.items():
            row = current.get((okrug_id, direction_id))
            before = None if row is None else row.expected
            if before == expected:
                continue
            if expected is None:
                assert row is not None  # noqa: S101 - before != expected, so a row exists  # nosec B101
                row.delete()
            elif row is None:
                CoverageTarget.objects.create(
                    okrug_id=okrug_id, direction_id=direction_id, expected=expected, updated_by=editor
                )
            else:
                row.expected, row.updated_by = expected, editor
                row.save(update_fields=["expected", "updated_by", "updated_at"])
            changes.append({"okrug": okrug_id, "direction": direction_id, "from": before, "to": expected})
        if changes:
            audit_log(
                action="analytics.coverage_targets.changed",
                object_type="analytics.coveragetarget",
                object_id="grid",
                actor=editor,
                data={"changes": changes},
            )
    return len(changes)
