"""The subscribe widget and `POST /subscriptions/new/`: double opt-in for anonymous visitors, at
once for a signed-in verified address, answers in place under htmx and by redirect without it,
and clear Russian errors (never a 500) for whatever is posted."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils.encoding import iri_to_uri

from kruzhok.accounts.tests import factories as account_factories
from kruzhok.catalog.models import Activity, Organization, Status
from kruzhok.catalog.tests import factories
from kruzhok.core.tests.xss import PAYLOADS, script_problems
from kruzhok.events.tests.factories import event
from kruzhok.notifications import views
from kruzhok.notifications.models import OutboxMail, Subscription

pytestmark = pytest.mark.django_db

NEW = "/subscriptions/new/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def anna(db):
    """A parent with an account and a verified address."""
    return account_factories.user("anna@example.org", display_name="Анна")


@pytest.fixture
def anna_client(anna) -> Client:
    client = Client()
    client.force_login(anna)
    return client


@pytest.fixture
def chess(db) -> Activity:
    return factories.activity(title="Шахматный клуб «Ладья»")


def _confirm_link(mail: OutboxMail) -> str:
    match = re.search(r"https?://\S+/subscriptions/confirm/[\w-]+/", mail.body_text)
    assert match, mail.body_text
    return match.group(0)


# --- anonymous: double opt-in ------------------------------------------------------------------


def test_anonymous_search_subscription_waits_for_the_mailed_confirmation(client):
    response = client.post(
        NEW,
        {
            "kind": "search",
            "q": "шахматы",
            "age": "9",
            "sort": "price",
            "page": "3",
            "frequency": "weekly",
            "email": " Olga@Example.org ",
            "next": "/search/?q=шахматы&age=9",
        },
    )
    assert response.status_code == 302 and response["Location"] == iri_to_uri("/search/?q=шахматы&age=9")
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.email == "olga@example.org"
    assert subscription.frequency == "weekly"
    # Order and page change what is shown first, not what is new: they are not part of the search.
    assert subscription.query == "q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B&age=9"
    mail = OutboxMail.objects.get()
    assert mail.recipient == "olga@example.org"
    assert _confirm_link(mail).endswith(f"/subscriptions/confirm/{subscription.token}/")
    assert "«шахматы», возраст 9" in mail.body_text and "«шахматы», возраст 9" in mail.body_html
    page = client.get("/search/?q=шахматы&age=9").content.decode()
    assert "Мы отправили письмо на olga@example.org: подтвердите подписку по ссылке" in page


def test_anonymous_activity_follow_waits_for_confirmation_too(client, chess):
    response = client.post(NEW, {"kind": "activity", "activity": chess.pk, "email": "olga@example.org"})
    assert response.status_code == 302 and response["Location"] == chess.get_absolute_url()
    subscription = Subscription.objects.get()
    assert (subscription.kind, subscription.activity, subscription.status) == ("activity", chess, "pending")
    assert OutboxMail.objects.filter(recipient="olga@example.org").count() == 1


def test_posting_the_same_form_again_mails_one_confirmation_a_day(client, chess):
    form = {"kind": "activity", "activity": chess.pk, "email": "olga@example.org"}
    client.post(NEW, form)
    client.post(NEW, form)
    assert Subscription.objects.count() == 1
    assert OutboxMail.objects.count() == 1


def test_a_stranger_posting_a_subscribed_address_learns_nothing_and_changes_nothing(client, chess):
    """«Вы уже подписаны» would tell anyone who types an address what it follows; and a frequency
    changed without proof of the mailbox would be someone else's subscription rewritten."""
    form = {"kind": "activity", "activity": chess.pk, "email": "olga@example.org", "frequency": "daily"}
    client.post(NEW, form)
    Subscription.objects.update(status=Subscription.Status.ACTIVE)
    answer_for_new = client.post(NEW, {**form, "email": "someone-new@example.org"}, **HTMX).content.decode()
    response = client.post(NEW, {**form, "frequency": "immediate"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Вы уже подписаны" not in html
    assert "Мы отправили письмо на olga@example.org" in html
    assert html.replace("olga@example.org", "X") == answer_for_new.replace("someone-new@example.org", "X")
    subscription = Subscription.objects.get(email="olga@example.org")
    assert (subscription.status, subscription.frequency) == ("active", "daily")
    # The owner gets a note with the manage link instead (once a day, however often it is posted).
    client.post(NEW, form)
    (note,) = OutboxMail.objects.filter(recipient="olga@example.org", key__startswith="subscription_already:")
    assert f"/subscriptions/manage/{subscription.token}/" in note.body_text
    assert note.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# --- signed in ----------------------------------------------------------------------------------


def test_signed_in_verified_address_is_subscribed_at_once_without_typing_it(anna_client, anna, chess):
    response = anna_client.post(NEW, {"kind": "activity", "activity": chess.pk, "frequency": "immediate"})
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.user, subscription.status) == (
        "anna@example.org",
        anna,
        "active",
    )
    assert subscription.frequency == "immediate"
    assert not OutboxMail.objects.exists()
    page = anna_client.get(chess.get_absolute_url()).content.decode()
    assert "Подписка оформлена" in page
    # The widget now says so instead of offering the form again.
    assert "Вы подписаны" in page and 'href="/subscriptions/"' in page


def test_signed_in_with_another_address_confirms_that_address(anna_client, chess):
    anna_client.post(NEW, {"kind": "activity", "activity": chess.pk, "email": "grandma@example.org"})
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.status) == ("grandma@example.org", "pending")
    assert OutboxMail.objects.get().recipient == "grandma@example.org"


