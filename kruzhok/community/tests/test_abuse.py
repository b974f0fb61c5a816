"""Comments and reports behind the shared defences: honeypot, and a limit per client address
that several accounts on one connection share."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from kruzhok.accounts.tests import factories
from kruzhok.catalog.tests import factories as catalog
from kruzhok.community.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_limits():
    cache.clear()
    yield
    cache.clear()


def _client(email: str) -> Client:
    client = Client()
    client.force_login(factories.user(email))
    return client


def test_a_filled_honeypot_posts_nothing_and_keeps_the_text():
    act = catalog.activity()
    response = _client("bot@example.org").post(
        f"/activities/{act.pk}/comments/", {"text": "Купите слона", "website_url": "http://spam.example"}
    )
    assert response.status_code == 400
    assert "Купите слона" in response.content.decode()
    assert not Comment.objects.exists()


def test_many_accounts_from_one_address_hit_the_address_limit(settings):
    settings.COMMENTS_PER_HOUR = 2
    settings.IP_LIMIT_FACTOR = 2  # four comments an hour from one address
    act = catalog.activity()
    statuses = [
        _client(f"sock{n}@example.org").post(f"/activities/{act.pk}/comments/", {"text": f"Отзыв номер {n}"})
        for n in range(6)
    ]
    assert [r.status_code for r in statuses] == [302] * 4 + [429] * 2
    assert "слишком много отзывов" in statuses[-1].content.decode()
    assert "Отзыв номер 5" in statuses[-1].content.decode()  # the text comes back
    assert Comment.objects.count() == 4


def test_reports_from_one_address_are_limited(settings):
    settings.COMMENTS_PER_HOUR = 1
    settings.IP_LIMIT_FACTOR = 1  # three reports an hour from one address
    act = catalog.activity()
    author = factories.user("author@example.org")
    comments = [Comment.objects.create(activity=act, author=author, text=f"Отзыв {n}") for n in range(5)]
    client = _client("reporter@example.org")
    codes = [client.post(f"/comments/{c.pk}/report/", {"reason": "спам"}).status_code for c in comments]
    assert codes == [302, 302, 302, 429, 429]
