"""An activity's history: who changed what and when, diffed field by field; editors revert."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kruzhok.catalog.models import Activity
from kruzhok.catalog.tests.personas import signed_in
from kruzhok.catalog.tests.test_manage import activity_post, found_ids, slots_post
from kruzhok.core.models import AuditLog
from kruzhok.moderation.models import ActivityVersion

pytestmark = pytest.mark.django_db


def edit(client, activity, **changes):
    response = client.post(reverse("manage:activity", args=[activity.pk]), activity_post(activity, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Activity.objects.get(pk=activity.pk)


def test_history_lists_versions_with_who_when_and_a_field_diff(activity_x, provider_x, editor):
    client = signed_in(provider_x)
    edit(client, activity_x, price_rub=2500, title="Шахматы: дебюты")
    page = client.get(reverse("moderation:history", args=[activity_x.pk])).content.decode()
    assert "Версия 2" in page and "Версия 1" in page
    assert "изменено поставщиком" in page and "Ольга" in page
    assert "Цена в месяц, ₽" in page and "1500" in page and "2500" in page
    assert "Шахматы: дебюты" in page
    # the provider sees the history but no revert
    assert "Вернуть версию" not in page
    editor_page = signed_in(editor).get(reverse("moderation:history", args=[activity_x.pk])).content.decode()
    first = ActivityVersion.objects.get(activity=activity_x, number=1)
    assert reverse("moderation:revert", args=[first.pk]) in editor_page


def test_history_is_404_for_other_providers_and_citizens_and_asks_visitors_to_sign_in(
    activity_x, provider_y, citizen
):
    url = reverse("moderation:history", args=[activity_x.pk])
    assert signed_in(provider_y).get(url).status_code == 404
    assert signed_in(citizen).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_manage_pages_link_the_history(activity_x, provider_x):
    page = (
        signed_in(provider_x).get(reverse("manage:organization", args=[activity_x.organization_id])).content
    )
    assert reverse("moderation:history", args=[activity_x.pk]).encode() in page


def test_revert_needs_an_editor_and_a_post(activity_x, provider_x, editor):
    client = signed_in(provider_x)
    edit(client, activity_x, price_rub=3000)
    first = ActivityVersion.objects.get(activity=activity_x, number=1)
    url = reverse("moderation:revert", args=[first.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Activity.objects.get(pk=activity_x.pk).price_rub == 3000
    confirm = signed_in(editor).get(url)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Вернуть версию 1?" in page and "3000" in page and "1500" in page
    assert Activity.objects.get(pk=activity_x.pk).price_rub == 3000  # GET changes nothing


def test_revert_restores_fields_categories_groups_and_slots_and_search(activity_x, provider_x, editor):
    from kruzhok.catalog.tests import factories as catalog

    client = signed_in(provider_x)
    edit(
        client,
        activity_x,
        title="Робототехника",
        price_rub=4000,
        direction=catalog.direction("technical").pk,
        categories=[catalog.category("robotics").pk],
    )
    group = activity_x.groups.get()
    client.post(
        reverse("manage:group", args=[group.pk]),
        slots_post([("5", "10:00", "11:30")], initial=0, name="Субботняя"),
    )
    assert activity_x.pk in found_ids({"q": "робототехника"})
    first = ActivityVersion.objects.get(activity=activity_x, number=1)
    response = signed_in(editor).post(reverse("moderation:revert", args=[first.pk]))
    assert response.status_code == 302
    activity = Activity.objects.get(pk=activity_x.pk)
    assert (activity.title, activity.price_rub, activity.direction.slug) == (
        "Шахматы для начинающих",
        1500,
        "sport",
    )
    assert list(activity.categories.values_list("slug", flat=True)) == ["football"]
    groups = list(activity.groups.prefetch_related("slots"))
    assert [g.name for g in groups] == ["Основная группа"]
    assert sorted((s.weekday, f"{s.starts_at:%H:%M}") for s in groups[0].slots.all()) == [
        (0, "15:00"),
        (2, "15:00"),
    ]
    latest = ActivityVersion.objects.filter(activity=activity).latest("number")
    assert latest.action == "reverted" and latest.note == "v1" and latest.actor == editor
    assert AuditLog.objects.filter(action="moderation.activity.reverted", actor=editor).exists()
    assert activity.pk in found_ids({"q": "шахматы"})
    assert activity.pk not in found_ids({"q": "робототехника"})
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "Шахматы для начинающих" in page and "Субботняя" not in page


def test_an_unknown_version_is_404(editor):
    assert signed_in(editor).get(reverse("moderation:revert", args=[999999])).status_code == 404
