"""/dashboard/targets/: editors set the city's offer (okrug × direction); hostile input is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from kruzhok.accounts.tests import factories as people
from kruzhok.analytics.forms import target_field_name
from kruzhok.analytics.models import CoverageTarget
from kruzhok.catalog.models import Department, Direction
from kruzhok.core.models import AuditLog
from kruzhok.places.models import District

pytestmark = pytest.mark.django_db
URL = "/dashboard/targets/"


@pytest.fixture
def editor_client(client, editor):
    people.enrol_totp(editor)
    client.force_login(editor)
    return client


@pytest.fixture
def cell():
    okrug = District.objects.filter(kind="okrug").order_by("name").first()
    direction = Direction.objects.get(slug="sport")
    return okrug, direction, target_field_name(okrug.pk, direction.pk)


def test_editor_sees_one_labelled_field_per_okrug_and_direction(editor_client):
    page = editor_client.get(URL).content.decode()
    assert (
        page.count('type="number"')
        == District.objects.filter(kind="okrug").count() * Direction.objects.count()
    )
    assert page.count("<label for=") >= 30


def test_editor_sets_changes_and_clears_a_target_with_one_audit_line_each_time(editor_client, editor, cell):
    okrug, direction, name = cell
    response = editor_client.post(URL, {name: "12"})
    assert response.status_code == 302
    target = CoverageTarget.objects.get(okrug=okrug, direction=direction)
    assert (target.expected, target.updated_by) == (12, editor)
    editor_client.post(URL, {name: "15"})
    assert CoverageTarget.objects.get(okrug=okrug, direction=direction).expected == 15
    editor_client.post(URL, {name: ""})
    assert not CoverageTarget.objects.exists()
    logs = list(AuditLog.objects.filter(action="analytics.coverage_targets.changed").order_by("pk"))
    assert [log.data["changes"][0]["to"] for log in logs] == [12, 15, None]
    assert all(log.actor == editor for log in logs)


def test_saving_unchanged_targets_writes_no_audit_line(editor_client, cell):
    _okrug, _direction, name = cell
    editor_client.post(URL, {name: "3"})
    editor_client.post(URL, {name: "3"})
    assert AuditLog.objects.filter(action="analytics.coverage_targets.changed").count() == 1


@pytest.mark.parametrize(
    "value",
    ["-1", "1.5", "abc", "<script>alert(1)</script>", "9" * 400, "100001", "1e3", "\x00", " 12; DROP TABLE"],
)
def test_hostile_values_are_refused_and_nothing_is_saved(editor_client, cell, value):
    okrug, direction, name = cell
    CoverageTarget.objects.create(okrug=okrug, direction=direction, expected=7)
    other = target_field_name(okrug.pk, Direction.objects.get(slug="arts").pk)
    response = editor_client.post(URL, {name: value, other: "5"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Не сохранено" in page
    assert "<script>alert(1)" not in page
    assert list(CoverageTarget.objects.values_list("expected", flat=True)) == [7]


def test_unknown_ids_and_non_okrug_districts_in_field_names_are_ignored(editor_client, cell):
    _okrug, direction, name = cell
    micro = District.objects.filter(kind="microdistrict").first()
    editor_client.post(
        URL,
        {
            name: "4",
            "t_999999_999999": "5",
            f"t_{micro.pk if micro else 0}_{direction.pk}": "6",
            "okrug": "1",
        },
    )
    assert list(CoverageTarget.objects.values_list("expected", flat=True)) == [4]


def test_a_post_without_csrf_token_is_refused(editor):
    people.enrol_totp(editor)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    okrug = District.objects.filter(kind="okrug").first()
    direction = Direction.objects.first()
    response = client.post(URL, {target_field_name(okrug.pk, direction.pk): "3"})
    assert response.status_code == 403
    assert not CoverageTarget.objects.exists()


def test_only_editors_may_open_the_targets(client):
    assert client.get(URL).status_code == 302  # sign in first
    member = people.department_member(Department.objects.get(slug="education"))
    client.force_login(member)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {}).status_code == 403
    assert not CoverageTarget.objects.exists()


def test_the_targets_show_on_the_dashboard(editor_client, cell):
    okrug, direction, name = cell
    editor_client.post(URL, {name: "9"})
    page = editor_client.get("/dashboard/").content.decode()
    assert (
        f'<th scope="row">{okrug.name}</th><td>{direction.name_ru}</td><td>0</td><td>9</td><td>0</td></tr>'
        in page
    )


def test_two_editors_saving_at_once_keep_each_others_changes(editor_client, cell):
    okrug, direction, name = cell
    other = target_field_name(okrug.pk, Direction.objects.get(slug="arts").pk)
    CoverageTarget.objects.create(okrug=okrug, direction=direction, expected=7)
    shown = {name: "7", f"initial-{name}": "7", other: "", f"initial-{other}": ""}
    # Olga sets arts to 5; Pavel, who opened the grid at the same time, sets sport to 9
    editor_client.post(URL, {**shown, other: "5"})
    editor_client.post(URL, {**shown, name: "9"})
    assert dict(CoverageTarget.objects.values_list("direction__slug", "expected")) == {"sport": 9, "arts": 5}


def test_a_post_without_some_fields_leaves_their_targets_alone(editor_client, cell):
    okrug, direction, name = cell
    CoverageTarget.objects.create(okrug=okrug, direction=direction, expected=7)
    other = target_field_name(okrug.pk, Direction.objects.get(slug="arts").pk)
    response = editor_client.post(URL, {other: "5"})
    assert response.status_code == 302
    assert dict(CoverageTarget.objects.values_list("direction__slug", "expected")) == {"sport": 7, "arts": 5}


def test_the_grid_carries_the_values_it_was_shown_with(editor_client, cell):
    okrug, direction, name = cell
    CoverageTarget.objects.create(okrug=okrug, direction=direction, expected=7)
    page = editor_client.get(URL).content.decode()
    assert f'type="hidden" name="initial-{name}" value="7"' in page


@pytest.mark.parametrize("shown", ["abc", "<script>", "-1", "9" * 400])
def test_a_tampered_shown_value_falls_back_to_the_stored_one(editor_client, cell, shown):
    okrug, direction, name = cell
    CoverageTarget.objects.create(okrug=okrug, direction=direction, expected=7)
    editor_client.post(URL, {name: "7", f"initial-{name}": shown})
    assert CoverageTarget.objects.get().expected == 7
    assert not AuditLog.objects.filter(action="analytics.coverage_targets.changed").exists()
    editor_client.post(URL, {name: "8", f"initial-{name}": shown})
    assert CoverageTarget.objects.get().expected == 8
