"""Campaigns in the admin: superusers only; the form refuses hostile or unlawful input and
nothing is saved then; the changelist shows today's numbers; reports download from it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kruzhok.catalog.tests import factories
from kruzhok.core.models import AuditLog
from kruzhok.promotion.models import AdCampaign, AdDailyStat

from .ad_factories import campaign

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/promotion/adcampaign/add/"
LIST_URL = "/admin/promotion/adcampaign/"


def png(size=(120, 90)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, "PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def advertiser():
    return factories.organization(name="Школа плавания «Дельфин»")


def form_data(org, **changes):
    today = timezone.localdate()
    data = {
        "name": "Осенний набор",
        "advertiser": org.pk,
        "text": "Бассейн для детей с 5 лет: первое занятие бесплатно.",
        "link": "https://delfin.example/nabor",
        "erid": "2VtzqwAbC7x",
        "directions": [factories.direction("sport").pk],
        "categories": [factories.category("swimming").pk],
        "okrugs": [factories.okrug_row("Кировский").pk],
        "age_min": "5",
        "age_max": "12",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
        "daily_impression_cap": "500",
        "is_active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_superuser_creates_a_campaign_with_an_image_reencoded(admin_client, admin_user, advertiser):
    response = admin_client.post(ADD_URL, {**form_data(advertiser), "image": png()})
    assert response.status_code == 302, response.content.decode()[:3000]
    ad = AdCampaign.objects.get()
    assert ad.created_by == admin_user
    assert ad.image.name.startswith("ads/") and not ad.image.name.endswith("logo.png")
    assert (ad.image_width, ad.image_height) == (120, 90)
    assert {c.slug for c in ad.categories.all()} == {"swimming"}
    assert AuditLog.objects.filter(action="promotion.ad.created", object_id=str(ad.pk)).exists()
    ad.image.delete(save=False)


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"link": "javascript:alert(1)"}, "link"),
        ({"link": "JaVaScRiPt:alert(document.cookie)//https://x"}, "link"),
        ({"link": "data:text/html,<script>alert(1)</script>"}, "link"),
        ({"link": "ftp://delfin.example/file"}, "link"),
        ({"link": "https://" + "a" * 500 + ".example/"}, "link"),
        ({"erid": "2Vtz qw"}, "erid"),
        ({"erid": "<b>2Vtzqw</b>"}, "erid"),
        ({"erid": '2Vtzqw"onmouseover=alert(1)'}, "erid"),
        ({"erid": "токен123"}, "erid"),
        ({"erid": "x" * 65}, "erid"),
        ({"erid": ""}, "erid"),
        ({"age_min": "12", "age_max": "5"}, "age_max"),
        ({"age_min": "-1"}, "age_min"),
        ({"age_max": "19"}, "age_max"),
        ({"ends_on": (timezone.localdate() - timedelta(days=1)).isoformat()}, "ends_on"),
        ({"daily_impression_cap": "0"}, "daily_impression_cap"),
        ({"daily_impression_cap": "-5"}, "daily_impression_cap"),
        ({"text": "x" * 301}, "text"),
        ({"text": "Скидка\x00 50%"}, "text"),
        ({"text": "Первая строка\nвторая"}, "text"),
        ({"text": "Обман\u202eтекст"}, "text"),
        ({"name": "Набор\x1b[31m"}, "name"),
        ({"advertiser": "999999"}, "advertiser"),
        ({"categories": ["999999"]}, "categories"),
        ({"image": SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")}, "image"),
        ({"image": SimpleUploadedFile("logo.png", SVG, content_type="image/png")}, "image"),
        (
            {"image": SimpleUploadedFile("logo.png", b"not a picture at all", content_type="image/png")},
            "image",
        ),
    ],
)
def test_hostile_input_is_refused_and_nothing_is_saved(admin_client, advertiser, changes, field):
    response = admin_client.post(ADD_URL, form_data(advertiser, **changes))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors, response.context["adminform"].form.errors
    assert not AdCampaign.objects.exists()


def test_control_characters_message_is_russian(admin_client, advertiser):
    response = admin_client.post(ADD_URL, form_data(advertiser, text="Скидка\x07"))
    assert "Уберите управляющие символы" in response.content.decode()


def test_an_oversized_image_is_refused(admin_client, advertiser, settings):
    out = io.BytesIO()
    Image.new("L", (12000, 12000)).save(out, "PNG")
    upload = SimpleUploadedFile("huge.png", out.getvalue(), content_type="image/png")
    response = admin_client.post(ADD_URL, {**form_data(advertiser), "image": upload})
    assert response.status_code == 200
    assert "image" in response.context["adminform"].form.errors
    assert not AdCampaign.objects.exists()


def test_clearing_the_image_keeps_the_campaign(admin_client, advertiser):
    assert admin_client.post(ADD_URL, {**form_data(advertiser), "image": png()}).status_code == 302
    ad = AdCampaign.objects.get()
    stored = ad.image.name
    response = admin_client.post(f"{LIST_URL}{ad.pk}/change/", {**form_data(advertiser), "image-clear": "on"})
    assert response.status_code == 302
    ad.refresh_from_db()
    assert (ad.image.name, ad.image_width, ad.image_height) == ("", 0, 0)
    ad.image.storage.delete(stored)


def test_untargeted_campaign_without_ages_is_fine(admin_client, advertiser):
    data = form_data(advertiser, directions=None, categories=None, okrugs=None, age_min="", age_max="")
    assert admin_client.post(ADD_URL, data).status_code == 302
    ad = AdCampaign.objects.get()
    assert (ad.age_min, ad.age_max, ad.directions.count()) == (None, None, 0)


def test_staff_editor_cannot_see_or_change_campaigns(client, editor):
    editor.is_staff = True  # the persona (with TOTP) is an editor; the admin needs staff too
    editor.save(update_fields=["is_staff"])
    client.force_login(editor)
    ad = campaign()
    assert client.get(LIST_URL).status_code == 403
    assert client.get(f"{LIST_URL}{ad.pk}/change/").status_code == 403
    assert client.get(f"{LIST_URL}{ad.pk}/report.csv").status_code in (302, 403)
    assert b"adcampaign" not in client.get("/admin/").content


def test_anonymous_visitor_is_sent_to_sign_in(client):
    ad = campaign()
    response = client.get(f"{LIST_URL}{ad.pk}/report.csv")
    assert response.status_code == 302 and "login" in response["Location"]


def test_changelist_shows_todays_impressions_clicks_and_ctr(admin_client):
    ad = campaign(name="Плавание осенью")
    today = timezone.localdate()
    AdDailyStat.objects.create(campaign=ad, day=today, impressions=400, clicks=10)
    AdDailyStat.objects.create(campaign=ad, day=today - timedelta(days=1), impressions=999, clicks=99)
    html = admin_client.get(LIST_URL).content.decode()
    assert "Плавание осенью" in html
    assert '<td class="field-impressions_today">400</td>' in html
    assert '<td class="field-clicks_today">10</td>' in html
    assert '<td class="field-ctr_today">2.50</td>' in html


@pytest.mark.parametrize(
    ("state", "expected"), [("running", "Идёт"), ("upcoming", "Будет"), ("finished", "Была")]
)
def test_changelist_filters_running_upcoming_and_finished(admin_client, state, expected):
    today = timezone.localdate()
    campaign(name="Идёт")
    campaign(name="Будет", starts_on=today + timedelta(days=2), ends_on=today + timedelta(days=9))
    campaign(name="Была", starts_on=today - timedelta(days=9), ends_on=today - timedelta(days=2))
    response = admin_client.get(LIST_URL, {"state": state})
    names = [ad.name for ad in response.context["cl"].result_list]
    assert names == [expected]


def test_change_page_links_to_the_report_and_editing_logs(admin_client, advertiser):
    ad = campaign(advertiser=advertiser)
    html = admin_client.get(f"{LIST_URL}{ad.pk}/change/").content.decode()
    assert f"{LIST_URL}{ad.pk}/report.csv" in html
    data = form_data(advertiser, name="Зимний набор")
    assert admin_client.post(f"{LIST_URL}{ad.pk}/change/", data).status_code == 302
    assert AuditLog.objects.filter(action="promotion.ad.changed", object_id=str(ad.pk)).exists()


def test_delete_goes_through_the_service(admin_client):
    ad = campaign()
    response = admin_client.post(f"{LIST_URL}{ad.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AdCampaign.objects.exists()
    assert AuditLog.objects.filter(action="promotion.ad.deleted", object_id=str(ad.pk)).exists()


def test_a_campaign_with_figures_cannot_be_deleted_only_switched_off(admin_client):
    ad = campaign()
    AdDailyStat.objects.create(campaign=ad, day=timezone.localdate(), impressions=5, clicks=1)
    change = admin_client.get(f"{LIST_URL}{ad.pk}/change/").content.decode()
    assert f"{LIST_URL}{ad.pk}/delete/" not in change
    for method in (admin_client.get, admin_client.post):
        response = method(f"{LIST_URL}{ad.pk}/delete/", {"post": "yes"}, follow=True)
        assert "Выключите её" in response.content.decode()
    assert AdCampaign.objects.filter(pk=ad.pk).exists()
    assert AdDailyStat.objects.filter(campaign=ad).count() == 1
    assert not AuditLog.objects.filter(action="promotion.ad.deleted").exists()


def test_bulk_delete_is_refused_when_any_selected_campaign_has_figures(admin_client):
    shown, unseen = campaign(name="Летний набор"), campaign(name="Черновик")
    AdDailyStat.objects.create(campaign=shown, day=timezone.localdate(), impressions=1)
    data = {"action": "delete_selected", "_selected_action": [shown.pk, unseen.pk], "post": "yes"}
    response = admin_client.post(LIST_URL, data, follow=True)
    assert "Летний набор" in response.content.decode() and "Выключите её" in response.content.decode()
    assert AdCampaign.objects.count() == 2


def test_bulk_delete_of_campaigns_never_shown_goes_through_the_service(admin_client):
    ads = [campaign(), campaign()]
    data = {"action": "delete_selected", "_selected_action": [ad.pk for ad in ads], "post": "yes"}
    assert admin_client.post(LIST_URL, data).status_code == 302
    assert not AdCampaign.objects.exists()
    assert AuditLog.objects.filter(action="promotion.ad.deleted").count() == 2


def test_the_database_protects_figures_from_a_campaign_delete():
    from django.db.models import ProtectedError

    ad = campaign()
    AdDailyStat.objects.create(campaign=ad, day=timezone.localdate(), clicks=1)
    with pytest.raises(ProtectedError):
        ad.delete()
