"""/contribute/: a signed-in citizen adds a new activity; nothing is public until accepted."""

from __future__ import annotations

import pytest

from kruzhok.catalog.models import Activity, Organization
from kruzhok.core.models import AuditLog
from kruzhok.moderation.models import Suggestion
from kruzhok.moderation.tests.contribute_helpers import *  # noqa: F403
from kruzhok.moderation.tests.contribute_helpers import XSS, assert_no_active_content, new_form

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in_and_told_reports_need_no_account(client):
    response = client.get("/contribute/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/account/login/?next=/contribute/"
    )
    page = client.get(response["Location"]).content.decode()
    assert "Сообщить о проблеме можно и без входа" in page


def test_form_renders_with_labels_and_the_citizens_own_suggestions(citizen_client, citizen):
    Suggestion.objects.create(kind="new_activity", author=citizen, data={"activity": {"title": "Моё старое"}})
    page = citizen_client.get("/contribute/").content.decode()
    for label in ("Название занятия", "Организация", "Адрес занятия", "Расписание", "Возраст от, лет"):
        assert label in page
    assert "Моё старое" in page and "ждёт решения" in page


def test_check_step_shows_the_resolved_organization_and_sends_nothing(citizen_client):
    response = citizen_client.post("/contribute/", new_form())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Проверьте перед отправкой" in page and "новая, редактор добавит её" in page
    assert 'name="send"' in page
    assert Suggestion.objects.count() == 0


def test_send_creates_a_new_activity_suggestion_with_the_documented_payload(
    citizen_client, citizen, existing
):
    form = new_form(organization="дворец творчества «сибирь»", send="1")
    response = citizen_client.post("/contribute/", form)
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/contribute/sent/{suggestion.pk}/"
    assert suggestion.kind == "new_activity" and suggestion.author == citizen and suggestion.is_pending
    data = suggestion.data
    assert data["organization"] == {"id": existing.organization_id}  # matched by name, case-folded
    assert data["venue"] == {"id": existing.venue_id}  # the organization's own venue at that address
    assert data["activity"]["schedule"] == "Вт,Чт 17:00-18:30"
    assert data["activity"]["categories"] == ["ecology"] and data["activity"]["age_min"] == 9
    assert data["activity"]["price_rub"] == 1200 and data["activity"]["ovz"] is False
    assert AuditLog.objects.filter(action="moderation.suggestion.submitted", actor=citizen).exists()
    # Nothing new is public: no activity, no organization.
    assert Activity.objects.count() == 1 and Organization.objects.count() == 1
    done = citizen_client.get(response["Location"]).content.decode()
    assert "Спасибо! Предложение отправлено" in done and "Клуб юных астрономов" in done


def test_new_organization_and_geocoded_address_go_into_the_payload(citizen_client):
    citizen_client.post("/contribute/", new_form(organization_inn="55 0765 4321", send="1"))
    data = Suggestion.objects.get().data
    assert (
        data["organization"]["name"] == "Обсерватория «Звезда»"
        and data["organization"]["inn"] == "5507654321"
    )
    assert data["organization"]["kind"] == "ngo"
    assert data["venue"]["address"] == "улица Лукашевича, 14"
    assert data["venue"]["lat"] == pytest.approx(54.98, abs=0.1) and data["venue"]["lon"] == pytest.approx(
        73.3, abs=0.2
    )


def test_duplicates_are_shown_before_sending(citizen_client, existing):
    page = citizen_client.post(
        "/contribute/", new_form(title="Шахматная школа Ладья", organization=existing.organization.name)
    ).content.decode()
    assert "Возможно, это уже есть" in page and existing.get_absolute_url() in page
    live = citizen_client.get(
        "/contribute/duplicates/", {"title": "шахматная школа ладья", "address": "улица Лукашевича, 14"}
    ).content.decode()
    assert existing.get_absolute_url() in live
    assert (
        "Возможно"
        not in citizen_client.get(
            "/contribute/duplicates/", {"title": "Гончарная мастерская"}
        ).content.decode()
    )


