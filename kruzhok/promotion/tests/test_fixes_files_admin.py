"""Files and audit around photos: the admin's deletes (single and bulk) go through the services,
a hidden photo leaves its public URL, a failed upload leaves no file, and moving a photo that
was deleted meanwhile is not a 500."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from kruzhok.core.models import AuditLog
from kruzhok.promotion import services
from kruzhok.promotion.models import Featured, OrganizationPhoto, OrganizationPost

from .test_posts import make_photo, make_post, png

pytestmark = pytest.mark.django_db


def bulk_delete(admin_client, model: str, pks: list[int]):
    data = {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
    return admin_client.post(f"/admin/promotion/{model}/", data)


def test_admin_bulk_delete_of_photos_is_audited_and_removes_files(
    admin_client, org_x, provider_x, django_capture_on_commit_callbacks
):
    photos = [make_photo(org_x, provider_x, caption=c) for c in "ab"]
    names = [p.image.name for p in photos]
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk_delete(admin_client, "organizationphoto", [p.pk for p in photos]).status_code == 302
    assert not OrganizationPhoto.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
    assert AuditLog.objects.filter(action="promotion.photo.deleted").count() == 2


def test_admin_single_photo_delete_removes_its_file(
    admin_client, org_x, provider_x, django_capture_on_commit_callbacks
):
    photo = make_photo(org_x, provider_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/promotion/organizationphoto/{photo.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert not default_storage.exists(photo.image.name)
    assert AuditLog.objects.filter(action="promotion.photo.deleted", object_id=str(photo.pk)).exists()


def test_admin_bulk_delete_of_posts_and_picks_is_audited(admin_client, org_x, provider_x, editor, activity_x):
    posts = [make_post(org_x, provider_x, title=t) for t in ("Набор", "Концерт")]
    today = timezone.localdate()
    pick = services.featured_add(
        editor=editor, direction=None, activity=activity_x, starts_on=today, ends_on=today + timedelta(days=3)
    )
    assert bulk_delete(admin_client, "organizationpost", [p.pk for p in posts]).status_code == 302
    assert bulk_delete(admin_client, "featured", [pick.pk]).status_code == 302
    assert not OrganizationPost.objects.exists() and not Featured.objects.exists()
    assert AuditLog.objects.filter(action="promotion.post.deleted").count() == 2
    assert AuditLog.objects.filter(action="promotion.featured.removed", object_id=str(pick.pk)).exists()


def test_hiding_a_photo_moves_its_file_so_the_old_url_stops_working(
    client, org_x, provider_x, editor, django_capture_on_commit_callbacks
):
    photo = make_photo(org_x, provider_x)
    old = photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        services.item_hide(item=photo, editor=editor, reason="Фото чужого ребёнка без согласия")
    photo.refresh_from_db()
    assert photo.image.name != old and photo.image.name.startswith("organizations/photos/")
    assert not default_storage.exists(old)
    assert default_storage.exists(photo.image.name)
    assert photo.is_hidden and (photo.width, photo.height) == (40, 30)
    # Shown again, it stays under the new name.
    services.item_unhide(item=photo, editor=editor)
    photo.refresh_from_db()
    assert default_storage.exists(photo.image.name)


def test_a_failed_hide_keeps_the_old_file_and_leaves_no_copy(
    org_x, provider_x, editor, django_capture_on_commit_callbacks
):
    photo = make_photo(org_x, provider_x)
    old = photo.image.name
    before = set(default_storage.listdir(old.rsplit("/", 1)[0])[1])
    with (
        django_capture_on_commit_callbacks(execute=True),
        mock.patch.object(services, "audit_log", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        services.item_hide(item=photo, editor=editor, reason="Причина")
    assert default_storage.exists(old)
    assert set(default_storage.listdir(old.rsplit("/", 1)[0])[1]) == before
    photo.refresh_from_db()
    assert photo.image.name == old and not photo.is_hidden


def test_a_failed_photo_add_leaves_no_file(org_x, provider_x):
    from kruzhok.core.images import reencode_image

    with (
        mock.patch.object(services, "audit_log", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        services.photo_add(organization=org_x, author=provider_x, image=reencode_image(png()))
    assert not OrganizationPhoto.objects.exists()
    folder = default_storage.path("organizations/photos")
    import os

    assert not any(files for _root, _dirs, files in os.walk(folder))


def test_moving_a_photo_deleted_meanwhile_is_harmless(org_x, provider_x):
    photo, other = make_photo(org_x, provider_x), make_photo(org_x, provider_x)
    OrganizationPhoto.objects.filter(pk=photo.pk).delete()  # another tab, after the permission check
    assert services.photo_move(photo=photo, actor=provider_x, step=1) is photo
    assert OrganizationPhoto.objects.get().pk == other.pk
    assert not AuditLog.objects.filter(action="promotion.photo.moved").exists()
