"""/moderation/: one queue with every section and its count, oldest first, editors only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kruzhok.community.models import Comment
from kruzhok.moderation.models import Claim, ProblemReport, Suggestion
from kruzhok.moderation.selectors import QUEUE_PAGE_SIZE, moderation_queue
from kruzhok.moderation.tests.contribute_helpers import *  # noqa: F403
from kruzhok.moderation.tests.contribute_helpers import XSS, assert_no_active_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(citizen, other_citizen, existing):
    new = Suggestion.objects.create(
        kind="new_activity", author=citizen, data={"activity": {"title": "Кружок оригами"}}
    )
    edit = Suggestion.objects.create(
        kind="edit", author=other_citizen, activity=existing, data={"phone": "1"}, original={"phone": ""}
    )
    Suggestion.objects.create(
        kind="edit", author=citizen, activity=existing, data={"phone": "2"}, status="rejected"
    )
    report = ProblemReport.objects.create(activity=existing, problem="closed", text="закрылись")
    claim = Claim.objects.create(organization=existing.organization, user=citizen, position="директор")
    held = Comment.objects.create(
        activity=existing, author=citizen, text="смотрите http://x.example", status="held"
    )
    hidden = Comment.objects.create(activity=existing, author=other_citizen, text="плохо", status="hidden")
    Comment.objects.create(activity=existing, author=other_citizen, text="хорошо", status="published")
    return {"new": new, "edit": edit, "report": report, "claim": claim, "held": held, "hidden": hidden}


def test_queue_lists_every_section_with_counts_and_links(editor_client, waiting):
    response = editor_client.get("/moderation/")
    page = response.content.decode()
    assert response.status_code == 200
    for title in (
        "Новые занятия",
        "Предложенные правки",
        "Сообщения о проблемах",
        "Заявки на организации",
        "Отзывы на проверке",
        "Устаревшие записи",
    ):
        assert title in page
    for url in (
        f"/moderation/suggestions/{waiting['new'].pk}/",
        f"/moderation/suggestions/{waiting['edit'].pk}/",
        f"/moderation/reports/{waiting['report'].pk}/",
        f"/moderation/claims/{waiting['claim'].pk}/",
        f"/moderation/comments/{waiting['held'].pk}/",
        f"/moderation/comments/{waiting['hidden'].pk}/",
    ):
        assert f'href="{url}"' in page
    counts = {s.key: s.count for s in moderation_queue()}
    assert counts == {"new": 1, "edits": 1, "reports": 1, "claims": 1, "comments": 2, "outdated": 0}
    assert "Кружок оригами" in page and "занятие больше не проводится" in page


def test_decided_items_leave_the_queue(editor_client, waiting):
    waiting["report"].status = "accepted"
    waiting["report"].save()
    Suggestion.objects.filter(pk=waiting["new"].pk).update(status="accepted")
    counts = {s.key: s.count for s in moderation_queue()}
    assert counts["reports"] == 0 and counts["new"] == 0


def test_one_section_is_paginated_oldest_first(editor_client, citizen):
    base = timezone.now() - timedelta(days=100)
    for i in range(QUEUE_PAGE_SIZE + 3):
        s = Suggestion.objects.create(
            kind="new_activity", author=citizen, data={"activity": {"title": f"Кружок {i:02d}"}}
        )
        Suggestion.objects.filter(pk=s.pk).update(created_at=base + timedelta(days=i))
    first = editor_client.get("/moderation/", {"section": "new"}).content.decode()
    assert first.index("Кружок 00") < first.index("Кружок 01")
    assert "Кружок 27" not in first and "Страница 1 из 2" in first
    second = editor_client.get("/moderation/", {"section": "new", "page": "2"}).content.decode()
    assert "Кружок 27" in second and "Кружок 00" not in second
    # a section name that does not exist shows the overview, page garbage the first page
    assert editor_client.get("/moderation/", {"section": "<x>", "page": "zz"}).status_code == 200
    assert (
        "Кружок 27" in editor_client.get("/moderation/", {"section": "new", "page": "-1"}).content.decode()
    )  # the last


def test_queue_is_for_editors_with_totp_only(client, citizen):
    from kruzhok.accounts.tests import factories

    assert client.get("/moderation/")["Location"].startswith("/account/login/")
    client.force_login(citizen)
    assert client.get("/moderation/").status_code == 403
    no_totp = factories.user("ed2@example.org", is_editor=True)
    client.force_login(no_totp)
    assert client.get("/moderation/")["Location"] == "/account/2fa/totp/activate/"


def test_user_text_in_the_queue_is_escaped(editor_client, citizen, existing):
    Suggestion.objects.create(kind="new_activity", author=citizen, data={"activity": {"title": XSS}})
    Comment.objects.create(activity=existing, author=citizen, text=XSS, status="held")
    page = editor_client.get("/moderation/").content.decode()
    assert_no_active_content(page)
    assert "&lt;script&gt;" in page


def test_contribute_and_moderation_pages_speak_english_when_chosen(citizen, editor, existing):
    import re

    from django.test import Client

    from kruzhok.moderation.tests.contribute_helpers import new_form

    citizen.language = editor.language = "en"
    citizen.save()
    editor.save()
    visitor, moderator = Client(), Client()
    visitor.force_login(citizen)
    moderator.force_login(editor)
    visitor.post("/contribute/", new_form(send="1"))
    suggestion = Suggestion.objects.get()
    edit = Suggestion.objects.create(
        kind="edit", author=citizen, activity=existing, data={"age_max": 14}, original={"age_max": 12}
    )
    user_data = {
        "Русский",
        "Клуб юных астрономов",
        "Шахматная школа «Ладья»",
        "Обсерватория «Звезда»",
        "Анна",
        "Редактор",
    }
    for client, url in [
        (visitor, "/contribute/"),
        (visitor, f"/contribute/sent/{suggestion.pk}/"),
        (visitor, f"/activities/{existing.pk}/suggest/"),
        (moderator, "/moderation/"),
        (moderator, f"/moderation/suggestions/{edit.pk}/"),
    ]:
        page = client.get(url).content.decode()
        # user data, form values and the taxonomy's names may be Russian; the interface may not
        page = re.sub(r"<(option|textarea)[^>]*>[^<]*|<input[^>]*>|<(dd|td)[^>]*>[^<]*", "", page)
        for text in user_data:
            page = page.replace(text, "")
        page = re.sub(r"<[^>]+>", " ", page)
        assert not re.findall(r"[А-Яа-яЁё]+", page), (url, re.findall(r"[А-Яа-яЁё][^\n]{0,40}", page)[:10])


def test_unanswered_review_requests_wait_in_the_outdated_section(editor_client, existing, settings):
    from kruzhok.accounts.tests import factories
    from kruzhok.catalog.models import Activity
    from kruzhok.catalog.tests import factories as catalog

    now = timezone.now()
    # Asked 31 days ago, and the organization has someone who could have answered.
    factories.provider(existing.organization, email="silent@example.org")
    Activity.objects.filter(pk=existing.pk).update(review_requested_at=now - timedelta(days=31))
    # Asked yesterday: still within the grace period, not the editors' yet.
    recent = catalog.activity(title="Кружок, который ещё ответит")
    factories.provider(recent.organization, email="soon@example.org")
    Activity.objects.filter(pk=recent.pk).update(review_requested_at=now - timedelta(days=1))
    # Asked yesterday, but nobody speaks for the organization: straight to the editors.
    orphan = catalog.activity(title="Кружок без представителя")
    Activity.objects.filter(pk=orphan.pk).update(review_requested_at=now - timedelta(days=1))

    page = editor_client.get("/moderation/?section=outdated").content.decode()
    assert f'href="/moderation/review/{existing.pk}/"' in page
    assert f'href="/moderation/review/{orphan.pk}/"' in page and "нет представителя на сайте" in page
    assert f"/moderation/review/{recent.pk}/" not in page
    assert {s.key: s.count for s in moderation_queue()}["outdated"] == 2
