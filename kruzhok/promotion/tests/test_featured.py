"""Editors' picks («Выбор редакции») on the home and direction pages: the editor page, its
permission matrix and hostile input, the dates, and the organic list left as it was."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kruzhok.catalog.models import Status
from kruzhok.catalog.tests import factories as catalog
from kruzhok.catalog.tests.personas import XSS, signed_in, unsafe
from kruzhok.core.models import AuditLog
from kruzhok.events.models import Event
from kruzhok.events.tests.factories import event
from kruzhok.promotion import selectors, services
from kruzhok.promotion.models import Featured

pytestmark = pytest.mark.django_db

URL = "/moderation/featured/"


def today() -> date:
    return timezone.localdate()


def future_event(org, **kw) -> Event:
    starts = timezone.localtime() + timedelta(days=10)
    return event(
        org,
        starts=starts.strftime("%Y-%m-%dT11:00"),
        ends=starts.strftime("%Y-%m-%dT13:00"),
        title=kw.pop("title", "Турнир по шахматам"),
        **kw,
    )


def pick(editor, *, activity=None, ev=None, direction=None, starts=0, ends=3, position=0) -> Featured:
    return services.featured_add(
        editor=editor,
        direction=direction,
        activity=activity,
        event=ev,
        starts_on=today() + timedelta(days=starts),
        ends_on=today() + timedelta(days=ends),
        position=position,
    )


def form(**changes):
    data = {
        "placement": "home",
        "kind": "activity",
        "target": "",
        "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=7)).isoformat(),
        "position": "0",
    }
    data.update(changes)
    return data


# --- services and dates


def test_featured_add_writes_the_audit_log(editor, activity_x):
    created = pick(editor, activity=activity_x)
    entry = AuditLog.objects.get(action="promotion.featured.created")
    assert entry.object_id == str(created.pk) and entry.actor_id == editor.pk
    assert entry.data["activity"] == activity_x.pk and entry.data["direction"] is None
    services.featured_remove(featured=created, editor=editor)
    assert not Featured.objects.exists()
    assert AuditLog.objects.filter(action="promotion.featured.removed").exists()


def test_featured_add_refuses_bad_picks(editor, activity_x):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        pick(editor, activity=activity_x, starts=3, ends=1)
    with pytest.raises(ValidationError):
        pick(editor, activity=activity_x, starts=-5, ends=-1)
    with pytest.raises(ValidationError):
        pick(editor)
    activity_x.status = Status.ARCHIVED
    activity_x.save()
    with pytest.raises(ValidationError):
        pick(editor, activity=activity_x)
    assert not Featured.objects.exists()


def test_pick_is_shown_from_its_first_to_its_last_day_inclusive(editor, activity_x):
    pick(editor, activity=activity_x, starts=1, ends=3)
    shown = lambda day: [p.activity for p in selectors.featured_for(None, day=today() + timedelta(days=day))]  # noqa: E731
    assert shown(0) == []  # before the start
    assert shown(1) == [activity_x]  # first day
    assert shown(3) == [activity_x]  # last day
    assert shown(4) == []  # after the end


def test_home_and_direction_picks_are_separate(editor, activity_x):
    sport = activity_x.direction
    pick(editor, activity=activity_x, direction=sport)
    assert selectors.featured_for(None) == []
    assert [p.activity for p in selectors.featured_for(sport)] == [activity_x]


@pytest.mark.parametrize("status", [Status.ARCHIVED, Status.DRAFT, Status.PENDING])
def test_picked_activity_that_is_no_longer_live_is_not_shown(editor, activity_x, status):
    pick(editor, activity=activity_x)
    activity_x.status = status
    activity_x.save()
    assert selectors.featured_for(None) == []


def test_cancelled_or_past_events_are_not_shown(editor, org_x):
    cancelled, finished = future_event(org_x, title="Отменят"), future_event(org_x, title="Пройдёт")
    pick(editor, ev=cancelled)
    pick(editor, ev=finished)
    assert len(selectors.featured_for(None)) == 2
    cancelled.status = Event.Status.CANCELLED
    cancelled.save()
    past = timezone.now() - timedelta(days=3)
    Event.objects.filter(pk=finished.pk).update(starts_at=past, ends_at=past + timedelta(hours=2))
    assert selectors.featured_for(None) == []


def test_picks_follow_the_editors_order(editor, org_x):
    first = catalog.activity(organization=org_x, title="Второе по алфавиту Б")
    second = catalog.activity(organization=org_x, title="А первое по алфавиту")
    pick(editor, activity=second, position=5)
    pick(editor, activity=first, position=1)
    assert [p.activity for p in selectors.featured_for(None)] == [first, second]


# --- pages


def test_home_shows_picks_as_cards(client, editor, activity_x, org_x):
    ev = future_event(org_x, title="Открытый турнир")
    pick(editor, activity=activity_x)
    pick(editor, ev=ev)
    page = client.get("/").content.decode()
    assert "Выбор редакции" in page
    assert activity_x.title in page and activity_x.get_absolute_url() in page
    assert "Открытый турнир" in page and ev.get_absolute_url() in page


def test_home_without_picks_has_no_block(client, activity_x):
    assert "Выбор редакции" not in client.get("/").content.decode()


def test_direction_page_shows_picks_above_an_unchanged_organic_list(client, editor, org_x):
    items = [catalog.activity(organization=org_x, title=f"Секция {n}") for n in range(4)]
    direction = items[0].direction
    url = direction.get_absolute_url()
    before = list(client.get(url).context["page"].object_list)
    pick(editor, activity=items[3], direction=direction)
    response = client.get(url)
    page = response.content.decode()
    assert list(response.context["page"].object_list) == before
    assert page.index("Выбор редакции") < page.index('id="list-title"')
    featured_block = page[page.index('class="featured"') : page.index('id="list-title"')]
    assert "Секция 3" in featured_block and "Секция 0" not in featured_block
    assert page.count(items[3].get_absolute_url()) == 2  # once in the picks, once in the list


def test_home_page_queries_are_bounded(client, editor, org_x, django_assert_max_num_queries):
    for _n in range(2):
        pick(editor, activity=catalog.activity(organization=org_x))
        pick(editor, ev=future_event(org_x))
    client.get("/")
    with django_assert_max_num_queries(14):
        client.get("/")
    for _n in range(4):
        pick(editor, activity=catalog.activity(organization=org_x))
        pick(editor, ev=future_event(org_x))
    with django_assert_max_num_queries(14):
        client.get("/")


def test_direction_page_queries_are_bounded(client, editor, org_x, django_assert_max_num_queries):
    items = [catalog.activity(organization=org_x) for _ in range(6)]
    for item in items:
        pick(editor, activity=item, direction=item.direction)
    with django_assert_max_num_queries(16):
        assert client.get(items[0].direction.get_absolute_url()).status_code == 200


# --- the editor page


PERSONAS = ["anonymous", "citizen", "provider_x", "provider_y", "department_member", "editor"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_editor_page_and_its_writes_permission_matrix(request, persona, activity_x, editor):
    existing = pick(editor, activity=activity_x)
    client = Client() if persona == "anonymous" else signed_in(request.getfixturevalue(persona))
    responses = [
        client.get(URL),
        client.post(URL, form(target=str(activity_x.pk), placement="sport")),
        client.post(f"{URL}{existing.pk}/remove/"),
    ]
    if persona == "editor":
        assert [r.status_code for r in responses] == [200, 302, 302]
        assert list(Featured.objects.values_list("direction__slug", flat=True)) == ["sport"]
    elif persona == "anonymous":
        assert all(r.status_code == 302 and "/account/login/" in r["Location"] for r in responses)
        assert list(Featured.objects.all()) == [existing]
    else:
        assert [r.status_code for r in responses] == [403, 403, 403]
        assert list(Featured.objects.all()) == [existing]


def test_editor_without_totp_is_sent_to_enrol(db):
    from kruzhok.accounts.tests import factories as accounts

    account = accounts.user("new-editor@example.org", is_editor=True)
    response = signed_in(account).get(URL)
    assert response.status_code == 302 and "totp" in response["Location"]


@pytest.mark.parametrize(
    "target",
    [
        "{pk}",
        "http://testserver/activities/{pk}-slug/",
        "https://kruzhok.example/activities/{pk}-shakhmaty/?utm=1",
        "/activities/{pk}-x/",
        "  {pk}  ",
    ],
)
def test_activity_is_found_by_id_or_pasted_url(editor, activity_x, target):
    response = signed_in(editor).post(URL, form(target=target.format(pk=activity_x.pk)))
    assert response.status_code == 302
    assert Featured.objects.get().activity == activity_x


def test_event_is_found_by_its_url_or_by_id_with_kind(editor, org_x):
    ev = future_event(org_x)
    catalog.activity(organization=org_x, title="Рисунок", direction_slug="arts")  # the arts page fits
    client = signed_in(editor)
    assert client.post(URL, form(target=f"https://kruzhok.example/events/{ev.pk}/")).status_code == 302
    assert client.post(URL, form(target=str(ev.pk), kind="event", placement="arts")).status_code == 302
    assert list(Featured.objects.values_list("event_id", flat=True)) == [ev.pk, ev.pk]


def test_editor_page_lists_current_upcoming_and_past_per_placement(editor, activity_x):
    pick(editor, activity=activity_x)
    pick(editor, activity=activity_x, starts=5, ends=9)
    past = pick(editor, activity=activity_x)
    Featured.objects.filter(pk=past.pk).update(
        starts_on=today() - timedelta(days=9), ends_on=today() - timedelta(days=2)
    )
    response = signed_in(editor).get(URL)
    home = response.context["placements"][0]
    assert (len(home.current), len(home.upcoming), len(home.past)) == (1, 1, 1)
    page = response.content.decode()
    assert "Сейчас" in page and "Скоро" in page and "Закончились" in page
    assert [p.key for p in response.context["placements"]][:1] == ["home"]
    assert len(response.context["placements"]) == 7


def test_editor_page_queries_are_bounded(editor, org_x, django_assert_max_num_queries):
    for _n in range(6):
        pick(editor, activity=catalog.activity(organization=org_x))
        pick(editor, ev=future_event(org_x))
    client = signed_in(editor)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


def _refused(editor, data, field, text=""):
    response = signed_in(editor).post(URL, data)
    assert response.status_code == 400
    assert response.context["form"].errors[field], response.context["form"].errors
    if text:
        assert text in " ".join(response.context["form"].errors[field])
    assert not Featured.objects.exists()
    assert unsafe(response.content.decode()) == []


def test_unknown_and_unpublished_targets_are_refused(editor, activity_x, org_x):
    _refused(editor, form(target="999999"), "target", "нет среди опубликованных")
    _refused(editor, form(target="999999", kind="event"), "target", "нет среди опубликованных")
    activity_x.status = Status.DRAFT
    activity_x.save()
    _refused(editor, form(target=str(activity_x.pk)), "target")
    cancelled = future_event(org_x, status=Event.Status.CANCELLED)
    _refused(editor, form(target=f"/events/{cancelled.pk}/"), "target")
    past = event(org_x, starts="2020-03-14T11:00", ends="2020-03-14T13:00")
    _refused(editor, form(target=f"/events/{past.pk}/"), "target")


def test_activity_of_another_direction_is_refused_for_a_direction_page(editor, activity_x):
    _refused(editor, form(target=str(activity_x.pk), placement="arts"), "target", "другой направленности")


def test_event_of_another_directions_activity_is_refused_for_a_direction_page(editor, activity_x, org_x):
    tournament = future_event(org_x, activity=activity_x)  # activity_x is sport
    _refused(
        editor, form(target=f"/events/{tournament.pk}/", placement="arts"), "target", "другой направленности"
    )
    response = signed_in(editor).post(URL, form(target=f"/events/{tournament.pk}/", placement="sport"))
    assert response.status_code == 302
    assert Featured.objects.get().event_id == tournament.pk


def test_event_without_activity_fits_the_directions_its_organization_teaches(editor, activity_x, org_x):
    open_day = future_event(org_x, title="День открытых дверей")
    _refused(
        editor, form(target=f"/events/{open_day.pk}/", placement="arts"), "target", "другой направленности"
    )
    response = signed_in(editor).post(URL, form(target=f"/events/{open_day.pk}/", placement="sport"))
    assert response.status_code == 302
    assert Featured.objects.get().direction.slug == "sport"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_on": "2030-01-10", "ends_on": "2030-01-05"}, "ends_on"),
        ({"starts_on": "2020-01-01", "ends_on": "2020-01-05"}, "ends_on"),
        ({"starts_on": "завтра"}, "starts_on"),
        ({"ends_on": "31.02.2030"}, "ends_on"),
        ({"placement": "moon"}, "placement"),
        ({"placement": "<script>alert(1)</script>"}, "placement"),
        ({"kind": "comment"}, "kind"),
        ({"position": "-1"}, "position"),
        ({"position": "99999999999999"}, "position"),
        ({"target": ""}, "target"),
        ({"target": "x" * 501}, "target"),
        ({"target": "https://evil.example/comments/1/"}, "target"),
        ({"target": "javascript:alert(1)"}, "target"),
        ({"target": "12\x00"}, "target"),
        ({"target": "99999999999999999999"}, "target"),
    ],
)
def test_hostile_featured_input_is_refused(editor, activity_x, changes, field):
    changes.setdefault("target", str(activity_x.pk))
    _refused(editor, form(**changes), field)


@pytest.mark.parametrize("payload", XSS)
def test_script_as_target_is_refused_and_not_echoed_unsafely(editor, payload):
    _refused(editor, form(target=payload), "target")


def test_remove_of_unknown_pick_is_not_found(editor):
    assert signed_in(editor).post(f"{URL}999999/remove/").status_code == 404


def test_featured_post_without_csrf_is_refused(editor, activity_x):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(URL, form(target=str(activity_x.pk))).status_code == 403
    assert not Featured.objects.exists()


def test_admin_lists_promotion_models(admin_client, editor, activity_x, org_x, provider_x):
    from kruzhok.promotion.tests.test_posts import make_photo, make_post

    pick(editor, activity=activity_x)
    make_post(org_x, provider_x)
    make_photo(org_x, provider_x)
    for name in ("featured", "organizationpost", "organizationphoto"):
        assert admin_client.get(f"/admin/promotion/{name}/").status_code == 200
    assert admin_client.get("/admin/promotion/organizationphoto/add/").status_code == 403


def test_moderation_queue_links_to_the_featured_page(editor):
    assert f'href="{URL}"' in signed_in(editor).get("/moderation/").content.decode()
