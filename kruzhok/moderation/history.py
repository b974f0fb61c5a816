"""Reads for an activity's version history: the versions, and what each one changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kruzhok.catalog.models import Activity
from kruzhok.moderation.humanize import FIELD_LABELS, Humanizer
from kruzhok.moderation.models import ActivityVersion
from kruzhok.moderation.versions import activity_snapshot

MAX_VERSIONS = 200


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class VersionRow:
    version: ActivityVersion
    changes: list[FieldChange]
    is_current: bool


def version_changes(
    before: dict[str, Any] | None, after: dict[str, Any], human: Humanizer
) -> list[FieldChange]:
    changes = []
    for name, label in FIELD_LABELS.items():
        old = before.get(name) if before is not None else None
        new = after.get(name)
        if before is None:
            if new in (None, "", []):
                continue
        elif old == new:
            continue
        changes.append(FieldChange(name, str(label), human(name, old), human(name, new)))
    return changes


def activity_history(activity: Activity) -> list[VersionRow]:
    """Newest first; each version with the fields it changed against the one before it."""
    versions = list(
        ActivityVersion.objects.filter(activity=activity)
        .select_related("actor")
        .order_by("number")[:MAX_VERSIONS]
    )
    human = Humanizer()
    rows = []
    previous: dict[str, Any] | None = None
    for index, version in enumerate(versions):
        rows.append(
            VersionRow(
                version=version,
                changes=version_changes(previous, version.data, human),
                is_current=index == len(versions) - 1,
            )
        )
        previous = version.data
    return list(reversed(rows))


def revert_preview(version: ActivityVersion) -> list[FieldChange]:
    """What reverting to `version` would change in the activity as it is now."""
    current = activity_snapshot(Activity.objects.get(pk=version.activity_id))
    return version_changes(current, version.data, Humanizer())
