"""Editors decide held and hidden comments: publish, restore or remove with a reason."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kruzhok.accounts.tests import factories as accounts
from kruzhok.catalog.tests.personas import XSS, signed_in, unsafe
from kruzhok.community import services
from kruzhok.community.models import Comment, CommentReport
from kruzhok.core.models import AuditLog
from kruzhok.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db


def make(activity, author, status="held", text="Смотрите www.example.ru — там дешевле"):
    return Comment.objects.create(activity=activity, author=author, text=text, status=status)


def url(comment) -> str:
    return reverse("moderation:comment", args=[comment.pk])


def test_only_editors_open_the_page(activity_x, citizen, provider_x):
    comment = make(activity_x, citizen)
    assert Client().get(url(comment)).status_code == 302
    assert signed_in(citizen).get(url(comment)).status_code == 403
    assert signed_in(provider_x).post(url(comment), {"action": "publish"}).status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == "held"


def test_publishing_a_held_comment_mails_its_author_and_audits(
    activity_x, citizen, editor, mailoutbox, django_capture_on_commit_callbacks
):
    comment = make(activity_x, citizen)
    client = signed_in(editor)
    page = client.get(url(comment)).content.decode()
    assert "Опубликовать отзыв" in page and "www.example.ru" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(comment), {"action": "publish"})
        # Queued with the decision, before anything runs on commit.
        assert OutboxMail.objects.filter(recipient=citizen.email).count() == 1 and mailoutbox == []
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "published" and comment.moderated_by == editor
    assert AuditLog.objects.filter(action="community.comment.published", actor=editor).exists()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [citizen.email]
    assert mailoutbox[0].subject == "Ваш отзыв опубликован"
    assert "www.example.ru" in Client().get(activity_x.get_absolute_url()).content.decode()


def test_removing_a_held_comment_needs_a_reason_and_mails_it(
    activity_x, citizen, editor, mailoutbox, django_capture_on_commit_callbacks
):
    comment = make(activity_x, citizen)
    client = signed_in(editor)
    refused = client.post(url(comment), {"action": "remove", "reason": ""})
    assert refused.status_code == 400 and "Обязательное поле" in refused.content.decode()
    assert Comment.objects.get(pk=comment.pk).status == "held"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(comment), {"action": "remove", "reason": "Реклама <script>alert(1)</script>"})
    comment.refresh_from_db()
    assert comment.status == "removed" and "Реклама" in comment.moderation_reason
    assert AuditLog.objects.get(action="community.comment.removed").data["was"] == "held"
    assert len(mailoutbox) == 1 and "Реклама" in mailoutbox[0].body
    assert unsafe(mailoutbox[0].alternatives[0][0]) == []
    assert "www.example.ru" not in Client().get(activity_x.get_absolute_url()).content.decode()


def test_a_hidden_comment_is_restored_and_its_reports_dismissed(activity_x, citizen, editor):
    comment = make(activity_x, citizen, status="published", text="Тренер опаздывает.")
    for n in range(3):
        services.report_comment(accounts.user(f"r{n}@example.org"), comment, "не нравится")
    comment.refresh_from_db()
    assert comment.status == "hidden"
    client = signed_in(editor)
    page = client.get(url(comment)).content.decode()
    assert "Вернуть отзыв" in page and page.count("не нравится") == 3
    client.post(url(comment), {"action": "restore"})
    comment.refresh_from_db()
    assert comment.status == "published" and not CommentReport.objects.filter(comment=comment).exists()
    assert AuditLog.objects.get(action="community.comment.restored").data["reports"] == 3
    assert not OutboxMail.objects.exists()  # only held comments' authors are told


def test_a_hidden_comment_can_be_removed_without_a_mail(activity_x, citizen, editor):
    comment = make(activity_x, citizen, status="hidden")
    signed_in(editor).post(url(comment), {"action": "remove", "reason": "Оскорбления"})
    assert Comment.objects.get(pk=comment.pk).status == "removed" and not OutboxMail.objects.exists()


def test_wrong_actions_for_the_status_change_nothing(activity_x, citizen, editor):
    held = make(activity_x, citizen)
    hidden = make(activity_x, citizen, status="hidden")
    client = signed_in(editor)
    client.post(url(held), {"action": "restore"})
    client.post(url(hidden), {"action": "publish"})
    assert Comment.objects.get(pk=held.pk).status == "held"
    assert Comment.objects.get(pk=hidden.pk).status == "hidden"
    assert client.post(url(held), {"action": "nonsense"}).status_code == 400
    assert client.get(reverse("moderation:comment", args=[999999])).status_code == 404


@pytest.mark.parametrize("payload", XSS)
def test_hostile_comments_show_as_text_to_the_editor(activity_x, citizen, editor, payload):
    comment = make(activity_x, citizen, text=payload)
    assert unsafe(signed_in(editor).get(url(comment)).content.decode()) == []


def test_a_deleted_authors_comment_is_decided_without_a_mail(activity_x, editor):
    comment = make(activity_x, None)
    signed_in(editor).post(url(comment), {"action": "publish"})
    assert Comment.objects.get(pk=comment.pk).status == "published" and not OutboxMail.objects.exists()
