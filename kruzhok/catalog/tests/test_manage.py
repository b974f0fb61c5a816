"""The provider area: members edit their organization's entries directly; nobody else can."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kruzhok.accounts.models import Membership
from kruzhok.catalog.models import Activity, Group, ScheduleSlot, Venue
from kruzhok.catalog.tests import factories as catalog
from kruzhok.catalog.tests.personas import XSS, signed_in, unsafe
from kruzhok.core.models import AuditLog
from kruzhok.moderation.models import ActivityVersion
from kruzhok.search import selectors
from kruzhok.search.params import parse_params

pytestmark = pytest.mark.django_db


def found_ids(query: dict[str, str]) -> list[int]:
    params, _errors = parse_params(query)
    return [card.id for card in selectors.search(params).results]


def activity_post(activity: Activity, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": activity.title,
        "description": activity.description,
        "direction": activity.direction_id,
        "categories": [c.pk for c in activity.categories.all()],
        "age_min": activity.age_min,
        "age_max": activity.age_max,
        "price_rub": activity.price_rub,
        "price_note": activity.price_note,
        "format": activity.format,
        "enrollment": activity.enrollment,
        "phone": activity.phone,
        "email": activity.email,
        "website": activity.website,
        "venue": activity.venue_id or "",
        "new_address": "",
    }
    if activity.ovz:
        data["ovz"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def slots_post(rows: list[tuple[str, str, str]], *, deleted: tuple[int, ...] = (), initial: int = 0, **group):
    data = {
        "name": group.get("name", "Младшая группа"),
        "age_min": group.get("age_min", ""),
        "age_max": group.get("age_max", ""),
        "teacher": group.get("teacher", ""),
        "capacity": group.get("capacity", ""),
        "slots-TOTAL_FORMS": str(len(rows)),
        "slots-INITIAL_FORMS": str(initial),
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "21",
    }
    for index, (day, start, end) in enumerate(rows):
        data[f"slots-{index}-weekday"] = day
        data[f"slots-{index}-starts_at"] = start
        data[f"slots-{index}-ends_at"] = end
        if index in deleted:
            data[f"slots-{index}-DELETE"] = "on"
    return data


def manage_urls(activity: Activity) -> list[str]:
    group = activity.groups.first()
    org = activity.organization_id
    member = Membership.objects.filter(organization_id=org).first()
    urls = [
        reverse("manage:organization", args=[org]),
        reverse("manage:organization_edit", args=[org]),
        reverse("manage:members", args=[org]),
        reverse("manage:activity_new", args=[org]),
        reverse("manage:activity", args=[activity.pk]),
        reverse("manage:groups", args=[activity.pk]),
        reverse("manage:group_new", args=[activity.pk]),
        reverse("manage:group", args=[group.pk]),
        reverse("moderation:history", args=[activity.pk]),
    ]
    if member is not None:
        urls.append(reverse("manage:member_remove", args=[org, member.pk]))
    urls.append(reverse("manage:group_delete", args=[group.pk]))
    return urls


# --- who gets in ---------------------------------------------------------------------------


def test_the_area_lists_only_the_users_own_organizations(provider_x, org_x, org_y):
    page = signed_in(provider_x).get("/manage/").content.decode()
    assert "Студия «Икс»" in page and "Клуб «Игрек»" not in page
    assert "вы владелец" in page


def test_anonymous_visitors_are_sent_to_sign_in(activity_x):
    for url in manage_urls(activity_x):
        response = Client().get(url)
        assert response.status_code == 302 and "/account/login/" in response["Location"], url


def test_provider_of_another_org_gets_404_on_every_url_and_changes_nothing(
    activity_x, provider_x, provider_y
):
    client = signed_in(provider_y)
    before = Activity.objects.get(pk=activity_x.pk)
    for url in manage_urls(activity_x):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, activity_post(activity_x, title="Взлом")).status_code == 404, url
    after = Activity.objects.get(pk=activity_x.pk)
    assert after.title == before.title and Group.objects.filter(activity=activity_x).exists()
    assert Membership.objects.filter(organization=activity_x.organization).count() == 1


def test_citizen_gets_404_on_manage_urls_of_any_org(activity_x, activity_y, citizen):
    client = signed_in(citizen)
    for activity in (activity_x, activity_y):
        for url in manage_urls(activity):
            assert client.get(url).status_code in (404, 405), url
            assert client.post(url, {}).status_code == 404, url


def test_malformed_and_missing_ids_are_404(provider_x):
    client = signed_in(provider_x)
    for url in ("/manage/organizations/999999/", "/manage/activities/999999/", "/manage/groups/999999/"):
        assert client.get(url).status_code == 404


def test_an_editor_without_totp_enrols_first(activity_x):
    from kruzhok.accounts.tests import factories as accounts

    bare = accounts.user("bare-editor@example.org", is_editor=True)
    response = signed_in(bare).get(reverse("manage:activity", args=[activity_x.pk]))
    assert response.status_code == 302 and response["Location"] == "/account/2fa/totp/activate/"


# --- editing an activity -------------------------------------------------------------------


def test_provider_edits_every_field_and_it_is_public_versioned_audited_and_searchable(
    activity_x, provider_x, org_x
):
    client = signed_in(provider_x)
    other_venue = catalog.venue(org_x, address="улица Маркса, 20")
    payload = activity_post(
        activity_x,
        title="Шахматный клуб «Ладья»",
        description="Партии, задачи и **турниры**.",
        direction=catalog.direction("science").pk,
        categories=[catalog.category("chess").pk],
        age_min=6,
        age_max=16,
        price_rub=2100,
        price_note="первое занятие бесплатно",
        format="group",
        ovz="on",
        enrollment="waitlist",
        phone="+7 (3812) 22-33-44",
        email="ladya@example.org",
        website="https://ladya.example.org",
        venue=other_venue.pk,
    )
    response = client.post(reverse("manage:activity", args=[activity_x.pk]), payload)
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get(pk=activity_x.pk)
    assert (activity.title, activity.price_rub, activity.age_min, activity.age_max) == (
        "Шахматный клуб «Ладья»",
        2100,
        6,
        16,
    )
    assert activity.direction.slug == "science" and activity.ovz and activity.enrollment == "waitlist"
    assert list(activity.categories.values_list("slug", flat=True)) == ["chess"]
    assert activity.venue == other_venue and activity.website == "https://ladya.example.org"
    assert activity.verified_at is not None and (timezone.now() - activity.verified_at).seconds < 60
    versions = list(ActivityVersion.objects.filter(activity=activity).order_by("number"))
    assert [v.action for v in versions] == ["created", "edited"]
    assert versions[0].data["title"] == "Шахматы для начинающих" and versions[1].actor == provider_x
    log = AuditLog.objects.get(action="catalog.activity.edited", object_id=str(activity.pk))
    assert log.actor_id == provider_x.pk and "title" in log.data["changed"]
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "Шахматный клуб «Ладья»" in page and "2100" in page.replace("\xa0", "").replace(" ", "")
    assert activity.pk in found_ids({"q": "ладья"})


def test_editor_edits_any_organization_and_it_is_recorded_as_an_editors_edit(activity_y, editor):
    response = signed_in(editor).post(
        reverse("manage:activity", args=[activity_y.pk]), activity_post(activity_y, price_rub=900)
    )
    assert response.status_code == 302
    activity = Activity.objects.get(pk=activity_y.pk)
    assert activity.price_rub == 900 and activity.verified_at is None
    assert ActivityVersion.objects.filter(activity=activity).latest("number").action == "editor"


def test_a_save_without_changes_confirms_the_data_without_a_new_version(activity_x, provider_x):
    client = signed_in(provider_x)
    client.post(reverse("manage:activity", args=[activity_x.pk]), activity_post(activity_x))
    assert Activity.objects.get(pk=activity_x.pk).verified_at is not None
    assert not ActivityVersion.objects.filter(activity=activity_x, action="edited").exists()


def test_a_providers_save_answers_a_pending_review_request(activity_x, provider_x):
    Activity.objects.filter(pk=activity_x.pk).update(
        review_requested_at=timezone.now() - timedelta(days=40), verified_at=None
    )
    assert Activity.objects.get(pk=activity_x.pk).is_outdated
    client = signed_in(provider_x)
    client.post(reverse("manage:activity", args=[activity_x.pk]), activity_post(activity_x))
    saved = Activity.objects.get(pk=activity_x.pk)
    assert saved.review_requested_at is None and not saved.is_outdated


def test_a_new_address_creates_a_venue_of_the_organization(activity_x, provider_x):
    client = signed_in(provider_x)
    response = client.post(
        reverse("manage:activity", args=[activity_x.pk]),
        activity_post(activity_x, venue="", new_address="улица  Лукашевича,   10"),
    )
    assert response.status_code == 302
    venue = Activity.objects.get(pk=activity_x.pk).venue
    assert venue.organization_id == activity_x.organization_id and venue.address == "улица Лукашевича, 10"


@pytest.mark.parametrize("payload", XSS)
def test_hostile_text_is_stored_as_text_and_shown_escaped(activity_x, provider_x, payload):
    client = signed_in(provider_x)
    response = client.post(
        reverse("manage:activity", args=[activity_x.pk]),
        activity_post(activity_x, title=f"Шахматы {payload}", description=payload, price_note=payload),
    )
    assert response.status_code == 302
    activity = Activity.objects.get(pk=activity_x.pk)
    assert payload.strip() in activity.description
    for url in (activity.get_absolute_url(), reverse("manage:activity", args=[activity.pk])):
        assert unsafe(client.get(url).content.decode()) == [], url
    history = client.get(reverse("moderation:history", args=[activity.pk])).content.decode()
    assert unsafe(history) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "Ш" * 301}, "title", "не более 300"),
        ({"title": "   "}, "title", "Обязательное поле"),
        ({"age_min": 12, "age_max": 7}, "age_max", "не может быть меньше"),
        ({"age_max": 40}, "age_max", "18"),
        ({"price_rub": -5}, "price_rub", "0"),
        ({"price_rub": "дорого"}, "price_rub", "целое число"),
        ({"website": "javascript:alert(1)"}, "website", ""),
        ({"phone": "<script>"}, "phone", "Телефон"),
        ({"email": "не почта"}, "email", "адрес электронной почты"),
        ({"direction": 99999}, "direction", "Выберите корректный вариант"),
        ({"categories": [99999]}, "categories", "Выберите корректный вариант"),
        ({"format": "hack"}, "format", "Выберите корректный вариант"),
        ({"description": "x" * 10001}, "description", "не более 10000"),
        ({"venue": "", "new_address": ""}, "new_address", "Выберите адрес"),
    ],
)
def test_bad_input_is_refused_with_a_russian_message_keeps_the_text_and_saves_nothing(
    activity_x, provider_x, changes, field, message
):
    client = signed_in(provider_x)
    payload = activity_post(activity_x, **{"description": "Мой новый текст описания", **changes})
    response = client.post(reverse("manage:activity", args=[activity_x.pk]), payload)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page, field
    assert 'class="field-error"' in page
    if "description" not in changes:
        assert "Мой новый текст описания" in page
    assert Activity.objects.get(pk=activity_x.pk).title == activity_x.title
    assert not ActivityVersion.objects.filter(activity=activity_x).exists()


def test_a_venue_of_another_organization_cannot_be_chosen(activity_x, provider_x, org_y):
    foreign = catalog.venue(org_y, address="улица Чужая, 1")
    response = signed_in(provider_x).post(
        reverse("manage:activity", args=[activity_x.pk]), activity_post(activity_x, venue=foreign.pk)
    )
    assert response.status_code == 400
    assert Activity.objects.get(pk=activity_x.pk).venue_id != foreign.pk


def test_a_new_activity_is_public_at_once_and_found_by_search(org_x, provider_x):
    client = signed_in(provider_x)
    response = client.post(
        reverse("manage:activity_new", args=[org_x.pk]),
        {
            "title": "Робототехника для малышей",
            "description": "Собираем роботов из конструктора.",
            "direction": catalog.direction("technical").pk,
            "categories": [catalog.category("robotics").pk],
            "age_min": 5,
            "age_max": 8,
            "price_rub": 3000,
            "format": "group",
            "enrollment": "open",
            "new_address": "улица Лукашевича, 10",
        },
    )
    assert response.status_code == 302
    created = Activity.objects.get(title="Робототехника для малышей")
    assert created.organization == org_x and created.is_live and created.verified_at is not None
    assert response["Location"] == reverse("manage:groups", args=[created.pk])
    assert client.get(created.get_absolute_url()).status_code == 200
    assert created.pk in found_ids({"q": "робототехника"})
    assert ActivityVersion.objects.get(activity=created).action == "created"
    assert AuditLog.objects.filter(action="catalog.activity.created", object_id=str(created.pk)).exists()


# --- groups and weekly slots ---------------------------------------------------------------


def test_provider_adds_a_group_with_slots_and_the_public_page_shows_them(activity_x, provider_x):
    client = signed_in(provider_x)
    response = client.post(
        reverse("manage:group_new", args=[activity_x.pk]),
        slots_post([("1", "17:00", "18:30"), ("3", "17:00", "18:30"), ("", "", "")], age_min=7, age_max=9),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    group = Group.objects.get(activity=activity_x, name="Младшая группа")
    assert sorted((s.weekday, s.starts_at) for s in group.slots.all()) == [(1, time(17)), (3, time(17))]
    page = client.get(activity_x.get_absolute_url()).content.decode()
    assert "Младшая группа" in page and "17:00" in page
    assert activity_x.pk in found_ids({"q": "шахматы", "day": "thu", "after": "16:30"})
    assert ActivityVersion.objects.filter(activity=activity_x).latest("number").data["groups"][-1][
        "slots"
    ] == [
        [1, "17:00", "18:30"],
        [3, "17:00", "18:30"],
    ]


def test_provider_changes_and_removes_slots_of_a_group(activity_x, provider_x):
    client = signed_in(provider_x)
    group = activity_x.groups.get()
    edit = client.get(reverse("manage:group", args=[group.pk])).content.decode()
    assert 'value="15:00"' in edit
    response = client.post(
        reverse("manage:group", args=[group.pk]),
        slots_post(
            [("0", "15:00", "16:30"), ("2", "15:00", "16:30"), ("4", "10:00", "11:00")],
            deleted=(0,),
            initial=2,
            name="Основная группа",
        ),
    )
    assert response.status_code == 302
    assert sorted(group.slots.values_list("weekday", flat=True)) == [2, 4]
    assert AuditLog.objects.filter(action="catalog.group.edited").exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("0", "15:00", "16:30"), ("0", "16:00", "17:00")], "пересекается"),
        ([("0", "18:00", "17:00")], "позже начала"),
        ([("0", "18:00", "")], "Укажите день, начало и конец"),
        ([("9", "10:00", "11:00")], "Выберите корректный вариант"),
        ([("0", "25:00", "26:00")], "Введите правильное время"),
        ([("0", "<script>", "x")], "Введите правильное время"),
    ],
)
def test_bad_slots_are_refused_and_nothing_changes(activity_x, provider_x, rows, message):
    client = signed_in(provider_x)
    group = activity_x.groups.get()
    before = sorted(group.slots.values_list("weekday", "starts_at"))
    response = client.post(reverse("manage:group", args=[group.pk]), slots_post(rows, name="Новое имя"))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert sorted(group.slots.values_list("weekday", "starts_at")) == before
    assert Group.objects.get(pk=group.pk).name == "Основная группа"


def test_too_many_slot_forms_are_refused(activity_x, provider_x):
    rows = [(str(i % 7), f"{8 + i // 7:02d}:00", f"{8 + i // 7:02d}:30") for i in range(30)]
    response = signed_in(provider_x).post(reverse("manage:group_new", args=[activity_x.pk]), slots_post(rows))
    assert response.status_code == 400
    assert Group.objects.filter(activity=activity_x).count() == 1


def test_a_group_is_deleted_with_its_slots(activity_x, provider_x):
    group = activity_x.groups.get()
    response = signed_in(provider_x).post(reverse("manage:group_delete", args=[group.pk]))
    assert response.status_code == 302
    assert not Group.objects.filter(pk=group.pk).exists() and not ScheduleSlot.objects.filter(
        group_id=group.pk
    )
    assert ActivityVersion.objects.filter(activity=activity_x).latest("number").data["groups"] == []


def test_groups_of_another_organization_are_404(activity_y, provider_x):
    group = activity_y.groups.get()
    client = signed_in(provider_x)
    assert client.get(reverse("manage:group", args=[group.pk])).status_code == 404
    assert client.post(reverse("manage:group_delete", args=[group.pk])).status_code == 404
    assert Group.objects.filter(pk=group.pk).exists()


# --- the organization itself and its members -----------------------------------------------


def test_provider_edits_the_organizations_contacts_and_description(org_x, provider_x):
    client = signed_in(provider_x)
    response = client.post(
        reverse("manage:organization_edit", args=[org_x.pk]),
        {
            "description": "Студия для детей <b>и</b> взрослых",
            "phone": "+7 3812 55-66-77",
            "email": "",
            "website": "",
        },
    )
    assert response.status_code == 302
    org_x.refresh_from_db()
    assert org_x.phone == "+7 3812 55-66-77" and org_x.verified_at is not None
    page = client.get(org_x.get_absolute_url()).content.decode()
    assert "55-66-77" in page and "<b>и</b>" not in page
    assert AuditLog.objects.filter(action="catalog.organization.edited", object_id=str(org_x.pk)).exists()


def test_organization_form_refuses_bad_contacts(org_x, provider_x):
    response = signed_in(provider_x).post(
        reverse("manage:organization_edit", args=[org_x.pk]),
        {"description": "Новое", "phone": "звоните <script>", "email": "x", "website": "ftp://x"},
    )
    assert response.status_code == 400
    org_x.refresh_from_db()
    assert org_x.description != "Новое"


def test_owner_sees_and_removes_a_member_staff_cannot(org_x, provider_x, staff_x):
    staff_client = signed_in(staff_x)
    owner_membership = Membership.objects.get(user=provider_x)
    page = staff_client.get(reverse("manage:members", args=[org_x.pk])).content.decode()
    assert "Ольга" in page and "Удалить из организации" not in page
    assert (
        staff_client.post(reverse("manage:member_remove", args=[org_x.pk, owner_membership.pk])).status_code
        == 404
    )
    staff_membership = Membership.objects.get(user=staff_x)
    response = signed_in(provider_x).post(
        reverse("manage:member_remove", args=[org_x.pk, staff_membership.pk])
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=staff_membership.pk).exists()
    assert AuditLog.objects.filter(action="catalog.membership.removed").exists()
    assert staff_client.get(reverse("manage:organization", args=[org_x.pk])).status_code == 404


def test_the_last_owner_cannot_leave(org_x, provider_x):
    membership = Membership.objects.get(user=provider_x)
    client = signed_in(provider_x)
    response = client.post(reverse("manage:member_remove", args=[org_x.pk, membership.pk]), follow=True)
    assert "хотя бы один владелец" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_membership_of_another_org_cannot_be_removed_through_ones_own(org_x, provider_x, provider_y):
    foreign = Membership.objects.get(user=provider_y)
    response = signed_in(provider_x).post(reverse("manage:member_remove", args=[org_x.pk, foreign.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_editor_finds_any_organization_from_the_area(org_y, editor):
    page = signed_in(editor).get("/manage/", {"q": "Игрек"}).content.decode()
    assert reverse("manage:organization", args=[org_y.pk]) in page


def test_the_new_address_is_placed_by_the_gazetteer_when_it_knows_it(activity_x, provider_x):
    signed_in(provider_x).post(
        reverse("manage:activity", args=[activity_x.pk]),
        activity_post(activity_x, venue="", new_address="улица Лукашевича, 10"),
    )
    venue = Venue.objects.get(organization=activity_x.organization, address="улица Лукашевича, 10")
    assert venue.lat is None or 54 < venue.lat < 56


def test_the_area_speaks_english_to_an_english_provider(activity_x, provider_x):
    import re

    from kruzhok.accounts.models import User

    User.objects.filter(pk=provider_x.pk).update(language="en")
    client = signed_in(provider_x)
    client.post("/i18n/setlang/", {"language": "en", "next": "/manage/"})
    group = activity_x.groups.get()
    assert "My organizations" in client.get("/manage/").content.decode()
    user_data = {activity_x.title, activity_x.organization.name, activity_x.description, group.name}
    user_data |= {activity_x.venue.address, "Ольга"}
    for url in (
        "/manage/",
        reverse("manage:organization", args=[activity_x.organization_id]),
        reverse("manage:activity", args=[activity_x.pk]),
        reverse("manage:groups", args=[activity_x.pk]),
        reverse("manage:group", args=[group.pk]),
        reverse("manage:members", args=[activity_x.organization_id]),
        reverse("manage:organization_edit", args=[activity_x.organization_id]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        text = re.sub(r"<[^>]+>", " ", response.content.decode().split("<main", 1)[1].split("</main>", 1)[0])
        for value in user_data:
            text = text.replace(value, "")
        text = re.sub(r"«[^»]*»", "", text)
        assert not re.search(r"[А-Яа-яЁё]{2,}", text), (url, re.findall(r"[А-Яа-яЁё]+", text)[:10])


def test_the_activity_page_offers_its_provider_the_edit_page_and_others_a_suggestion(
    activity_x, provider_x, provider_y
):
    own = signed_in(provider_x).get(activity_x.get_absolute_url()).content.decode()
    assert reverse("manage:activity", args=[activity_x.pk]) in own
    assert reverse("suggest:edit", args=[activity_x.pk]) not in own
    other = signed_in(provider_y).get(activity_x.get_absolute_url()).content.decode()
    assert reverse("manage:activity", args=[activity_x.pk]) not in other
    assert reverse("suggest:edit", args=[activity_x.pk]) in other
