"""Writes of the free promotion: providers' news posts and photos, editors hiding them, and
editors' featured picks. Each write is one transaction with its audit log entry."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.accounts.models import User
from kruzhok.catalog.models import Activity, Direction, Organization, Status
from kruzhok.core.services import audit_log
from kruzhok.events.models import Event
from kruzhok.promotion.models import (
    HIDE_REASON_MAX,
    PHOTO_CAPTION_MAX,
    POST_BODY_MAX,
    POST_TITLE_MAX,
    Featured,
    Hideable,
    OrganizationPhoto,
    OrganizationPost,
)


def _check_post(title: str, body: str) -> None:
    # Forms already say this in words; here it guards every other caller (imports, the shell).
    if not title.strip() or len(title) > POST_TITLE_MAX or not body.strip() or len(body) > POST_BODY_MAX:
        raise ValidationError(_("Заголовок и текст новости обязательны и не длиннее допустимого."))


def _check_caption(caption: str) -> None:
    if len(caption) > PHOTO_CAPTION_MAX:
        raise ValidationError(_("Подпись слишком длинная."))


@transaction.atomic
def post_create(*, organization: Organization, author: User, title: str, body: str) -> OrganizationPost:
    _check_post(title, body)
    post = OrganizationPost.objects.create(
        organization=organization, author=author, title=title, body=body, published_at=timezone.now()
    )
    audit_log(action="promotion.post.created", obj=post, actor=author, data={"organization": organization.pk})
    return post


@transaction.atomic
def post_update(*, post: OrganizationPost, actor: User, title: str, body: str) -> OrganizationPost:
    _check_post(title, body)
    changed = [name for name, value in (("title", title), ("body", body)) if getattr(post, name) != value]
    post.title, post.body = title, body
    post.save(update_fields=["title", "body", "updated_at"])
    audit_log(action="promotion.post.updated", obj=post, actor=actor, data={"fields": changed})
    return post


@transaction.atomic
def post_delete(*, post: OrganizationPost, actor: User) -> None:
    audit_log(
        action="promotion.post.deleted",
        obj=post,
        actor=actor,
        data={"organization": post.organization_id, "title": post.title},
    )
    post.delete()


def photo_add(
    *, organization: Organization, author: User, image: ContentFile, caption: str = ""
) -> OrganizationPhoto:
    """`image` is already re-encoded (kruzhok.core.images.reencode_image): never the upload itself.

    The file is written before its row; when any later step fails (the row, the audit log) the
    transaction rolls back and the file is deleted with it. (Inside a caller's transaction that
    rolls back later, the file stays: no caller does that.)"""
    _check_caption(caption)
    stored = ""
    try:
        with transaction.atomic():
            last = OrganizationPhoto.objects.filter(organization=organization).aggregate(m=Max("position"))[
                "m"
            ]
            photo = OrganizationPhoto(
                organization=organization,
                author=author,
                caption=caption,
                position=0 if last is None else last + 1,
            )
            photo.image.save(image.name or "photo.jpg", image, save=False)
            stored = photo.image.name or ""
            photo.save()
            audit_log(
                action="promotion.photo.added",
                obj=photo,
                actor=author,
                data={"organization": organization.pk, "file": stored},
            )
    except BaseException:
        if stored:
            default_storage.delete(stored)  # no row, no file
        raise
    return photo


@transaction.atomic
def photo_update(*, photo: OrganizationPhoto, actor: User, caption: str) -> OrganizationPhoto:
    _check_caption(caption)
    photo.caption = caption
    photo.save(update_fields=["caption", "updated_at"])
    audit_log(action="promotion.photo.updated", obj=photo, actor=actor, data={"caption": caption})
    return photo


@transaction.atomic
def photo_move(*, photo: OrganizationPhoto, actor: User, step: int) -> OrganizationPhoto:
    """Swap the photo with its neighbour (`step` -1: earlier, +1: later); renumbers the gallery."""
    photos = list(OrganizationPhoto.objects.select_for_update().filter(organization_id=photo.organization_id))
    index = next((i for i, p in enumerate(photos) if p.pk == photo.pk), None)
    if index is None:
        return photo  # deleted meanwhile (by another tab or an editor): nothing left to move
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(photos):
        photos[index], photos[other] = photos[other], photos[index]
    for position, each in enumerate(photos):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position", "updated_at"])
    audit_log(action="promotion.photo.moved", obj=photo, actor=actor, data={"step": step})
    photo.refresh_from_db()
    return photo


@transaction.atomic
def photo_delete(*, photo: OrganizationPhoto, actor: User) -> None:
    name = photo.image.name
    audit_log(
        action="promotion.photo.deleted",
        obj=photo,
        actor=actor,
        data={"organization": photo.organization_id, "file": name},
    )
    photo.delete()
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: default_storage.delete(name) if name else None)


def _kind(item: Hideable) -> str:
    return "post" if isinstance(item, OrganizationPost) else "photo"


def _new_photo_name(old: str) -> str:
    """A fresh unguessable name beside the old one: the old URL was public and may be known."""
    folder, _sep, filename = old.rpartition("/")
    suffix = PurePosixPath(filename).suffix.lower() or ".jpg"
    name = f"{secrets.token_urlsafe(16)}{suffix}"
    return f"{folder}/{name}" if folder else name


def item_hide(*, item: OrganizationPost | OrganizationPhoto, editor: User, reason: str) -> None:
    """Hide a post or photo from the public. A photo's file also moves to a new random name, so its
    old /media/ URL (already shown, maybe shared) stops working; the provider sees it under the new
    one. The old file goes after the commit; the new one is deleted if the transaction fails."""
    reason = reason.strip()
    if not reason or len(reason) > HIDE_REASON_MAX:
        raise ValidationError(_("Нужна причина не длиннее %(n)s знаков.") % {"n": HIDE_REASON_MAX})
    moved_to, old = "", ""
    storage = default_storage
    try:
        with transaction.atomic():
            fields = ["hidden_at", "hidden_by", "hidden_reason", "updated_at"]
            if isinstance(item, OrganizationPhoto) and item.image.name and item.hidden_at is None:
                old, storage = item.image.name, item.image.storage
                if storage.exists(old):  # a file already lost is no reason to keep the photo public
                    with storage.open(old, "rb") as content:
                        moved_to = storage.save(_new_photo_name(old), content)
                    item.image.name = moved_to
                    fields.append("image")
                    transaction.on_commit(lambda: storage.delete(old))
            item.hidden_at, item.hidden_by, item.hidden_reason = timezone.now(), editor, reason
            item.save(update_fields=fields)
            audit_log(
                action=f"promotion.{_kind(item)}.hidden", obj=item, actor=editor, data={"reason": reason}
            )
    except BaseException:
        if moved_to and isinstance(item, OrganizationPhoto):
            storage.delete(moved_to)
            item.image.name = old
        raise


@transaction.atomic
def item_unhide(*, item: OrganizationPost | OrganizationPhoto, editor: User) -> None:
    previous = item.hidden_reason
    item.hidden_at, item.hidden_by, item.hidden_reason = None, None, ""
    item.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    audit_log(action=f"promotion.{_kind(item)}.shown", obj=item, actor=editor, data={"reason_was": previous})


@transaction.atomic
def featured_add(
    *,
    editor: User,
    direction: Direction | None,
    activity: Activity | None = None,
    event: Event | None = None,
    starts_on: date,
    ends_on: date,
    position: int = 0,
) -> Featured:
    if (activity is None) == (event is None):
        raise ValidationError(_("Выберите либо занятие, либо событие."))
    if ends_on < starts_on:
        raise ValidationError(_("Дата окончания раньше даты начала."))
    if ends_on < timezone.localdate():
        raise ValidationError(_("Дата окончания уже прошла."))
    if activity is not None and activity.status != Status.PUBLISHED:
        raise ValidationError(_("Занятие не опубликовано."))
    if event is not None and event.status != Event.Status.PUBLISHED:
        raise ValidationError(_("Событие отменено."))
    pick = Featured.objects.create(
        direction=direction,
        activity=activity,
        event=event,
        starts_on=starts_on,
        ends_on=ends_on,
        position=position,
        created_by=editor,
    )
    audit_log(
        action="promotion.featured.created",
        obj=pick,
        actor=editor,
        data={
            "direction": direction.slug if direction else None,
            "activity": activity.pk if activity else None,
            "event": event.pk if event else None,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return pick


@transaction.atomic
def featured_remove(*, featured: Featured, editor: User) -> None:
    audit_log(
        action="promotion.featured.removed",
        obj=featured,
        actor=editor,
        data={"activity": featured.activity_id, "event": featured.event_id},
    )
    featured.delete()
