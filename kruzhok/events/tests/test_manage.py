"""The provider's event pages: who may write, and what the form refuses."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kruzhok.accounts.tests import factories as account_factories
from kruzhok.catalog.tests import factories as catalog_factories
from kruzhok.core.models import AuditLog
from kruzhok.events.models import Event
from kruzhok.events.tests.factories import event, omsk

pytestmark = pytest.mark.django_db


def _form(**changes):
    data = {
        "title": "День открытых дверей",
        "description": "Приходите с родителями.",
        "kind": "open_day",
        "activity": "",
        "venue": "",
        "starts_at": "2026-12-05T11:00",
        "ends_at": "2026-12-05T13:00",
        "rrule": "",
        "exdates": "",
        "age_min": "7",
        "age_max": "14",
        "price_rub": "0",
    }
    data.update(changes)
    return data


@pytest.fixture
def provider_client(client, provider_x):
    client.force_login(provider_x)
    return client


def test_provider_creates_a_recurring_event_in_omsk_time(provider_client, org_x):
    venue = catalog_factories.venue(org_x)
    response = provider_client.post(
        f"/manage/organizations/{org_x.pk}/events/new/",
        _form(venue=str(venue.pk), rrule="rrule:freq=weekly;byday=sa;count=4", exdates="2026-12-12"),
    )
    assert response.status_code == 302
    created = Event.objects.get()
    assert created.organization == org_x and created.venue == venue
    assert created.starts_at == datetime(2026, 12, 5, 5, 0, tzinfo=ZoneInfo("UTC"))  # 11:00 Omsk = UTC+6
    assert created.rrule == "FREQ=WEEKLY;BYDAY=SA;COUNT=4"
    assert created.exdates == ["2026-12-12"]
    assert created.repeats_until == omsk("2026-12-26T13:00")
    assert AuditLog.objects.filter(action="events.event.created", object_id=str(created.pk)).exists()


def test_all_day_event_spans_whole_local_days(provider_client, org_x):
    response = provider_client.post(
        f"/manage/organizations/{org_x.pk}/events/new/",
        _form(all_day="on", starts_at="2026-12-30", ends_at="2026-12-31"),
    )
    assert response.status_code == 302
    created = Event.objects.get()
    assert created.starts_at == omsk("2026-12-30T00:00") and created.ends_at == omsk("2027-01-01T00:00")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rrule": "FREQ=SECONDLY"}, "rrule"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule"),
        ({"rrule": "FREQ=DAILY;DTSTART=20260101T000000"}, "rrule"),
        ({"rrule": "FREQ=DAILY;INTERVAL=0"}, "rrule"),
        ({"rrule": "FREQ=DAILY;UNTIL=tomorrow"}, "rrule"),
        ({"rrule": "FREQ=DAILY;" + "BYMONTH=1;" * 60}, "rrule"),
        ({"rrule": "<script>alert(1)</script>"}, "rrule"),
        ({"exdates": "2026-12-12"}, "exdates"),  # exceptions without a rule
        ({"rrule": "FREQ=DAILY", "exdates": "когда-нибудь"}, "exdates"),
        ({"ends_at": "2026-12-05T10:00"}, "ends_at"),
        ({"ends_at": "2026-12-05T11:00"}, "ends_at"),
        ({"ends_at": "2027-03-05T11:00"}, "ends_at"),
        ({"starts_at": "5 декабря"}, "starts_at"),
        ({"age_min": "14", "age_max": "7"}, "age_max"),
        ({"age_min": "-1"}, "age_min"),
        ({"price_rub": "-5"}, "price_rub"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "д" * 10_001}, "description"),
        ({"kind": "rave"}, "kind"),
    ],
)
def test_event_form_refuses_hostile_input_and_saves_nothing(provider_client, org_x, changes, field):
    response = provider_client.post(f"/manage/organizations/{org_x.pk}/events/new/", _form(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Event.objects.exists()


def test_another_organizations_activity_or_venue_is_not_a_choice(provider_client, org_x, org_y):
    foreign_activity = catalog_factories.activity(organization=org_y)
    foreign_venue = catalog_factories.venue(org_y)
    for changes in ({"activity": str(foreign_activity.pk)}, {"venue": str(foreign_venue.pk)}):
        response = provider_client.post(f"/manage/organizations/{org_x.pk}/events/new/", _form(**changes))
        assert response.status_code == 400
        assert next(iter(changes)) in response.context["form"].errors
    assert not Event.objects.exists()


def test_script_payload_is_stored_as_text_and_shown_escaped(provider_client, client, org_x):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    provider_client.post(
        f"/manage/organizations/{org_x.pk}/events/new/",
        _form(title=payload, description=payload, starts_at="2030-01-05T11:00", ends_at="2030-01-05T12:00"),
    )
    created = Event.objects.get()
    assert created.title == payload
    page = client.get(created.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_zero_width_and_control_characters_are_dropped_from_the_title(provider_client, org_x):
    provider_client.post(
        f"/manage/organizations/{org_x.pk}/events/new/", _form(title="Кон\u200bцерт\x07  хора\u202e")
    )
    assert Event.objects.get().title == "Концерт хора"


def test_provider_cannot_edit_or_cancel_other_orgs_event(provider_client, org_y):
    theirs = event(org_y)
    assert provider_client.get(f"/manage/events/{theirs.pk}/").status_code == 404
    assert provider_client.post(f"/manage/events/{theirs.pk}/", _form()).status_code == 404
    assert provider_client.post(f"/manage/events/{theirs.pk}/cancel/").status_code == 404
    assert provider_client.post(f"/manage/organizations/{org_y.pk}/events/new/", _form()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "published" and theirs.title != "День открытых дверей"
    assert Event.objects.count() == 1


def test_provider_edits_and_cancels_own_event_with_audit(provider_client, org_x):
    mine = event(org_x)
    page = provider_client.get(f"/manage/events/{mine.pk}/")
    assert page.status_code == 200
    # The form shows Omsk wall-clock time, as the provider typed it.
    assert page.context["form"].initial["starts_at"].isoformat() == "2026-03-14T11:00:00"
    response = provider_client.post(
        f"/manage/events/{mine.pk}/", _form(title="Новое название", rrule="FREQ=MONTHLY;COUNT=3")
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.title == "Новое название" and mine.rrule == "FREQ=MONTHLY;COUNT=3"
    log = AuditLog.objects.get(action="events.event.updated")
    assert log.data["changed"]["title"][1] == "Новое название"
    assert provider_client.post(f"/manage/events/{mine.pk}/cancel/").status_code == 302
    mine.refresh_from_db()
    assert mine.status == "cancelled"
    assert AuditLog.objects.filter(action="events.event.cancelled", object_id=str(mine.pk)).count() == 1
    provider_client.post(f"/manage/events/{mine.pk}/cancel/")  # twice: still one entry
    assert AuditLog.objects.filter(action="events.event.cancelled").count() == 1


def test_editor_may_edit_any_organizations_event(client, org_y):
    editor = account_factories.user("events-editor@example.org", is_editor=True)
    account_factories.enrol_totp(editor)
    client.force_login(editor)
    theirs = event(org_y)
    response = client.post(f"/manage/events/{theirs.pk}/", _form(title="Правка редактора"))
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.title == "Правка редактора"


def test_organization_page_links_to_its_events(provider_client, org_x):
    page = provider_client.get(f"/manage/organizations/{org_x.pk}/").content.decode()
    assert f"/manage/organizations/{org_x.pk}/events/" in page


def test_a_rule_no_date_can_fit_is_refused_and_nothing_is_saved(provider_client, org_x):
    response = provider_client.post(
        f"/manage/organizations/{org_x.pk}/events/new/",
        _form(rrule="FREQ=WEEKLY;BYYEARDAY=100;BYMONTH=1,6"),
    )
    assert response.status_code == 400
    assert "Правило повторения не даёт ни одной даты" in response.content.decode()
    assert not Event.objects.exists()


def test_the_form_speaks_russian_in_its_empty_choices(provider_client, org_x):
    # Django 6.1 labels an optional select's empty choice «- Select an option -» and has no Russian for it yet.
    page = provider_client.get(f"/manage/organizations/{org_x.pk}/events/new/").content.decode()
    assert "Select an option" not in page
    assert "— не выбрано —" in page
