"""Suggested edits and an editor's decisions: partial accept, stale fields, one decision only,
versions, audit log, mails to the author; a new entry is public only after acceptance."""

from __future__ import annotations

import pytest
from django.core import mail

from kruzhok.catalog.models import Activity, Organization, Venue
from kruzhok.core.models import AuditLog
from kruzhok.moderation.models import ActivityVersion, Suggestion
from kruzhok.moderation.suggestions import SuggestionError, suggestion_accept, suggestion_reject
from kruzhok.moderation.tests.contribute_helpers import *  # noqa: F403
from kruzhok.moderation.tests.contribute_helpers import XSS, assert_no_active_content, new_form

pytestmark = pytest.mark.django_db


def _edit_form(activity: Activity, **over):
    from kruzhok.moderation.selectors import editable_values

    current = editable_values(activity)
    data = {k: ("" if v is None else v) for k, v in current.items()}
    data["ovz"] = "on" if current["ovz"] else ""
    data.update(over)
    return {k: v for k, v in data.items() if v != "" or k in over}


def _suggest(client, activity, **over):
    return client.post(f"/activities/{activity.pk}/suggest/", _edit_form(activity, **over))


# --- suggesting an edit ----------------------------------------------------------------------


def test_suggest_page_needs_sign_in_and_prefills_current_values(client, citizen, existing):
    assert client.get(f"/activities/{existing.pk}/suggest/").status_code == 302
    client.force_login(citizen)
    page = client.get(f"/activities/{existing.pk}/suggest/").content.decode()
    assert 'value="Шахматная школа «Ладья»"' in page and "улица Лукашевича, 14" in page
    assert "Пн,Ср 15:00-16:30" in page
    assert "Предложить правку" in client.get(existing.get_absolute_url()).content.decode()


def test_only_changed_fields_are_stored_with_their_current_values(citizen_client, citizen, existing):
    response = _suggest(citizen_client, existing, phone="+7 900 000-00-00", age_max="14", note="звонила сама")
    assert response.status_code == 302 and response["Location"] == existing.get_absolute_url()
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == "edit" and suggestion.activity == existing and suggestion.author == citizen
    assert suggestion.data == {"phone": "+7 900 000-00-00", "age_max": 14}
    assert suggestion.original == {"phone": "", "age_max": 12}
    assert suggestion.note == "звонила сама"
    existing.refresh_from_db()
    assert existing.phone == "" and existing.age_max == 12  # nothing changes before an editor decides


def test_an_empty_suggestion_is_refused_clearly(citizen_client, existing):
    response = _suggest(citizen_client, existing)
    assert response.status_code == 200 and "Вы ничего не изменили" in response.content.decode()
    assert Suggestion.objects.count() == 0


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"age_min": "17", "age_max": "3"}, "не может быть меньше"),
        ({"price_rub": "-100"}, "больше либо равно 0"),
        ({"direction": "unknown"}, "Выберите корректный вариант"),
        ({"title": "щ" * 10_000}, "не более 300"),
        ({"schedule": "<script>alert(1)</script>"}, "script"),
    ],
)
def test_hostile_edits_are_refused(citizen_client, existing, override, message):
    response = _suggest(citizen_client, existing, **override)
    assert response.status_code == 200 and message in response.content.decode()
    assert Suggestion.objects.count() == 0


def test_unpublished_activities_cannot_be_edited_by_suggestion(citizen_client, existing):
    existing.status = "draft"
    existing.save()
    assert citizen_client.get(f"/activities/{existing.pk}/suggest/").status_code == 404
    assert citizen_client.get("/activities/999999/suggest/").status_code == 404


# --- deciding on an edit ---------------------------------------------------------------------


@pytest.fixture
def edit(citizen_client, existing):
    _suggest(
        citizen_client, existing, phone="+7 900 000-00-00", title="Шахматный клуб «Ладья»", price_rub="900"
    )
    return Suggestion.objects.get()


def test_editor_sees_the_side_by_side_diff(editor_client, edit):
    page = editor_client.get(f"/moderation/suggestions/{edit.pk}/").content.decode()
    for text in (
        "Сейчас",
        "Было при предложении",
        "Предложено",
        "Шахматный клуб «Ладья»",
        "+7 900 000-00-00",
    ):
        assert text in page
    assert "уже изменилась" not in page