def test_suggestion_endpoints_offer_organizations_and_addresses(citizen_client, existing):
    orgs = citizen_client.get("/contribute/organizations/", {"organization": "дворец твор"}).content.decode()
    assert "Дворец творчества «Сибирь»" in orgs
    places = citizen_client.get(
        "/contribute/addresses/", {"address": "лукаш", "organization": existing.organization.name}
    ).content.decode()
    assert '<option value="улица Лукашевича, 14">' in places


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"age_min": "17", "age_max": "3"}, "age_max", "не может быть меньше"),
        ({"age_min": "-1"}, "age_min", "больше либо равно 0"),
        ({"age_max": "40"}, "age_max", "меньше либо равно 18"),
        ({"price_rub": "-5"}, "price_rub", "больше либо равно 0"),
        ({"organization_inn": "12345"}, "organization_inn", "ИНН — это 10 цифр"),
        ({"direction": "witchcraft"}, "direction", "Выберите корректный вариант"),
        ({"categories": ["nope"]}, "categories", "Выберите корректный вариант"),
        ({"schedule": "когда-нибудь"}, "schedule", "«когда-нибудь»"),
        ({"title": "x" * 10_000}, "title", "не более 300"),
        ({"description": "x" * 10_000}, "description", "не более 5000"),
        ({"website": "javascript:alert(1)"}, "website", "правильный URL"),
        ({"phone": "<script>"}, "phone", "Телефон"),
        ({"address": ""}, "address", "Укажите адрес"),
        ({"title": ""}, "title", "Обязательное поле"),
    ],
)
def test_hostile_input_is_refused_with_a_clear_error_and_nothing_saved(
    citizen_client, override, field, message
):
    form = new_form(send="1", **override)
    response = citizen_client.post("/contribute/", form)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in page, page[page.find("field-error") - 500 :][:1500]
    assert message in page
    assert Suggestion.objects.count() == 0
    # what was typed is kept
    assert "Клуб юных астрономов" in page or field == "title"


def test_script_payloads_are_stored_as_text_and_shown_escaped(citizen_client, citizen):
    citizen_client.post("/contribute/", new_form(title=XSS[:290], description=XSS, note=XSS, send="1"))
    suggestion = Suggestion.objects.get()
    assert suggestion.data["activity"]["description"] == XSS
    page = citizen_client.get("/contribute/").content.decode()
    assert_no_active_content(page)
    assert "&lt;script&gt;" in page


def test_honeypot_filled_saves_nothing(citizen_client):
    response = citizen_client.post("/contribute/", new_form(website_url="http://spam.example", send="1"))
    assert response.status_code == 200 and Suggestion.objects.count() == 0
    assert "Форма не отправлена" in response.content.decode()


def test_rate_limit_answers_429_after_the_limit(citizen_client, settings):
    from kruzhok.moderation.views.suggestions import CONTRIBUTE_LIMIT

    for i in range(CONTRIBUTE_LIMIT):
        assert citizen_client.post("/contribute/", new_form(title=f"Кружок {i}", send="1")).status_code == 302
    assert citizen_client.post("/contribute/", new_form(title="ещё один", send="1")).status_code == 429
    assert Suggestion.objects.count() == CONTRIBUTE_LIMIT


def test_a_citizen_sees_only_their_own_confirmation_pages(client, citizen, other_citizen):
    theirs = Suggestion.objects.create(
        kind="new_activity", author=other_citizen, data={"activity": {"title": "Чужое"}}
    )
    client.force_login(citizen)
    assert client.get(f"/contribute/sent/{theirs.pk}/").status_code == 404
    assert "Чужое" not in client.get("/contribute/").content.decode()


def test_several_organizations_with_one_name_ask_for_the_inn(citizen_client, existing):
    Organization.objects.create(name=existing.organization.name)
    page = citizen_client.post(
        "/contribute/", new_form(organization=existing.organization.name, send="1")
    ).content.decode()
    assert "укажите ИНН" in page and Suggestion.objects.count() == 0
    citizen_client.post(
        "/contribute/",
        new_form(organization=existing.organization.name, organization_inn="5501234567", send="1"),
    )
    assert Suggestion.objects.get().data["organization"] == {"id": existing.organization_id}
