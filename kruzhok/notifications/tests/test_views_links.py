"""The pages behind the mails' links (confirm, manage, one-click unsubscribe, opt-out of a
category) and the signed-in «Мои подписки»: GET never changes anything, the token is the only
key, and one address never sees another's subscriptions."""

from __future__ import annotations

import pytest
from django.test import Client

from kruzhok.accounts.tests import factories as account_factories
from kruzhok.catalog.tests import factories
from kruzhok.core.tests.xss import PAYLOADS, script_problems
from kruzhok.notifications import subscriptions
from kruzhok.notifications.models import MailOptOut, Subscription

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"
FORGED = ["no-such-token", "x" * 64, "x" * 65, "..%2F..%2Fetc", "токен", "a.b:c", "%00"]


@pytest.fixture
def chess(db):
    return factories.activity(title="Шахматный клуб «Ладья»")


@pytest.fixture
def olga_search(db):
    """An anonymous parent's search subscription, still waiting for her to confirm."""
    return subscriptions.subscribe(
        kind="search", email="olga@example.org", query="q=шахматы&age=9"
    ).subscription


@pytest.fixture
def olga_follow(chess):
    followed = subscriptions.subscribe(kind="activity", email="olga@example.org", activity=chess).subscription
    subscriptions.subscription_confirm(token=followed.token)
    followed.refresh_from_db()
    return followed


@pytest.fixture
def boris_follow(chess):
    followed = subscriptions.subscribe(
        kind="activity", email="boris@example.org", activity=chess
    ).subscription
    subscriptions.subscription_confirm(token=followed.token)
    return followed


def _status(subscription: Subscription) -> str:
    subscription.refresh_from_db()
    return subscription.status


# --- confirm ------------------------------------------------------------------------------------


def test_opening_the_confirm_link_changes_nothing_and_the_button_confirms(client, olga_search):
    url = f"/subscriptions/confirm/{olga_search.token}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Подтвердите подписку" in html and "«шахматы», возраст 9" in html and "olga@example.org" in html
    assert client.head(url).status_code == 200
    assert _status(olga_search) == "pending"
    done = client.post(url)
    assert done.status_code == 200
    html = done.content.decode()
    assert "Подписка подтверждена" in html
    assert f'href="/subscriptions/manage/{olga_search.token}/"' in html
    assert _status(olga_search) == "active"
    assert "Подписка уже подтверждена" in client.get(url).content.decode()


def test_confirm_needs_the_csrf_token_of_its_own_page(olga_search):
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/subscriptions/confirm/{olga_search.token}/").status_code == 403
    assert _status(olga_search) == "pending"


@pytest.mark.parametrize("token", FORGED)
@pytest.mark.parametrize("page", ["confirm", "manage", "unsubscribe", "optout"])
def test_unknown_or_malformed_tokens_get_a_russian_404(client, olga_search, page, token):
    for response in (
        client.get(f"/subscriptions/{page}/{token}/"),
        client.post(f"/subscriptions/{page}/{token}/"),
    ):
        assert response.status_code in (403, 404)  # 403: the CSRF check of confirm/manage comes first
        if response.status_code == 404:  # ours, or the site's own when the path does not match
            html = response.content.decode()
            assert "Ссылка не работает" in html or "Страница не найдена" in html
    assert _status(olga_search) == "pending"


# --- one-click unsubscribe ----------------------------------------------------------------------


def test_unsubscribe_get_only_asks(client, olga_follow):
    page = client.get(f"/subscriptions/unsubscribe/{olga_follow.token}/")
    assert page.status_code == 200
    assert "Отписаться?" in page.content.decode()
    assert _status(olga_follow) == "active"


def test_one_click_post_without_cookies_or_csrf_unsubscribes_and_is_idempotent(olga_follow):
    mail_provider = Client(enforce_csrf_checks=True)
    url = f"/subscriptions/unsubscribe/{olga_follow.token}/"
    first = mail_provider.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert first.status_code == 200
    assert "Вы отписались" in first.content.decode() and "Подписаться снова" in first.content.decode()
    olga_follow.refresh_from_db()
    cancelled_at = olga_follow.cancelled_at
    assert olga_follow.status == "cancelled" and cancelled_at is not None
    again = mail_provider.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert again.status_code == 200 and "Вы отписались" in again.content.decode()
    olga_follow.refresh_from_db()
    assert olga_follow.cancelled_at == cancelled_at