def test_signed_in_widget_shows_the_address_and_no_email_field(anna_client, chess):
    page = anna_client.get(chess.get_absolute_url()).content.decode()
    assert "Письма придут на anna@example.org" in page
    assert 'id="subscribe-activity-email"' not in page


# --- htmx -----------------------------------------------------------------------------------------


def test_htmx_answer_replaces_the_widget_in_place(client):
    response = client.post(NEW, {"kind": "search", "q": "танцы", "email": "olga@example.org"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="subscribe-search"' in html and "<html" not in html
    assert "Мы отправили письмо на olga@example.org" in html
    assert Subscription.objects.get().status == "pending"


def test_htmx_refusal_comes_back_in_place_with_what_was_typed(client):
    response = client.post(
        NEW, {"kind": "search", "q": "танцы", "email": "olga@", "frequency": "weekly"}, **HTMX
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers
    html = response.content.decode()
    assert 'id="subscribe-search"' in html
    assert "Проверьте адрес почты" in html and 'value="olga@"' in html
    assert '<option value="weekly" selected>' in html
    assert '<input type="hidden" name="q" value="танцы">' in html
    assert not Subscription.objects.exists()


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"kind": "search", "q": "шахматы", "email": ""}, "Укажите адрес почты"),
        ({"kind": "search", "q": "шахматы", "email": "not-an-address"}, "Проверьте адрес почты"),
        ({"kind": "search", "q": "шахматы", "email": "a@b.org", "frequency": "hourly"}, "как часто"),
        ({"kind": "lottery", "email": "a@b.org"}, "Не понятно, на что подписаться"),
        ({"email": "a@b.org"}, "Не понятно, на что подписаться"),
        ({"kind": "activity", "email": "a@b.org"}, "Занятие не найдено"),
        ({"kind": "activity", "activity": "999999", "email": "a@b.org"}, "Занятие не найдено"),
        ({"kind": "activity", "activity": "abc", "email": "a@b.org"}, "Занятие не найдено"),
        ({"kind": "activity", "activity": "-1", "email": "a@b.org"}, "Занятие не найдено"),
        ({"kind": "activity", "activity": "9" * 40, "email": "a@b.org"}, "Занятие не найдено"),
        ({"kind": "organization", "organization": "999999", "email": "a@b.org"}, "Организация не найдена"),
        ({"kind": "event", "event": "999999", "email": "a@b.org"}, "Событие не найдено"),
        ({"kind": "search", "category": "no-such", "email": "a@b.org"}, "Нет такой категории"),
        ({"kind": "search", "q": "ш" * 300, "email": "a@b.org"}, "слишком длинный"),
    ],
)
def test_bad_input_is_refused_in_russian_and_nothing_is_saved(client, form, error):
    response = client.post(NEW, form)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Subscription.objects.exists() and not OutboxMail.objects.exists()


