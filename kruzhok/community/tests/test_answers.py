"""Official answers: a member of the activity's organization answers a comment, once, editably."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kruzhok.catalog.tests.personas import XSS, signed_in, unsafe
from kruzhok.community import services
from kruzhok.community.models import Comment, CommentAnswer
from kruzhok.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(activity_x, citizen):
    return Comment.objects.create(activity=activity_x, author=citizen, text="Отличный кружок, но дорого.")


def answer_url(comment) -> str:
    return reverse("community:answer", args=[comment.pk])


def test_a_member_answers_and_the_answer_shows_under_the_comment_labelled(comment, provider_x, activity_x):
    client = signed_in(provider_x)
    page = client.get(activity_x.get_absolute_url()).content.decode()
    assert "Ответить от имени организации" in page
    response = client.post(answer_url(comment), {"text": "Спасибо! Есть скидка для **многодетных**."})
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")
    answer = CommentAnswer.objects.get(comment=comment)
    assert answer.organization == activity_x.organization and answer.author == provider_x
    public = Client().get(activity_x.get_absolute_url()).content.decode()
    assert "Ответ организации" in public and "Студия «Икс»" in public
    assert "<strong>многодетных</strong>" in public
    assert AuditLog.objects.filter(action="community.comment.answered", actor=provider_x).exists()


def test_one_answer_per_comment_any_member_may_edit_it(comment, provider_x, staff_x):
    signed_in(provider_x).post(answer_url(comment), {"text": "Первый ответ"})
    form = signed_in(staff_x).get(answer_url(comment)).content.decode()
    assert "Первый ответ" in form
    signed_in(staff_x).post(answer_url(comment), {"text": "Исправленный ответ"})
    assert CommentAnswer.objects.filter(comment=comment).count() == 1
    answer = CommentAnswer.objects.get(comment=comment)
    assert answer.text == "Исправленный ответ" and answer.author == staff_x
    assert AuditLog.objects.filter(action="community.comment.answer_edited").exists()


def test_non_members_are_refused(comment, provider_y, citizen, editor):
    for user in (provider_y, citizen, editor):
        client = signed_in(user)
        assert client.get(answer_url(comment)).status_code == 404
        assert client.post(answer_url(comment), {"text": "Я не отсюда"}).status_code == 404
        with pytest.raises(services.Refused):
            services.comment_answer_save(comment=comment, user=user, text="Я не отсюда")
    assert not CommentAnswer.objects.exists()
    page = signed_in(provider_y).get(comment.activity.get_absolute_url()).content.decode()
    assert "Ответить от имени организации" not in page


def test_anonymous_visitors_sign_in_first(comment):
    response = Client().post(answer_url(comment), {"text": "x"})
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert not CommentAnswer.objects.exists()


def test_held_hidden_and_removed_comments_cannot_be_answered(comment, provider_x):
    for status in ("held", "hidden", "removed"):
        Comment.objects.filter(pk=comment.pk).update(status=status)
        assert signed_in(provider_x).post(answer_url(comment), {"text": "Ответ"}).status_code == 404
    assert not CommentAnswer.objects.exists()


@pytest.mark.parametrize(("text", "message"), [("   ", "Обязательное поле"), ("x" * 4001, "не более 4000")])
def test_empty_and_overlong_answers_are_refused_and_kept(comment, provider_x, text, message):
    response = signed_in(provider_x).post(answer_url(comment), {"text": text})
    assert response.status_code == 400 and message in response.content.decode()
    assert not CommentAnswer.objects.exists()


@pytest.mark.parametrize("payload", XSS)
def test_hostile_answers_show_as_text(comment, provider_x, payload):
    signed_in(provider_x).post(answer_url(comment), {"text": payload})
    assert CommentAnswer.objects.get(comment=comment).text
    page = Client().get(comment.activity.get_absolute_url()).content.decode()
    assert unsafe(page) == []


@pytest.mark.parametrize("payload", XSS)
def test_comment_text_is_rendered_with_user_text(comment, payload):
    Comment.objects.filter(pk=comment.pk).update(text=f"**важно** {payload}")
    page = Client().get(comment.activity.get_absolute_url()).content.decode()
    assert "<strong>важно</strong>" in page and unsafe(page) == []