def test_subscribe_again_from_the_unsubscribed_page(client, olga_follow):
    client.post(f"/subscriptions/unsubscribe/{olga_follow.token}/")
    assert _status(olga_follow) == "cancelled"
    page = client.get(f"/subscriptions/confirm/{olga_follow.token}/")
    assert "Подписаться снова" in page.content.decode() and _status(olga_follow) == "cancelled"
    again = client.post(f"/subscriptions/confirm/{olga_follow.token}/")
    assert again.status_code == 200 and "Подписка подтверждена" in again.content.decode()
    olga_follow.refresh_from_db()
    assert olga_follow.status == "active" and olga_follow.cancelled_at is None


# --- manage by token ------------------------------------------------------------------------------


def test_manage_lists_every_subscription_of_that_address_and_nobody_elses(
    client, olga_search, olga_follow, boris_follow
):
    page = client.get(f"/subscriptions/manage/{olga_follow.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "olga@example.org" in html and "boris@example.org" not in html
    assert "Поиск: «шахматы», возраст 9" in html and "ждёт подтверждения" in html
    assert "Занятие «Шахматный клуб «Ладья»»" in html
    assert f'value="{olga_search.pk}"' in html and f'value="{olga_follow.pk}"' in html
    assert f'value="{boris_follow.pk}"' not in html
    assert 'href="/search/?q=' in html and f'href="{olga_follow.activity.get_absolute_url()}"' in html


def test_manage_changes_frequency_confirms_and_cancels_one(client, olga_search, olga_follow):
    url = f"/subscriptions/manage/{olga_follow.token}/"
    response = client.post(
        url, {"action": "frequency", "subscription": olga_follow.pk, "frequency": "weekly"}
    )
    assert response.status_code == 302 and response["Location"] == url
    olga_follow.refresh_from_db()
    assert olga_follow.frequency == "weekly"
    assert "Теперь раз в неделю" in client.get(url).content.decode()
    client.post(url, {"action": "confirm", "subscription": olga_search.pk})
    assert _status(olga_search) == "active"
    client.post(url, {"action": "cancel", "subscription": olga_search.pk})
    assert _status(olga_search) == "cancelled"
    assert _status(olga_follow) == "active"


def test_manage_cannot_touch_another_addresses_subscription(client, olga_follow, boris_follow):
    url = f"/subscriptions/manage/{olga_follow.token}/"
    for action in ("cancel", "frequency", "confirm"):
        response = client.post(
            url, {"action": action, "subscription": boris_follow.pk, "frequency": "weekly"}
        )
        assert response.status_code == 302
    boris_follow.refresh_from_db()
    assert (boris_follow.status, boris_follow.frequency) == ("active", "daily")
    assert "Такой подписки здесь нет" in client.get(url).content.decode()


def test_cancel_all_leaves_other_addresses_alone(client, olga_search, olga_follow, boris_follow):
    url = f"/subscriptions/manage/{olga_follow.token}/"
    client.post(url, {"action": "cancel_all"})
    assert _status(olga_search) == _status(olga_follow) == "cancelled"
    assert _status(boris_follow) == "active"
    html = client.get(url).content.decode()
    assert "Подписок нет" in html and "Подписаться снова" in html  # the link's own subscription


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"action": "explode"},
        {"action": "cancel"},
        {"action": "cancel", "subscription": "abc"},
        {"action": "frequency", "subscription": "1", "frequency": "hourly"},
        {"action": "cancel", "subscription": "9" * 40},
    ],
)
def test_manage_answers_garbage_with_a_message(client, olga_follow, form):
    url = f"/subscriptions/manage/{olga_follow.token}/"
    assert client.post(url, form).status_code == 302
    assert _status(olga_follow) == "active"
    assert 'class="flash-error"' in client.get(url).content.decode()


def test_manage_posts_need_csrf(olga_follow):
    client = Client(enforce_csrf_checks=True)
    url = f"/subscriptions/manage/{olga_follow.token}/"
    assert client.post(url, {"action": "cancel_all"}).status_code == 403
    assert _status(olga_follow) == "active"


def test_event_reminders_have_no_frequency_to_change(client, olga_follow):
    from kruzhok.events.tests.factories import event

    concert = event(starts="2027-05-01T10:00", ends="2027-05-01T12:00")
    reminder = subscriptions.subscribe(kind="event", email="olga@example.org", event=concert).subscription
    url = f"/subscriptions/manage/{reminder.token}/"
    html = client.get(url).content.decode()
    assert "Напоминание накануне события" in html and f'id="frequency-{reminder.pk}"' not in html
    client.post(url, {"action": "frequency", "subscription": reminder.pk, "frequency": "weekly"})
    reminder.refresh_from_db()
    assert reminder.frequency == "daily"


