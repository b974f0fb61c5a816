"""Services for citizens' suggestions: submit a new entry or an edit, and an editor's decision.

Nothing a citizen submits touches the catalog; only `suggestion_accept` does, in one transaction
that locks the suggestion (two editors cannot both decide) and, for an edit, the activity.
Each decision is versioned, audited, and mailed to the author in their language (the mail is queued
in the decision's transaction: it exists exactly when the decision does).
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kruzhok.accounts.models import User
from kruzhok.catalog.models import (
    Activity,
    Category,
    Direction,
    Group,
    Organization,
    ScheduleSlot,
    Status,
    Venue,
)
from kruzhok.catalog.services import venue_for_address
from kruzhok.core.emails import send_mail
from kruzhok.core.services import audit_log
from kruzhok.imports.schedule import parse_schedule
from kruzhok.moderation import selectors
from kruzhok.moderation.models import EDITABLE_FIELDS, ActivityVersion, Decision, Suggestion
from kruzhok.moderation.versions import ACTIVITY_FIELDS, version_baseline, version_record
from kruzhok.search.index import index_activities


class SuggestionError(ValueError):
    """A decision that cannot be made; the message says why, in Russian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- submitting ------------------------------------------------------------------------------


def suggestion_submit_new(*, author: User, data: dict[str, Any], note: str = "") -> Suggestion:
    with transaction.atomic():
        suggestion = Suggestion.objects.create(
            kind=Suggestion.Kind.NEW_ACTIVITY, author=author, data=data, note=note
        )
        audit_log(
            action="moderation.suggestion.submitted", obj=suggestion, actor=author, data={"kind": "new"}
        )
    return suggestion


def suggestion_submit_edit(
    *,
    author: User,
    activity: Activity,
    data: dict[str, Any],
    original: dict[str, Any],
    note: str = "",
) -> Suggestion:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if not data or unknown:
        raise SuggestionError(_("В правке нет полей, которые можно изменить."))
    with transaction.atomic():
        suggestion = Suggestion.objects.create(
            kind=Suggestion.Kind.EDIT,
            author=author,
            activity=activity,
            data=data,
            original=original,
            note=note,
        )
        audit_log(
            action="moderation.suggestion.submitted",
            obj=suggestion,
            actor=author,
            data={"kind": "edit", "activity": activity.pk, "fields": sorted(data)},
        )
    return suggestion


# --- deciding --------------------------------------------------------------------------------


def _locked_pending(suggestion: Suggestion) -> Suggestion:
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not locked.is_pending:
        raise SuggestionError(_("По этому предложению уже принято решение."))
    return locked


def _decide(suggestion: Suggestion, *, editor: User, status: str, reason: str = "") -> None:
    suggestion.status = status
    suggestion.decided_by = editor
    suggestion.decided_at = timezone.now()
    suggestion.reason = reason
    suggestion.save()


def suggestion_accept(
    *,
    suggestion: Suggestion,
    editor: User,
    fields: list[str] | None = None,
    corrections: dict[str, Any] | None = None,
) -> Suggestion:
    """Apply the suggestion: all of an edit's fields or the `fields` ticked; a new entry with the
    editor's `corrections` to its activity fields. Raises SuggestionError when it cannot."""
    with transaction.atomic():
        locked = _locked_pending(suggestion)
        if locked.kind == Suggestion.Kind.NEW_ACTIVITY:
            activity = _create_from_payload(locked, editor=editor, corrections=corrections or {})
            _decide(locked, editor=editor, status=Decision.ACCEPTED)
            action = "moderation.suggestion.accepted"
            data: dict[str, Any] = {"activity": activity.pk, "corrected": sorted(corrections or {})}
        else:
            chosen = list(locked.data) if fields is None else [f for f in EDITABLE_FIELDS if f in fields]
            if not chosen or set(chosen) - set(locked.data):
                raise SuggestionError(_("Отметьте поля, которые принимаете."))
            activity = _apply_edit(locked, editor=editor, fields=chosen)
            partly = set(chosen) != set(locked.data)
            locked.accepted_fields = chosen
            _decide(locked, editor=editor, status=Decision.PARTLY if partly else Decision.ACCEPTED)
            action = "moderation.suggestion.partly" if partly else "moderation.suggestion.accepted"
            data = {"activity": activity.pk, "fields": chosen}
        audit_log(action=action, obj=locked, actor=editor, data=data)
        _mail_author(locked.pk)
    return locked


def suggestion_reject(*, suggestion: Suggestion, editor: User, reason: str) -> Suggestion:
    reason = (reason or "").strip()
    if not reason:
        raise SuggestionError(_("Напишите причину отказа: автор получит её письмом."))
    with transaction.atomic():
        locked = _locked_pending(suggestion)
        _decide(locked, editor=editor, status=Decision.REJECTED, reason=reason)
        audit_log(
            action="moderation.suggestion.rejected", obj=locked, actor=editor, data={"reason": reason[:500]}
        )
        _mail_author(locked.pk)
    return locked


# --- applying --------------------------------------------------------------------------------


def _direction(slug: Any) -> Direction:
    found = Direction.objects.filter(slug=slug).first()
    if found is None:
        raise SuggestionError(_("Неизвестная направленность «%(slug)s».") % {"slug": str(slug)[:40]})
    return found


def _replace_schedule(activity: Activity, text: str) -> None:
    slots = parse_schedule(text) if text else []
    group = Group.objects.filter(activity=activity).order_by("id").first()
    # One timetable in the suggestion: the first group keeps its name and ages, others go.
    others = Group.objects.filter(activity=activity)
    (others.exclude(pk=group.pk) if group else others).delete()
    if group is None and slots:
        group = Group.objects.create(activity=activity)
    if group is None:
        return
    ScheduleSlot.objects.filter(group=group).delete()
    ScheduleSlot.objects.bulk_create(
        [
            ScheduleSlot(group=group, weekday=s.weekday, starts_at=s.starts_at, ends_at=s.ends_at)
            for s in slots
        ]
    )