def test_an_archived_activity_cannot_be_followed(client, chess):
    Activity.objects.filter(pk=chess.pk).update(status=Status.ARCHIVED)
    response = client.post(NEW, {"kind": "activity", "activity": chess.pk, "email": "a@b.org"})
    assert response.status_code == 400
    assert "Занятие убрано из каталога" in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_draft_activity_and_organization_are_not_found(client, chess):
    Activity.objects.filter(pk=chess.pk).update(status=Status.DRAFT)
    Organization.objects.filter(pk=chess.organization_id).update(status=Status.PENDING)
    first = client.post(NEW, {"kind": "activity", "activity": chess.pk, "email": "a@b.org"})
    second = client.post(
        NEW, {"kind": "organization", "organization": chess.organization_id, "email": "a@b.org"}
    )
    assert "Занятие не найдено" in first.content.decode()
    assert "Организация не найдена" in second.content.decode()
    assert not Subscription.objects.exists()


def test_cancelled_and_past_events_need_no_reminder(client):
    cancelled = event(starts="2027-05-01T10:00", ends="2027-05-01T12:00", status="cancelled")
    past = event(starts="2025-05-01T10:00", ends="2025-05-01T12:00")
    first = client.post(NEW, {"kind": "event", "event": cancelled.pk, "email": "a@b.org"})
    second = client.post(NEW, {"kind": "event", "event": past.pk, "email": "a@b.org"})
    assert "Событие отменено" in first.content.decode()
    assert "Событие уже прошло" in second.content.decode()
    assert not Subscription.objects.exists()
    # Neither page offers the reminder in the first place.
    assert 'id="subscribe-event"' not in client.get(cancelled.get_absolute_url()).content.decode()
    assert 'id="subscribe-event"' not in client.get(past.get_absolute_url()).content.decode()


def test_an_upcoming_event_reminder_ignores_any_frequency(client):
    concert = event(starts="2027-05-01T10:00", ends="2027-05-01T12:00")
    assert 'id="subscribe-event"' in client.get(concert.get_absolute_url()).content.decode()
    client.post(NEW, {"kind": "event", "event": concert.pk, "email": "a@b.org", "frequency": "weekly"})
    subscription = Subscription.objects.get()
    assert (subscription.kind, subscription.event, subscription.frequency) == ("event", concert, "daily")


def test_a_filled_honeypot_saves_nothing(client, chess):
    response = client.post(
        NEW, {"kind": "activity", "activity": chess.pk, "email": "a@b.org", "website_url": "http://spam"}
    )
    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get(NEW).status_code == 405


def test_huge_and_strange_posts_do_not_break_anything(client):
    huge = "x" * 200_000
    for form in (
        {"kind": "search", "q": huge, "email": "a@b.org"},
        {"kind": "search", "q": "шахматы", "email": huge + "@example.org"},
        {"kind": huge, "email": "a@b.org"},
        {"kind": "search", "q": "шахматы\x00\x1b", "email": "a@b.org\x00"},
        {"kind": "search", "category": ["football"] * 500, "email": "a@b.org"},
        {"kind": "search", "lat": "nan", "lon": "inf", "email": "a@b.org"},
        {"kind": ["search", "activity"], "activity": ["1", "2"], "email": ["a@b.org", "c@d.org"]},
    ):
        response = client.post(NEW, form)
        assert response.status_code in (302, 400), response.status_code
    assert Subscription.objects.count() <= 2


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_is_shown_as_text(client, payload):
    for form in (
        {"kind": "search", "q": payload[:200], "email": payload},
        {"kind": "search", "q": payload[:200], "email": "a@b.org", "next": payload},
        {"kind": payload, "email": "a@b.org", "activity": payload},
    ):
        for extra in ({}, HTMX):
            response = client.post(NEW, form, **extra)
            assert response.status_code in (200, 302, 400)
            if response.status_code != 302:
                assert not script_problems(response.content.decode())
            else:
                assert response["Location"].startswith("/")
    cache.clear()


