"""Organization news posts and photos: who may write them, what is refused, what the public sees."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from kruzhok.catalog.tests.personas import XSS, signed_in, unsafe
from kruzhok.core.models import AuditLog
from kruzhok.promotion import services
from kruzhok.promotion.models import POST_BODY_MAX, POST_TITLE_MAX, OrganizationPhoto, OrganizationPost

pytestmark = pytest.mark.django_db


def png(size: tuple[int, int] = (40, 30), name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def jpeg_with_gps() -> SimpleUploadedFile:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (54.0, 59.0, 0.0)}  # GPSInfo
    exif[0x010E] = "secret note"
    Image.new("RGB", (50, 40), "red").save(out, "JPEG", exif=exif)
    return SimpleUploadedFile("camera.jpg", out.getvalue(), content_type="image/jpeg")


def make_post(org, author, title="Набор в группы", body="Открыт набор на новый сезон.") -> OrganizationPost:
    return services.post_create(organization=org, author=author, title=title, body=body)


def make_photo(org, author, caption="Зал для занятий") -> OrganizationPhoto:
    from kruzhok.core.images import reencode_image

    return services.photo_add(organization=org, author=author, image=reencode_image(png()), caption=caption)


# --- services


def test_post_create_publishes_now_and_writes_the_audit_log(org_x, provider_x):
    post = make_post(org_x, provider_x)
    assert post.published_at is not None and not post.is_hidden
    entry = AuditLog.objects.get(action="promotion.post.created")
    assert entry.object_id == str(post.pk) and entry.actor_id == provider_x.pk


def test_post_update_and_delete_are_audited(org_x, provider_x):
    post = make_post(org_x, provider_x)
    services.post_update(post=post, actor=provider_x, title="Новый заголовок", body=post.body)
    assert AuditLog.objects.get(action="promotion.post.updated").data == {"fields": ["title"]}
    services.post_delete(post=post, actor=provider_x)
    assert not OrganizationPost.objects.exists()
    assert AuditLog.objects.filter(action="promotion.post.deleted").exists()


def test_post_services_refuse_empty_or_over_long_text(org_x, provider_x):
    from django.core.exceptions import ValidationError

    for title, body in (
        ("", "текст"),
        ("x" * (POST_TITLE_MAX + 1), "текст"),
        ("Заголовок", "x" * (POST_BODY_MAX + 1)),
    ):
        with pytest.raises(ValidationError):
            services.post_create(organization=org_x, author=provider_x, title=title, body=body)
    assert not OrganizationPost.objects.exists()


def test_photo_is_stored_re_encoded_without_metadata(org_x, provider_x):
    from kruzhok.core.images import reencode_image

    photo = services.photo_add(organization=org_x, author=provider_x, image=reencode_image(jpeg_with_gps()))
    with default_storage.open(photo.image.name) as stored, Image.open(stored) as picture:
        assert picture.format == "JPEG" and not picture.getexif()
    assert (photo.width, photo.height) == (50, 40)
    assert photo.image.name.startswith("organizations/photos/") and "camera" not in photo.image.name
    assert AuditLog.objects.filter(action="promotion.photo.added", object_id=str(photo.pk)).exists()


def test_photos_get_increasing_positions_and_move_swaps_neighbours(org_x, provider_x):
    first, second, third = (make_photo(org_x, provider_x, caption=c) for c in "abc")
    assert [first.position, second.position, third.position] == [0, 1, 2]
    services.photo_move(photo=third, actor=provider_x, step=-1)
    assert list(OrganizationPhoto.objects.filter(organization=org_x).values_list("caption", flat=True)) == [
        "a",
        "c",
        "b",
    ]
    services.photo_move(photo=first, actor=provider_x, step=-1)  # already first: stays
    assert OrganizationPhoto.objects.get(pk=first.pk).position == 0


def test_deleting_a_photo_removes_its_file_after_commit(
    org_x, provider_x, django_capture_on_commit_callbacks
):
    photo = make_photo(org_x, provider_x)
    name = photo.image.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_delete(photo=photo, actor=provider_x)
    assert not default_storage.exists(name)
    assert AuditLog.objects.filter(action="promotion.photo.deleted").exists()


def test_hide_and_show_again_record_editor_and_reason(org_x, provider_x, editor):
    post = make_post(org_x, provider_x)
    services.item_hide(item=post, editor=editor, reason="Реклама стороннего магазина")
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_by == editor and post.hidden_reason == "Реклама стороннего магазина"
    assert not OrganizationPost.objects.visible().exists()
    services.item_unhide(item=post, editor=editor)
    post.refresh_from_db()
    assert not post.is_hidden and post.hidden_reason == ""
    assert [e.action for e in AuditLog.objects.filter(object_id=str(post.pk)).order_by("id")] == [
        "promotion.post.created",
        "promotion.post.hidden",
        "promotion.post.shown",
    ]


# --- the permission matrix: every write URL, every persona

PERSONAS = ["anonymous", "citizen", "provider_x", "provider_y", "department_member", "editor"]
PROVIDER_OK = {"provider_x", "editor"}
EDITOR_OK = {"editor"}


@pytest.fixture
def scene(org_x, provider_x):
    post = make_post(org_x, provider_x)
    photo = make_photo(org_x, provider_x)
    hidden_post = make_post(org_x, provider_x, title="Скрытая")
    hidden_photo = make_photo(org_x, provider_x, caption="Скрытое фото")
    hidden_post.hidden_at = hidden_photo.hidden_at = post.published_at
    hidden_post.hidden_reason = hidden_photo.hidden_reason = "проверка"
    hidden_post.save()
    hidden_photo.save()
    return {
        "org": org_x,
        "post": post,
        "photo": photo,
        "hidden_post": hidden_post,
        "hidden_photo": hidden_photo,
    }


def _write(name: str, s: dict):
    """(url, data, files, done?) for each write URL."""
    org, post, photo = s["org"], s["post"], s["photo"]
    return {
        "post_new": (
            f"/manage/organizations/{org.pk}/news/posts/new/",
            {"title": "Новая", "body": "Текст"},
            lambda: OrganizationPost.objects.filter(title="Новая").exists(),
        ),
        "photo_new": (
            f"/manage/organizations/{org.pk}/news/photos/new/",
            {"image": png(), "caption": "Новое фото"},
            lambda: OrganizationPhoto.objects.filter(caption="Новое фото").exists(),
        ),
        "post_edit": (
            f"/manage/posts/{post.pk}/",
            {"title": "Исправлено", "body": "Текст"},
            lambda: OrganizationPost.objects.filter(title="Исправлено").exists(),
        ),
        "post_delete": (
            f"/manage/posts/{post.pk}/delete/",
            {},
            lambda: not OrganizationPost.objects.filter(pk=post.pk).exists(),
        ),
        "photo_caption": (
            f"/manage/photos/{photo.pk}/caption/",
            {"caption": "Другая подпись"},
            lambda: OrganizationPhoto.objects.filter(caption="Другая подпись").exists(),
        ),
        "photo_move": (
            f"/manage/photos/{photo.pk}/move/",
            {"direction": "down"},
            lambda: OrganizationPhoto.objects.get(pk=photo.pk).position == 1,
        ),
        "photo_delete": (
            f"/manage/photos/{photo.pk}/delete/",
            {},
            lambda: not OrganizationPhoto.objects.filter(pk=photo.pk).exists(),
        ),
        "post_hide": (
            f"/moderation/posts/{post.pk}/hide/",
            {"reason": "Не по теме"},
            lambda: OrganizationPost.objects.get(pk=post.pk).is_hidden,
        ),
        "photo_hide": (
            f"/moderation/photos/{photo.pk}/hide/",
            {"reason": "Не по теме"},
            lambda: OrganizationPhoto.objects.get(pk=photo.pk).is_hidden,
        ),
        "post_show": (
            f"/moderation/posts/{s['hidden_post'].pk}/show/",
            {},
            lambda: not OrganizationPost.objects.get(pk=s["hidden_post"].pk).is_hidden,
        ),
        "photo_show": (
            f"/moderation/photos/{s['hidden_photo'].pk}/show/",
            {},
            lambda: not OrganizationPhoto.objects.get(pk=s["hidden_photo"].pk).is_hidden,
        ),
    }[name]


WRITES = [
    "post_new",
    "photo_new",
    "post_edit",
    "post_delete",
    "photo_caption",
    "photo_move",
    "photo_delete",
    "post_hide",
    "photo_hide",
    "post_show",
    "photo_show",
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("write", WRITES)
def test_write_urls_permission_matrix(request, scene, write, persona):
    client = Client() if persona == "anonymous" else signed_in(request.getfixturevalue(persona))
    url, data, done = _write(write, scene)
    response = client.post(url, data)
    editor_only = write.endswith(("_hide", "_show"))
    allowed = EDITOR_OK if editor_only else PROVIDER_OK
    if persona in allowed:
        assert response.status_code == 302, response.content[:500]
        assert done()
    else:
        assert not done()
        if persona == "anonymous":
            assert response.status_code == 302 and "/account/login/" in response["Location"]
        else:
            # Another organization's objects are not found; editor pages are forbidden.
            assert response.status_code == (403 if editor_only else 404)


@pytest.mark.parametrize("persona", ["citizen", "provider_y", "department_member"])
def test_manage_page_of_another_organization_is_not_found(request, org_x, persona):
    response = signed_in(request.getfixturevalue(persona)).get(f"/manage/organizations/{org_x.pk}/news/")
    assert response.status_code == 404


def test_manage_link_is_on_the_organization_management_page(org_x, provider_x):
    response = signed_in(provider_x).get(f"/manage/organizations/{org_x.pk}/")
    assert f'href="/manage/organizations/{org_x.pk}/news/"' in response.content.decode()


# --- hostile input


@pytest.fixture
def provider_client(provider_x):
    return signed_in(provider_x)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "x" * (POST_TITLE_MAX + 1), "body": "Текст"}, "title"),
        ({"title": "Заголовок", "body": "x" * (POST_BODY_MAX + 1)}, "body"),
        ({"title": "\x00\x07\u200b", "body": "Текст"}, "title"),
        ({"title": "Заголовок", "body": "\x00 \u202e \x1b"}, "body"),
        ({"title": "", "body": ""}, "title"),
    ],
)
def test_bad_post_is_refused_with_a_message_and_nothing_saved(provider_client, org_x, data, field):
    response = provider_client.post(f"/manage/organizations/{org_x.pk}/news/posts/new/", data)
    assert response.status_code == 400
    assert response.context["post_form"].errors[field]
    assert "Проверьте поля" in response.content.decode()
    assert not OrganizationPost.objects.exists()


def test_control_characters_are_stripped_from_a_post(provider_client, org_x):
    provider_client.post(
        f"/manage/organizations/{org_x.pk}/news/posts/new/",
        {"title": "Набор\x1b в\u200b группы", "body": "Строка\x07 один\r\nСтрока два\u202e"},
    )
    post = OrganizationPost.objects.get()
    assert post.title == "Набор в группы" and post.body == "Строка один\nСтрока два"


@pytest.mark.parametrize("payload", XSS)
def test_script_in_a_post_is_shown_as_text_on_every_page(provider_client, org_x, provider_x, payload, client):
    make_post(org_x, provider_x, title=payload, body=f"До {payload} после https://example.org/путь")
    for url in (
        org_x.get_absolute_url(),
        org_x.get_absolute_url() + "news/",
        f"/manage/organizations/{org_x.pk}/news/",
    ):
        page = (client if "manage" not in url else provider_client).get(url).content.decode()
        assert unsafe(page) == [], (url, unsafe(page))
        assert 'href="https://example.org/' in page


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile(
                "logo.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>',
                content_type="image/svg+xml",
            ),
            "SVG",
        ),
        (
            SimpleUploadedFile(
                "photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
            ),
            "не изображение",
        ),
        (
            SimpleUploadedFile("report.pdf", b"%PDF-1.4 not a picture", content_type="application/pdf"),
            "не изображение",
        ),
        (SimpleUploadedFile("empty.png", b"", content_type="image/png"), ""),
    ],
)
def test_non_image_uploads_are_refused(provider_client, org_x, upload, message):
    response = provider_client.post(
        f"/manage/organizations/{org_x.pk}/news/photos/new/", {"image": upload, "caption": ""}
    )
    assert response.status_code == 400
    assert response.context["photo_form"].errors["image"]
    assert message in response.content.decode()
    assert not OrganizationPhoto.objects.exists()


def test_over_long_caption_is_refused(provider_client, org_x):
    response = provider_client.post(
        f"/manage/organizations/{org_x.pk}/news/photos/new/", {"image": png(), "caption": "x" * 201}
    )
    assert response.status_code == 400 and not OrganizationPhoto.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/manage/posts/999999/",
        "/manage/posts/999999/delete/",
        "/manage/photos/999999/delete/",
        "/manage/photos/999999/caption/",
        "/manage/organizations/999999/news/posts/new/",
    ],
)
def test_ids_that_do_not_exist_are_not_found(provider_client, url):
    assert provider_client.post(url, {"title": "x", "body": "y", "caption": "z"}).status_code == 404


def test_provider_cannot_touch_another_organizations_post_through_own_org_url(
    org_x, org_y, provider_x, provider_y
):
    theirs = make_post(org_y, provider_y)
    client = signed_in(provider_x)
    assert client.post(f"/manage/posts/{theirs.pk}/", {"title": "Взлом", "body": "x"}).status_code == 404
    assert client.post(f"/manage/posts/{theirs.pk}/delete/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Набор в группы"


def test_post_without_csrf_token_is_refused(org_x, provider_x):
    client = Client(enforce_csrf_checks=True)
    client.force_login(provider_x)
    response = client.post(
        f"/manage/organizations/{org_x.pk}/news/posts/new/", {"title": "Без токена", "body": "x"}
    )
    assert response.status_code == 403 and not OrganizationPost.objects.exists()


def test_editor_hide_needs_a_reason(org_x, provider_x, editor):
    post = make_post(org_x, provider_x)
    for reason in ("", "   ", "\x00\u200b", "x" * 301):
        response = signed_in(editor).post(f"/moderation/posts/{post.pk}/hide/", {"reason": reason})
        assert response.status_code == 302
        post.refresh_from_db()
        assert not post.is_hidden


def test_get_on_write_urls_is_not_allowed(provider_client, org_x, provider_x):
    post = make_post(org_x, provider_x)
    assert provider_client.get(f"/manage/posts/{post.pk}/delete/").status_code == 405
    assert provider_client.get(f"/manage/organizations/{org_x.pk}/news/posts/new/").status_code == 405


# --- what the public sees


def test_organization_page_shows_latest_three_posts_and_links_to_all_news(client, org_x, provider_x):
    for n in range(5):
        make_post(org_x, provider_x, title=f"Новость {n}")
    page = client.get(org_x.get_absolute_url()).content.decode()
    assert "Новость 4" in page and "Новость 2" in page and "Новость 1" not in page
    assert f'href="{org_x.get_absolute_url()}news/"' in page
    news = client.get(org_x.get_absolute_url() + "news/").content.decode()
    assert all(f"Новость {n}" in news for n in range(5))


def test_no_all_news_link_with_three_posts_or_fewer(client, org_x, provider_x):
    make_post(org_x, provider_x)
    assert "news/" not in client.get(org_x.get_absolute_url()).content.decode()


def test_news_page_is_paginated_and_survives_bad_page_numbers(client, org_x, provider_x):
    for n in range(12):
        make_post(org_x, provider_x, title=f"Новость {n:02d}")
    url = org_x.get_absolute_url() + "news/"
    assert "Новость 00" not in client.get(url).content.decode()
    assert "Новость 00" in client.get(url + "?page=2").content.decode()
    for bad in ("0", "999", "abc", "-1"):
        assert client.get(url + f"?page={bad}").status_code == 200


def test_news_page_of_wrong_slug_redirects_and_of_unknown_org_is_not_found(client, org_x):
    assert client.get(f"/organizations/{org_x.pk}-wrong/news/").status_code == 301
    assert client.get("/organizations/999999-x/news/").status_code == 404


def test_gallery_images_have_alt_size_and_lazy_loading(client, org_x, provider_x):
    make_photo(org_x, provider_x, caption="Зал для занятий")
    make_photo(org_x, provider_x, caption="")
    page = client.get(org_x.get_absolute_url()).content.decode()
    assert 'alt="Зал для занятий"' in page
    assert f'alt="{org_x.name}"' in page
    assert page.count('loading="lazy"') >= 2 and 'width="40" height="30"' in page


def test_hidden_items_are_not_public_but_their_providers_see_why(client, org_x, provider_x, editor):
    post = make_post(org_x, provider_x, title="Спорная новость")
    photo = make_photo(org_x, provider_x, caption="Спорное фото")
    editor_client = signed_in(editor)
    editor_client.post(f"/moderation/posts/{post.pk}/hide/", {"reason": "Реклама магазина"})
    editor_client.post(f"/moderation/photos/{photo.pk}/hide/", {"reason": "Чужое фото"})
    for url in (org_x.get_absolute_url(), org_x.get_absolute_url() + "news/"):
        page = client.get(url).content.decode()
        assert "Спорная новость" not in page and "Спорное фото" not in page and photo.image.url not in page
    own = signed_in(provider_x).get(f"/manage/organizations/{org_x.pk}/news/").content.decode()
    assert "скрыто редактором" in own and "Реклама магазина" in own and "Чужое фото" in own
    editor_client.post(f"/moderation/posts/{post.pk}/show/")
    assert "Спорная новость" in client.get(org_x.get_absolute_url()).content.decode()


def test_editor_sees_hide_forms_and_provider_does_not(org_x, provider_x, editor):
    make_post(org_x, provider_x)
    url = f"/manage/organizations/{org_x.pk}/news/"
    assert "Причина скрытия" in signed_in(editor).get(url).content.decode()
    assert "Причина скрытия" not in signed_in(provider_x).get(url).content.decode()


def test_organization_page_queries_do_not_grow_with_posts_and_photos(
    client, org_x, provider_x, django_assert_max_num_queries
):
    url = org_x.get_absolute_url()
    make_post(org_x, provider_x)
    make_photo(org_x, provider_x)
    client.get(url)
    with django_assert_max_num_queries(8):
        client.get(url)
    for n in range(10):
        make_post(org_x, provider_x, title=f"n{n}")
        make_photo(org_x, provider_x, caption=f"c{n}")
    with django_assert_max_num_queries(8):
        client.get(url)


def test_manage_page_queries_are_bounded(org_x, provider_x, django_assert_max_num_queries):
    client = signed_in(provider_x)
    url = f"/manage/organizations/{org_x.pk}/news/"
    for n in range(8):
        make_post(org_x, provider_x, title=f"n{n}")
        make_photo(org_x, provider_x, caption=f"c{n}")
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200