def _check_ages(activity: Activity) -> None:
    if activity.age_min > activity.age_max:
        raise SuggestionError(
            _(
                "После правки возраст «от» (%(low)s) больше возраста «до» (%(high)s): примите оба поля или ни одного."
            )
            % {"low": activity.age_min, "high": activity.age_max}
        )


def _apply_edit(suggestion: Suggestion, *, editor: User, fields: list[str]) -> Activity:
    if suggestion.activity_id is None:
        raise SuggestionError(_("Занятия, к которому относится правка, больше нет."))
    activity = Activity.objects.select_for_update().get(pk=suggestion.activity_id)
    version_baseline(activity=activity)
    values = suggestion.data
    for name in fields:
        value = values[name]
        if name in ACTIVITY_FIELDS:
            setattr(activity, name, value)
        elif name == "direction":
            activity.direction = _direction(value)
        elif name == "address" and value:
            activity.venue = venue_for_address(organization=activity.organization, address=value)
        elif name == "address":
            activity.venue = None
    _check_ages(activity)
    activity.save()
    if "categories" in fields:
        activity.categories.set(Category.objects.filter(slug__in=values["categories"]))
    if "schedule" in fields:
        _replace_schedule(activity, values["schedule"])
    index_activities([activity.pk])  # slots are written in bulk: no signal re-indexes them
    version_record(
        activity=activity, actor=editor, action=ActivityVersion.Action.SUGGESTION, note=f"#{suggestion.pk}"
    )
    return activity


def _organization_for(payload: dict[str, Any]) -> Organization:
    if "id" in payload:
        found = Organization.objects.live().filter(pk=payload["id"]).first()
        if found is None:
            raise SuggestionError(_("Организации из предложения больше нет на сайте."))
        return found
    inn = payload.get("inn", "")
    if inn:
        by_inn = Organization.objects.filter(inn=inn).first()
        if by_inn is not None:
            return by_inn
    return Organization.objects.create(
        name=str(payload.get("name", ""))[:300],
        kind=payload.get("kind") or Organization.Kind.PUBLIC,
        inn=inn,
        phone=payload.get("phone", ""),
        email=payload.get("email", ""),
        website=payload.get("website", ""),
        status=Status.PUBLISHED,
    )


def _create_from_payload(suggestion: Suggestion, *, editor: User, corrections: dict[str, Any]) -> Activity:
    data = copy.deepcopy(suggestion.data)
    fields = {**data.get("activity", {}), **corrections}
    organization = _organization_for(data.get("organization", {}))
    venue_data = data.get("venue") or {}
    venue = None
    if "id" in venue_data:
        venue = Venue.objects.filter(pk=venue_data["id"], organization=organization).first()
    elif venue_data.get("address"):
        venue = venue_for_address(
            organization=organization,
            address=venue_data["address"],
            lat=venue_data.get("lat"),
            lon=venue_data.get("lon"),
        )
    activity = Activity(
        organization=organization,
        venue=venue,
        direction=_direction(fields.get("direction")),
        status=Status.PUBLISHED,
        verified_at=timezone.now(),
        **{name: fields[name] for name in ACTIVITY_FIELDS if name in fields},
    )
    _check_ages(activity)
    activity.save()
    activity.categories.set(Category.objects.filter(slug__in=fields.get("categories", [])))
    if fields.get("schedule"):
        group = Group.objects.create(activity=activity)
        ScheduleSlot.objects.bulk_create(
            [
                ScheduleSlot(group=group, weekday=s.weekday, starts_at=s.starts_at, ends_at=s.ends_at)
                for s in parse_schedule(fields["schedule"])
            ]
        )
    index_activities([activity.pk])
    suggestion.activity = activity
    suggestion.data = {**data, "activity": fields}
    version_record(
        activity=activity, actor=editor, action=ActivityVersion.Action.SUGGESTION, note=f"#{suggestion.pk}"
    )
    return activity


# --- telling the author ----------------------------------------------------------------------


def _mail_author(suggestion_id: int) -> None:
    suggestion = Suggestion.objects.select_related("author", "activity").get(pk=suggestion_id)
    author = suggestion.author
    if author is None or not author.email or not author.is_active:
        return
    templates: dict[str, str] = {
        Decision.ACCEPTED: "emails/suggestion_accepted",
        Decision.PARTLY: "emails/suggestion_partly",
        Decision.REJECTED: "emails/suggestion_rejected",
    }
    template = templates.get(suggestion.status)
    if template is None:
        return
    language = getattr(author, "language", None)
    with translation.override(language or settings.LANGUAGE_CODE):
        accepted = [selectors.field_label(name) for name in suggestion.accepted_fields]
        declined = [
            selectors.field_label(name) for name in suggestion.data if name not in suggestion.accepted_fields
        ]
    activity = suggestion.activity
    send_mail(
        template=template,
        key=f"suggestion_decided:{author.pk}:{suggestion.pk}",  # a suggestion is decided once
        to=author.email,
        language=language,
        context={
            "user": author,
            "suggestion": suggestion,
            "title": selectors.suggestion_title(suggestion),
            "activity_url": activity.get_absolute_url() if activity and activity.is_live else "",
            "accepted_fields": accepted,
            "declined_fields": declined if suggestion.kind == Suggestion.Kind.EDIT else [],
            "reason": suggestion.reason,
        },
        category="moderation",
    )
