"""The lead's version history helpers: baseline, snapshot, record and revert."""

from __future__ import annotations

import pytest

from kruzhok.catalog.models import Activity, Group, ScheduleSlot
from kruzhok.catalog.tests import factories as catalog
from kruzhok.moderation.history import activity_history
from kruzhok.moderation.models import ActivityVersion
from kruzhok.moderation.versions import activity_revert, activity_snapshot, version_baseline, version_record

pytestmark = pytest.mark.django_db


def test_snapshot_holds_fields_slugs_venue_groups_and_schedule_text():
    activity = catalog.activity(title="Плавание", categories=["swimming"], price_rub=800)
    data = activity_snapshot(activity)
    assert data["title"] == "Плавание" and data["price_rub"] == 800
    assert data["direction"] == "sport" and data["categories"] == ["swimming"]
    assert data["venue_id"] == activity.venue_id and data["address"] == activity.venue.address
    assert data["groups"][0]["slots"] == [[0, "15:00", "16:30"], [2, "15:00", "16:30"]]
    assert data["schedule"] == "Пн,Ср 15:00-16:30"


def test_baseline_is_stored_once_and_says_where_the_entry_came_from():
    imported = catalog.activity(source="education", external_id="42")
    version_baseline(activity=imported)
    version_baseline(activity=imported)
    assert list(ActivityVersion.objects.filter(activity=imported).values_list("number", "action")) == [
        (1, "imported")
    ]
    made = catalog.activity()
    version_baseline(activity=made)
    assert ActivityVersion.objects.get(activity=made).action == "created"


def test_record_numbers_versions_and_history_diffs_consecutive_ones(editor):
    activity = catalog.activity(price_rub=1000)
    version_baseline(activity=activity)
    activity.price_rub = 1200
    activity.save()
    version_record(activity=activity, actor=editor, action=ActivityVersion.Action.EDITOR)
    activity.title = "Новое название"
    activity.save()
    version_record(activity=activity, actor=None, action=ActivityVersion.Action.EDITOR, note="x" * 400)
    rows = activity_history(activity)
    assert [row.version.number for row in rows] == [3, 2, 1]
    assert [(c.field, c.before, c.after) for c in rows[1].changes] == [("price_rub", "1000", "1200")]
    assert [c.field for c in rows[0].changes] == ["title"] and rows[0].is_current
    assert len(rows[0].version.note) == 300
    assert rows[2].changes and not rows[2].is_current  # the first version lists what it held


def test_revert_to_an_old_version_keeps_the_history_and_adds_to_it(editor):
    activity = catalog.activity(price_rub=500)
    version_baseline(activity=activity)
    Group.objects.filter(activity=activity).delete()
    activity.price_rub = 700
    activity.ovz = True
    activity.save()
    activity.categories.set([catalog.category("chess")])
    version_record(activity=activity, actor=editor, action=ActivityVersion.Action.EDITOR)
    first = ActivityVersion.objects.get(activity=activity, number=1)
    recorded = activity_revert(version=first, editor=editor)
    restored = Activity.objects.get(pk=activity.pk)
    assert restored.price_rub == 500 and not restored.ovz
    assert list(restored.categories.values_list("slug", flat=True)) == ["football"]
    assert ScheduleSlot.objects.filter(group__activity=restored).count() == 2
    assert recorded.number == 3 and ActivityVersion.objects.filter(activity=activity).count() == 3


def test_revert_keeps_the_current_venue_when_the_old_one_is_gone(editor):
    activity = catalog.activity()
    version_baseline(activity=activity)
    old_venue = activity.venue
    activity.venue = catalog.venue(activity.organization, address="улица Новая, 1")
    activity.save()
    version_record(activity=activity, actor=editor, action=ActivityVersion.Action.EDITOR)
    new_venue_id = activity.venue_id
    activity.price_rub = 999
    activity.save()
    old_venue.delete()
    activity_revert(version=ActivityVersion.objects.get(activity=activity, number=1), editor=editor)
    restored = Activity.objects.get(pk=activity.pk)
    assert restored.venue_id == new_venue_id and restored.price_rub == 0
