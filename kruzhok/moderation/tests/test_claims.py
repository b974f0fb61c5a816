"""Claims: a signed-in user asks to speak for an organization; an editor approves or rejects."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kruzhok.accounts.models import Membership
from kruzhok.accounts.tests import factories as accounts
from kruzhok.catalog.tests import factories as catalog
from kruzhok.catalog.tests.personas import XSS, signed_in, unsafe
from kruzhok.core.models import AuditLog
from kruzhok.moderation import claims as services
from kruzhok.moderation.models import Claim
from kruzhok.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db

GOOD = {"position": "Директор", "phone": "+7 3812 12-34-56", "message": "Я руковожу студией с 2019 года."}


def claim_url(org) -> str:
    return reverse("claim_new", args=[org.pk])


def test_the_organization_page_offers_the_claim(org_x, client):
    page = client.get(org_x.get_absolute_url()).content.decode()
    assert "Я представляю эту организацию" in page and claim_url(org_x) in page


def test_the_organization_page_sends_its_own_member_to_manage_it_instead(org_x):
    page = signed_in(accounts.provider(org_x)).get(org_x.get_absolute_url()).content.decode()
    assert "Я представляю эту организацию" not in page and claim_url(org_x) not in page
    assert reverse("manage:organization", args=[org_x.pk]) in page


def test_anonymous_visitors_sign_in_first(org_x):
    response = Client().get(claim_url(org_x))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_a_citizen_submits_a_claim_once(org_x, citizen):
    client = signed_in(citizen)
    response = client.post(claim_url(org_x), GOOD)
    assert response.status_code == 302
    claim = Claim.objects.get(user=citizen, organization=org_x)
    assert claim.is_pending and claim.position == "Директор"
    assert AuditLog.objects.filter(action="moderation.claim.submitted", object_id=str(claim.pk)).exists()
    again = client.get(claim_url(org_x)).content.decode()
    assert "ждёт решения редактора" in again and 'name="position"' not in again
    client.post(claim_url(org_x), GOOD)
    assert Claim.objects.filter(user=citizen, organization=org_x).count() == 1


def test_a_member_is_told_so_and_cannot_claim(org_x, provider_x):
    client = signed_in(provider_x)
    page = client.get(claim_url(org_x)).content.decode()
    assert "Вы уже представляете эту организацию" in page
    client.post(claim_url(org_x), GOOD)
    assert not Claim.objects.exists()
    with pytest.raises(services.Refused):
        services.claim_submit(user=provider_x, organization=org_x, position="x", phone="", message="")


def test_the_honeypot_refuses_bots(org_x, citizen):
    response = signed_in(citizen).post(claim_url(org_x), {**GOOD, "website_url": "http://spam.example"})
    assert response.status_code == 400 and not Claim.objects.exists()


def test_claims_are_rate_limited(org_x, citizen, settings):
    client = signed_in(citizen)
    orgs = [catalog.organization(name=f"Организация {i}") for i in range(7)]
    codes = [client.post(claim_url(org), GOOD).status_code for org in orgs]
    assert codes[:5] == [302] * 5 and 429 in codes[5:]
    assert Claim.objects.count() == 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**GOOD, "position": "   "}, "Обязательное поле"),
        ({**GOOD, "position": "x" * 201}, "не более 200"),
        ({**GOOD, "phone": "позвоните мне"}, "Телефон"),
        ({**GOOD, "message": "x" * 2001}, "не более 2000"),
    ],
)
def test_bad_claims_are_refused_with_the_text_kept(org_x, citizen, data, message):
    response = signed_in(citizen).post(claim_url(org_x), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert not Claim.objects.exists()


@pytest.mark.parametrize("payload", XSS)
def test_hostile_claim_text_shows_as_text_to_the_editor(org_x, citizen, editor, payload):
    signed_in(citizen).post(claim_url(org_x), {"position": payload, "phone": "", "message": payload})
    claim = Claim.objects.get()
    page = signed_in(editor).get(reverse("moderation:claim", args=[claim.pk])).content.decode()
    assert unsafe(page) == []


def test_unknown_or_archived_organizations_cannot_be_claimed(org_x, citizen):
    client = signed_in(citizen)
    assert client.get("/organizations/999999/claim/").status_code == 404
    org_x.status = "archived"
    org_x.save()
    assert client.post(claim_url(org_x), GOOD).status_code == 404


def _claim(user, org) -> Claim:
    return services.claim_submit(user=user, organization=org, position="Методист", phone="", message="")


def test_only_editors_see_the_claim_page(org_x, citizen, provider_x):
    claim = _claim(citizen, org_x)
    url = reverse("moderation:claim", args=[claim.pk])
    assert Client().get(url).status_code == 302
    assert signed_in(citizen).get(url).status_code == 403
    assert signed_in(provider_x).post(url, {"action": "approve"}).status_code == 403
    assert Claim.objects.get(pk=claim.pk).is_pending


def test_editor_sees_the_claim_the_users_other_claims_and_the_members(
    org_x, org_y, citizen, provider_x, editor
):
    claim = _claim(citizen, org_x)
    _claim(citizen, org_y)
    page = signed_in(editor).get(reverse("moderation:claim", args=[claim.pk])).content.decode()
    assert "Методист" in page and "anna@example.org" in page
    assert "Клуб «Игрек»" in page  # the other claim
    assert "owner@x.example.org" in page and "владелец" in page  # current members


def test_approval_makes_the_first_claimant_owner_and_mails_them(
    org_x, citizen, editor, mailoutbox, django_capture_on_commit_callbacks
):
    claim = _claim(citizen, org_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(editor).post(reverse("moderation:claim", args=[claim.pk]), {"action": "approve"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=citizen, organization=org_x)
    assert membership.role == "owner"
    claim.refresh_from_db()
    assert claim.status == "accepted" and claim.decided_by == editor
    log = AuditLog.objects.get(action="moderation.claim.approved")
    assert log.actor_id == editor.pk and log.data["role"] == "owner"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["anna@example.org"]
    assert "Студия «Икс»" in mailoutbox[0].subject
    assert reverse("manage:organization", args=[org_x.pk]) in mailoutbox[0].body
    assert signed_in(citizen).get(reverse("manage:organization", args=[org_x.pk])).status_code == 200


def test_approval_when_an_owner_exists_makes_staff(org_x, provider_x, citizen, editor):
    claim = _claim(citizen, org_x)
    services.claim_approve(claim=claim, editor=editor)
    assert Membership.objects.get(user=citizen, organization=org_x).role == "staff"


def test_rejection_needs_a_reason_and_mails_it(
    org_x, citizen, editor, mailoutbox, django_capture_on_commit_callbacks
):
    claim = _claim(citizen, org_x)
    client = signed_in(editor)
    url = reverse("moderation:claim", args=[claim.pk])
    empty = client.post(url, {"action": "reject", "reason": "   "})
    assert empty.status_code == 400 and "Обязательное поле" in empty.content.decode()
    assert Claim.objects.get(pk=claim.pk).is_pending
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, {"action": "reject", "reason": "Не смогли дозвониться по телефону <b>организации</b>."}
        )
    claim.refresh_from_db()
    assert claim.status == "rejected" and "дозвониться" in claim.reason
    assert not Membership.objects.filter(user=citizen).exists()
    assert AuditLog.objects.filter(action="moderation.claim.rejected", actor=editor).exists()
    assert len(mailoutbox) == 1 and "дозвониться" in mailoutbox[0].body
    html = mailoutbox[0].alternatives[0][0]
    assert "<b>организации</b>" not in html and unsafe(html) == []
    # after a rejection a new claim may be made
    assert signed_in(citizen).post(claim_url(org_x), GOOD).status_code == 302


def test_a_decided_claim_cannot_be_decided_again(org_x, citizen, editor, mailoutbox):
    claim = _claim(citizen, org_x)
    services.claim_reject(claim=claim, editor=editor, reason="нет")
    response = signed_in(editor).post(
        reverse("moderation:claim", args=[claim.pk]), {"action": "approve"}, follow=True
    )
    assert "уже принято решение" in response.content.decode()
    assert not Membership.objects.filter(user=citizen).exists()
    # One decision, one mail: the refused second decision queued nothing.
    assert list(OutboxMail.objects.values_list("key", flat=True)) == [
        f"claim_rejected:{citizen.pk}:{claim.pk}"
    ]


def test_an_english_user_gets_the_mail_in_english(
    org_x, editor, mailoutbox, django_capture_on_commit_callbacks
):
    english = accounts.user("john@example.org", language="en")
    claim = _claim(english, org_x)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_approve(claim=claim, editor=editor)
    assert "approved" in mailoutbox[0].subject.lower()


def test_unknown_action_and_missing_claim(org_x, citizen, editor):
    claim = _claim(citizen, org_x)
    client = signed_in(editor)
    assert client.post(reverse("moderation:claim", args=[claim.pk]), {"action": "hack"}).status_code == 400
    assert client.get(reverse("moderation:claim", args=[999999])).status_code == 404