def test_next_never_leaves_the_site(client):
    for target in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "/search/\x00",
        "/search/\r\nSet-Cookie: x=1",
    ):
        response = client.post(NEW, {"kind": "search", "q": "шахматы", "email": "a@b.org", "next": target})
        assert response.status_code == 302
        assert response["Location"].startswith("/search/?q=")


# --- rate limit --------------------------------------------------------------------------------


def test_many_subscriptions_from_one_address_are_refused(client, monkeypatch, settings):
    monkeypatch.setattr(views, "SUBSCRIBE_PER_HOUR", 2)
    settings.IP_LIMIT_FACTOR = 1
    for n in range(2):
        response = client.post(NEW, {"kind": "search", "q": f"шахматы {n}", "email": f"p{n}@example.org"})
        assert response.status_code == 302
    refused = client.post(NEW, {"kind": "search", "q": "шахматы 3", "email": "p3@example.org"})
    assert refused.status_code == 429 and refused["Retry-After"]
    in_place = client.post(NEW, {"kind": "search", "q": "шахматы 4", "email": "p4@example.org"}, **HTMX)
    assert in_place.status_code == 200
    assert "слишком много подписок" in in_place.content.decode()
    assert Subscription.objects.count() == 2


def test_mistyped_forms_do_not_use_up_the_limit(client, monkeypatch, settings):
    monkeypatch.setattr(views, "SUBSCRIBE_PER_HOUR", 1)
    settings.IP_LIMIT_FACTOR = 1
    for _n in range(3):
        assert client.post(NEW, {"kind": "search", "q": "шахматы", "email": "olga@"}).status_code == 400
    assert (
        client.post(NEW, {"kind": "search", "q": "шахматы", "email": "olga@example.org"}).status_code == 302
    )


# --- the widgets on the pages ---------------------------------------------------------------------


def test_search_page_offers_the_current_search_in_words(client):
    page = client.get("/search/", {"q": "шахматы", "age": "9", "sort": "price", "page": "2"}).content.decode()
    widget = page[page.index('id="subscribe-search"') :]
    assert "Сообщать о новых" in widget
    assert "«шахматы», возраст 9" in widget
    assert '<input type="hidden" name="q" value="шахматы">' in widget
    assert '<input type="hidden" name="age" value="9">' in widget
    assert 'name="sort"' not in widget and 'name="page"' not in widget
    assert 'id="subscribe-search-email"' in widget


def test_search_live_update_refreshes_the_widget_out_of_band(client):
    html = client.get("/search/", {"q": "танцы"}, **HTMX).content.decode()
    assert 'id="subscribe-search" aria-labelledby="subscribe-search-title" hx-swap-oob="true"' in html
    assert '<input type="hidden" name="q" value="танцы">' in html


def test_cached_search_results_never_carry_one_visitors_widget_to_another(anna_client, anna):
    anna_client.get("/search/", {"q": "шахматы"})  # fills the results cache
    anonymous = Client().get("/search/", {"q": "шахматы"}).content.decode()
    assert "anna@example.org" not in anonymous
    assert 'id="subscribe-search-email"' in anonymous


def test_events_page_offers_the_same_filters(client):
    page = client.get("/events/", {"q": "концерт", "free": "1"}).content.decode()
    widget = page[page.index('id="subscribe-search"') :]
    assert '<input type="hidden" name="q" value="концерт">' in widget
    assert '<input type="hidden" name="free" value="1">' in widget


def test_activity_and_organization_pages_offer_to_follow(client, chess):
    activity_page = client.get(chess.get_absolute_url()).content.decode()
    assert "Следить за изменениями" in activity_page
    assert f'<input type="hidden" name="activity" value="{chess.pk}">' in activity_page
    organization_page = client.get(chess.organization.get_absolute_url()).content.decode()
    assert "Следить за организацией" in organization_page
    assert f'<input type="hidden" name="organization" value="{chess.organization_id}">' in organization_page


def test_the_widget_speaks_english_for_english_visitors(client, chess):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(chess.get_absolute_url()).content.decode()
    assert "Follow changes" in page and "How often" in page