def test_partial_accept_applies_only_the_ticked_fields(
    editor_client, editor, edit, existing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            f"/moderation/suggestions/{edit.pk}/", {"decision": "accept", "accepted": ["title", "phone"]}
        )
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.title == "Шахматный клуб «Ладья»" and existing.phone == "+7 900 000-00-00"
    assert existing.price_rub == 0  # not ticked
    edit.refresh_from_db()
    assert (
        edit.status == "partly" and edit.accepted_fields == ["title", "phone"] and edit.decided_by == editor
    )
    assert AuditLog.objects.filter(action="moderation.suggestion.partly", actor=editor).exists()
    versions = list(ActivityVersion.objects.filter(activity=existing).order_by("number"))
    assert [v.action for v in versions] == ["created", "suggestion"]
    assert (
        versions[0].data["title"] == "Шахматная школа «Ладья»" and versions[1].data["title"] == existing.title
    )
    (message,) = mail.outbox
    assert message.to == ["anna@example.org"] and message.subject == "Ваша правка принята частично"
    assert "Принято: Название, Телефон" in message.body and "Не принято: Цена в месяц, ₽" in message.body
    assert existing.get_absolute_url() in message.body


def test_accept_all_applies_every_field(editor, edit, existing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        suggestion_accept(suggestion=edit, editor=editor)
    existing.refresh_from_db()
    assert existing.price_rub == 900 and existing.title == "Шахматный клуб «Ладья»"
    assert Suggestion.objects.get().status == "accepted"
    assert mail.outbox[0].subject == "Ваша правка принята"
    assert AuditLog.objects.filter(action="moderation.suggestion.accepted").exists()


def test_schedule_categories_direction_and_address_edits_apply(citizen_client, editor, existing):
    _suggest(
        citizen_client,
        existing,
        schedule="Сб 10:00-11:30",
        categories=["chess", "programming"],
        direction="technical",
        address="улица Ленина, 10",
    )
    suggestion_accept(suggestion=Suggestion.objects.get(), editor=editor)
    existing.refresh_from_db()
    assert existing.direction.slug == "technical"
    assert sorted(existing.categories.values_list("slug", flat=True)) == ["chess", "programming"]
    assert [(s.weekday, s.starts_at.hour) for g in existing.groups.all() for s in g.slots.all()] == [(5, 10)]
    assert (
        existing.venue.address == "улица Ленина, 10" and existing.venue.organization == existing.organization
    )
    assert existing.venue.lat is not None  # geocoded by the gazetteer
    assert Venue.objects.filter(address="улица Лукашевича, 14").exists()  # the old venue stays


def test_stale_fields_are_flagged_when_the_entry_changed_since(editor_client, edit, existing):
    existing.phone = "+7 3812 99-99-99"
    existing.save()
    page = editor_client.get(f"/moderation/suggestions/{edit.pk}/").content.decode()
    assert "уже изменилась" in page and 'class="is-stale"' in page
    assert page.count('class="is-stale"') == 1


def test_accepting_one_age_that_breaks_the_range_is_refused(citizen_client, editor, existing):
    _suggest(citizen_client, existing, age_min="13", age_max="16")
    with pytest.raises(SuggestionError, match="примите оба поля"):
        suggestion_accept(suggestion=Suggestion.objects.get(), editor=editor, fields=["age_min"])
    existing.refresh_from_db()
    assert existing.age_min == 7 and Suggestion.objects.get().is_pending


def test_reject_needs_a_reason_and_mails_it_in_the_authors_language(
    client, other_citizen, editor, existing, django_capture_on_commit_callbacks
):
    client.force_login(other_citizen)
    _suggest(client, existing, phone="+7 111 111-11-11")
    suggestion = Suggestion.objects.get()
    client.force_login(editor)
    empty = client.post(f"/moderation/suggestions/{suggestion.pk}/", {"decision": "reject", "reason": "  "})
    assert empty.status_code == 200 and "Напишите причину" in empty.content.decode()
    assert Suggestion.objects.get().is_pending
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/moderation/suggestions/{suggestion.pk}/",
            {"decision": "reject", "reason": "Телефон не отвечает"},
        )
    suggestion.refresh_from_db()
    assert suggestion.status == "rejected" and suggestion.reason == "Телефон не отвечает"
    (message,) = mail.outbox
    assert message.to == ["boris@example.org"] and "Телефон не отвечает" in message.body
    assert message.subject == "Your suggestion was not accepted"
    assert AuditLog.objects.filter(action="moderation.suggestion.rejected", actor=editor).exists()


def test_a_second_decision_is_refused(editor_client, editor, edit):
    suggestion_reject(suggestion=edit, editor=editor, reason="дубль")
    with pytest.raises(SuggestionError, match="уже принято решение"):
        suggestion_accept(suggestion=edit, editor=editor)
    stale_page = editor_client.post(
        f"/moderation/suggestions/{edit.pk}/", {"decision": "accept", "accepted": ["phone"]}
    )
    assert stale_page.status_code == 400 and "уже принято решение" in stale_page.content.decode()
    assert Suggestion.objects.get().status == "rejected"


