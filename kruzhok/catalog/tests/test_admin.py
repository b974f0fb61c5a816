"""The admin loads for a superuser on every model, and the audit log cannot be edited there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from kruzhok.catalog.models import Activity, Category, Department, Direction, Group, Organization, Venue
from kruzhok.catalog.tests import factories
from kruzhok.core.models import AuditLog
from kruzhok.core.services import audit_log
from kruzhok.places.models import District

pytestmark = [
    pytest.mark.django_db,
]

MODELS = [Direction, Category, Department, Organization, Venue, Activity, Group, District, AuditLog]


@pytest.fixture
def admin_client_with_data(admin_client, admin_user):
    act = factories.activity(title="Футбол «Иртыш»", venue=factories.venue(district=factories.okrug_row()))
    audit_log(action="catalog.activity.created", obj=act, actor=admin_user, data={"title": act.title})
    return admin_client, act


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_is_registered(model):
    assert model in admin.site._registry


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_loads_and_searches(admin_client_with_data, model):
    client, _act = admin_client_with_data
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "changelist"), {"q": "Иртыш"}).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_form_loads_for_an_existing_row(admin_client_with_data, model):
    client, _act = admin_client_with_data
    obj = model.objects.first()
    response = client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200


def test_activity_change_form_has_group_inline_and_autocomplete(admin_client_with_data):
    client, act = admin_client_with_data
    html = client.get(_url(Activity, "change", act.pk)).content.decode()
    assert "Основная группа" in html  # the group inline
    assert "data-autocomplete-light" in html or "admin-autocomplete" in html
    # a <select> of every organization would not survive a million rows
    assert html.count("<option") < 200


def test_group_change_form_has_schedule_inline(admin_client_with_data):
    client, act = admin_client_with_data
    group = act.groups.get()
    html = client.get(_url(Group, "change", group.pk)).content.decode()
    assert "15:00" in html and "slots-TOTAL_FORMS" in html


def test_activity_changelist_filters_work(admin_client_with_data):
    client, act = admin_client_with_data
    for params in [
        {"status__exact": "published"},
        {"direction__id__exact": act.direction_id},
        {"ovz__exact": "1"},
        {"enrollment__exact": "open"},
        {"verified": "no"},
        {"venue__district__id__exact": act.venue.district_id},
    ]:
        response = client.get(_url(Activity, "changelist"), params)
        assert response.status_code == 200, params
        assert ("Футбол «Иртыш»" in response.content.decode()) == (params != {"ovz__exact": "1"}), params


def test_big_tables_skip_the_full_count():
    for model in [Organization, Venue, Activity, Group, AuditLog]:
        assert admin.site._registry[model].show_full_result_count is False, model


def test_audit_log_is_read_only(admin_client_with_data):
    client, _act = admin_client_with_data
    entry = AuditLog.objects.get()
    assert client.get(_url(AuditLog, "add")).status_code == 403
    response = client.post(_url(AuditLog, "change", entry.pk), {"action": "tampered"})
    assert response.status_code == 403
    assert client.post(_url(AuditLog, "delete", entry.pk), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "catalog.activity.created"


def test_activity_add_form_loads(admin_client):
    assert admin_client.get(_url(Activity, "add")).status_code == 200


def test_admin_deletes_go_through_the_service_and_leave_tombstones(admin_client, admin_user):
    """The admin's delete (one object, and the bulk action) writes the audit log and tells the
    OpenActive feed, which must report rows deleted for good."""
    from kruzhok.api.models import FeedTombstone

    one, two, three = (factories.activity(title=f"Удаляемое {n}") for n in range(3))
    response = admin_client.post(_url(Activity, "delete", one.pk), {"post": "yes"})
    assert response.status_code == 302
    response = admin_client.post(
        reverse("admin:catalog_activity_changelist"),
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Activity.objects.filter(pk__in=[one.pk, two.pk, three.pk]).exists()
    buried = set(FeedTombstone.objects.filter(feed="session-series").values_list("item_id", flat=True))
    assert buried == {f"{a.pk:012d}" for a in (one, two, three)}
    deleted = AuditLog.objects.filter(action="catalog.activity.deleted", actor=admin_user)
    assert set(deleted.values_list("object_id", flat=True)) == {str(a.pk) for a in (one, two, three)}