# --- the signed-in list ---------------------------------------------------------------------------


def test_anonymous_list_explains_where_to_manage(client):
    page = client.get("/subscriptions/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Управлять подписками" in html and "/account/login/?next=/subscriptions/" in html
    response = client.post("/subscriptions/", {"action": "cancel_all"})
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_signed_in_list_shows_own_subscriptions_only(olga_follow, boris_follow):
    olga = account_factories.user("olga@example.org")
    client = Client()
    client.force_login(olga)
    html = client.get("/subscriptions/").content.decode()
    assert f'value="{olga_follow.pk}"' in html and f'value="{boris_follow.pk}"' not in html
    client.post("/subscriptions/", {"action": "cancel", "subscription": boris_follow.pk})
    assert _status(boris_follow) == "active"
    client.post("/subscriptions/", {"action": "cancel_all"})
    assert _status(olga_follow) == "cancelled" and _status(boris_follow) == "active"


def test_signed_in_list_does_not_confirm_an_address_typed_for_someone_else(chess):
    anna = account_factories.user("anna@example.org")
    for_grandma = subscriptions.subscribe(
        kind="activity", email="grandma@example.org", activity=chess, user=anna
    ).subscription
    client = Client()
    client.force_login(anna)
    html = client.get("/subscriptions/").content.decode()
    assert "grandma@example.org" not in html or "ждёт подтверждения" in html
    client.post("/subscriptions/", {"action": "confirm", "subscription": for_grandma.pk})
    assert _status(for_grandma) == "pending"


def test_profile_links_to_the_list():
    anna = account_factories.user("anna@example.org")
    client = Client()
    client.force_login(anna)
    assert 'href="/subscriptions/"' in client.get("/account/").content.decode()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_search_text_shows_as_text_on_every_page(client, payload):
    subscription = subscriptions.subscribe(
        kind="search", email="olga@example.org", query="q=" + payload[:200]
    ).subscription
    for url in (
        f"/subscriptions/confirm/{subscription.token}/",
        f"/subscriptions/manage/{subscription.token}/",
        f"/subscriptions/unsubscribe/{subscription.token}/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert not script_problems(response.content.decode())
    subscription.delete()


# --- opting out of a category ---------------------------------------------------------------------


def test_optout_get_asks_and_one_click_post_opts_out(client):
    token = subscriptions.optout_token("Olga@Example.org", "moderation")
    url = f"/subscriptions/optout/{token}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "решения модераторов" in html and "olga@example.org" in html
    assert not MailOptOut.objects.exists()
    mail_provider = Client(enforce_csrf_checks=True)
    done = mail_provider.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200 and "Вы отписались" in done.content.decode()
    assert subscriptions.opted_out("olga@example.org", "moderation")
    assert (
        mail_provider.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded").status_code
        == 200
    )
    assert MailOptOut.objects.count() == 1
    back = mail_provider.post(url, {"action": "optin"})
    assert back.status_code == 200 and "снова будут приходить" in back.content.decode()
    assert not subscriptions.opted_out("olga@example.org", "moderation")


@pytest.mark.parametrize(
    ("category", "words"),
    [
        ("review", "проверка актуальности"),
        ("comments", "ответы на комментарии"),
        ("invitations", "приглашения"),
        ("digest-2030", "digest-2030"),
    ],
)
def test_optout_names_the_category_in_words(client, category, words):
    token = subscriptions.optout_token("olga@example.org", category)
    assert words in client.get(f"/subscriptions/optout/{token}/").content.decode()


def test_a_tampered_optout_token_changes_nothing(client):
    token = subscriptions.optout_token("olga@example.org", "review")
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    other_salt = subscriptions.signing.dumps(["olga@example.org", "review"])
    for bad in (tampered, other_salt, "x" * 5000):
        response = client.post(f"/subscriptions/optout/{bad}/")
        assert response.status_code == 404 and "Ссылка не работает" in response.content.decode()
    assert not MailOptOut.objects.exists()


def test_optout_of_hostile_category_shows_text(client):
    for payload in PAYLOADS:
        token = subscriptions.optout_token("olga@example.org", payload)
        response = client.get(f"/subscriptions/optout/{token}/")
        assert response.status_code == 200
        assert not script_problems(response.content.decode())