def test_editors_only(client, citizen, edit):
    assert client.get(f"/moderation/suggestions/{edit.pk}/").status_code == 302
    client.force_login(citizen)
    assert client.get(f"/moderation/suggestions/{edit.pk}/").status_code == 403
    assert client.post(f"/moderation/suggestions/{edit.pk}/", {"decision": "accept"}).status_code == 403
    assert Suggestion.objects.get().is_pending


def test_accept_with_unknown_or_no_field_is_refused(editor_client, edit):
    for fields in (["nonsense"], []):
        response = editor_client.post(
            f"/moderation/suggestions/{edit.pk}/", {"decision": "accept", "accepted": fields}
        )
        assert response.status_code == 200
    assert Suggestion.objects.get().is_pending


# --- a new activity --------------------------------------------------------------------------


def _search_titles(client, q):
    return client.get("/search/", {"q": q}).content.decode()


def test_new_entry_is_public_and_searchable_only_after_acceptance(
    client, citizen, editor, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    client.post("/contribute/", new_form(send="1", title="Клуб юных астрономов «Орбита»"))
    suggestion = Suggestion.objects.get()
    assert not Activity.objects.filter(title__contains="Орбита").exists()
    assert "Орбита" not in _search_titles(client, "астрономов")

    client.force_login(editor)
    page = client.get(f"/moderation/suggestions/{suggestion.pk}/").content.decode()
    assert "Обсерватория «Звезда»" in page and "Вт,Чт 17:00-18:30" in page
    form = {f"c-{k}": v for k, v in new_form(title="Клуб астрономов «Орбита»").items()}
    form["decision"] = "accept"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/moderation/suggestions/{suggestion.pk}/", form)
    assert response.status_code == 302, response.content.decode()[:3000]

    activity = Activity.objects.get(title="Клуб астрономов «Орбита»")  # the editor's correction
    assert activity.is_live and activity.verified_at is not None
    assert activity.organization.name == "Обсерватория «Звезда»" and activity.organization.kind == "ngo"
    assert activity.venue.address == "улица Лукашевича, 14" and activity.venue.district is not None
    assert [s.weekday for g in activity.groups.all() for s in g.slots.all()] == [1, 3]
    assert list(activity.categories.values_list("slug", flat=True)) == ["ecology"]
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.activity == activity
    assert ActivityVersion.objects.filter(activity=activity, action="suggestion").count() == 1
    assert AuditLog.objects.filter(action="moderation.suggestion.accepted", actor=editor).exists()
    assert client.get(activity.get_absolute_url()).status_code == 200
    assert "Орбита" in _search_titles(client, "астрономов")
    (message,) = mail.outbox
    assert message.subject == "Ваше занятие опубликовано" and activity.get_absolute_url() in message.body


def test_new_entry_at_an_existing_organization_reuses_it(citizen_client, editor, existing):
    citizen_client.post("/contribute/", new_form(organization=existing.organization.name, send="1"))
    suggestion_accept(suggestion=Suggestion.objects.get(), editor=editor)
    created = Activity.objects.get(title="Клуб юных астрономов")
    assert created.organization == existing.organization and created.venue == existing.venue
    assert Organization.objects.count() == 1


def test_new_entry_duplicates_are_shown_to_the_editor(citizen_client, editor_client, existing):
    citizen_client.post(
        "/contribute/",
        new_form(title="Шахматная школа Ладья", organization=existing.organization.name, send="1"),
    )
    page = editor_client.get(f"/moderation/suggestions/{Suggestion.objects.get().pk}/").content.decode()
    assert "Возможно, это уже есть" in page and existing.get_absolute_url() in page


def test_editor_corrections_are_validated(citizen_client, editor_client):
    citizen_client.post("/contribute/", new_form(send="1"))
    suggestion = Suggestion.objects.get()
    form = {f"c-{k}": v for k, v in new_form(age_min="17", age_max="3").items()}
    response = editor_client.post(f"/moderation/suggestions/{suggestion.pk}/", {**form, "decision": "accept"})
    assert response.status_code == 200 and "не может быть меньше" in response.content.decode()
    assert Suggestion.objects.get().is_pending and not Activity.objects.exists()


def test_script_in_a_new_entry_is_escaped_on_the_editor_page(citizen_client, editor_client):
    citizen_client.post("/contribute/", new_form(description=XSS, note=XSS, send="1"))
    page = editor_client.get(f"/moderation/suggestions/{Suggestion.objects.get().pk}/").content.decode()
    assert_no_active_content(page)
    assert "&lt;script&gt;alert(1)" in page
