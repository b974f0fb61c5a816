"""Comments and ratings on activity pages: who may post, what is shown, what it does to search."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from kruzhok.accounts.tests import factories as account_factories
from kruzhok.catalog.models import Activity, Status
from kruzhok.catalog.tests import factories
from kruzhok.community.models import Comment, CommentReport, Rating
from kruzhok.core.tests.xss import DATA_BLOCK_TYPES
from kruzhok.search import selectors
from kruzhok.search.params import parse_params

pytestmark = pytest.mark.django_db

XSS = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "<a href=\"javascript:alert('x')\">ссылка</a>",
    "</textarea><script>alert(2)</script>",
]


class _Unsafe(HTMLParser):
    """Collects what would run: script elements, on* attributes, javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            # The site's own scripts have a src under /static/; none is inline.
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/") and dict(attrs).get("type") not in DATA_BLOCK_TYPES:
                self.found.append("script")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(name)
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{name}=javascript:")


def unsafe(html: str) -> list[str]:
    parser = _Unsafe()
    parser.feed(html)
    return parser.found


def make_user(name: str, *, days: int = 60):
    """A verified account that joined `days` ago (the accounts app's factory)."""
    return account_factories.user(f"{name}@example.org", date_joined=timezone.now() - timedelta(days=days))


@pytest.fixture
def activity() -> Activity:
    return factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"])


@pytest.fixture
def anna(db):
    return make_user("anna")


@pytest.fixture
def boris(db):
    return make_user("boris")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, activity: Activity, **data: str):
    return client.post(f"/activities/{activity.pk}/comments/", data)


def page(client: Client, activity: Activity) -> str:
    response = client.get(activity.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def search_card(activity: Activity, **query: str):
    params, _errors = parse_params(query)
    result = selectors.search(params)
    return next(card for card in result.results if card.id == activity.pk)


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_saved(activity):
    response = post(Client(), activity, text="Отличный клуб", stars="5")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")
    assert "comments" in response["Location"]
    assert not Comment.objects.exists() and not Rating.objects.exists()
    assert "Войдите" in page(Client(), activity)


def test_a_comment_with_a_rating_shows_on_the_page_the_card_and_in_ranking(activity, anna):
    client = signed_in(anna)
    response = post(client, activity, text="Тренер внимательный,\nсын ходит с радостью.", stars="4")
    assert response.status_code == 302 and response["Location"].endswith("#comments")
    activity.refresh_from_db()
    assert (activity.rating, activity.rating_count) == (4.0, 1)
    html = page(client, activity)
    assert "Тренер внимательный,<br>сын ходит с радостью." in html
    assert "Спасибо! Отзыв опубликован." in html
    assert "★★★★" in html
    card = search_card(activity, q="шахматы")
    assert (card.rating, card.rating_count) == (4.0, 1)


def test_one_rating_per_person_editable_and_averaged(activity, anna, boris):
    other = factories.activity(title="Шахматная школа «Гамбит»", categories=["chess"])
    post(signed_in(anna), activity, text="Хорошо", stars="5")
    post(signed_in(anna), activity, stars="3")  # changes her rating, adds no comment
    post(signed_in(boris), activity, stars="4")
    post(signed_in(boris), other, stars="2")
    assert Rating.objects.filter(activity=activity).count() == 2
    assert Comment.objects.filter(activity=activity).count() == 1
    activity.refresh_from_db()
    assert (activity.rating, activity.rating_count) == (3.5, 2)
    params, _errors = parse_params({"q": "шахматы", "sort": "rating"})
    ranked = [card.id for card in selectors.search(params).results]
    assert ranked.index(activity.pk) < ranked.index(other.pk)
    assert "ваша: 3" in page(signed_in(anna), activity)


def test_an_empty_form_is_refused_with_a_message(activity, anna):
    response = post(signed_in(anna), activity, text="   ", stars="")
    assert response.status_code == 400
    assert "Напишите отзыв или поставьте оценку." in response.content.decode()
    assert not Comment.objects.exists() and not Rating.objects.exists()


@pytest.mark.parametrize("stars", ["0", "6", "-1", "abc", "4.5", "5; DROP TABLE"])
def test_a_bad_rating_is_refused_and_the_text_is_kept(activity, anna, stars):
    response = post(signed_in(anna), activity, text="Мой отзыв", stars=stars)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Мой отзыв" in html  # what was typed comes back
    assert not Comment.objects.exists() and not Rating.objects.exists()


def test_overlong_text_is_refused_and_kept(activity, anna):
    text = "очень " * 700
    response = post(signed_in(anna), activity, text=text)
    assert response.status_code == 400
    assert "4000" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("payload", XSS)
def test_hostile_text_is_shown_as_text(activity, anna, boris, payload):
    post(signed_in(anna), activity, text=payload, stars="5")
    assert Comment.objects.get().text == payload
    for viewer in (Client(), signed_in(boris), signed_in(anna)):
        html = page(viewer, activity)
        assert unsafe(html) == []


def test_invisible_characters_are_dropped_and_null_bytes_refused(activity, anna):
    post(signed_in(anna), activity, text="Хоро\u200bший\u202e клуб\x07")
    assert Comment.objects.get().text == "Хороший клуб"
    assert post(signed_in(anna), activity, text="нуль\x00байт").status_code == 400
    assert Comment.objects.count() == 1


def test_a_new_accounts_link_waits_for_an_editor(activity, boris):
    newcomer = make_user("newcomer", days=1)
    response = post(signed_in(newcomer), activity, text="Скидки тут: https://spam.example")
    assert response.status_code == 302
    held = Comment.objects.get()
    assert held.status == Comment.Status.HELD
    assert "spam.example" not in page(signed_in(boris), activity)
    own = page(signed_in(newcomer), activity)
    assert "spam.example" in own and "ждёт проверки" in own
    post(signed_in(boris), activity, text="Сайт клуба: www.ladya-omsk.ru")
    assert Comment.objects.get(author=boris).status == Comment.Status.PUBLISHED


def test_too_many_comments_in_an_hour_are_refused(activity, anna, settings):
    settings.COMMENTS_PER_HOUR = 2
    client = signed_in(anna)
    post(client, activity, text="Первый")
    post(client, activity, text="Второй")
    response = post(client, activity, text="Третий", stars="5")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Слишком много отзывов" in html and "Третий" in html
    assert Comment.objects.count() == 2 and not Rating.objects.exists()


def test_three_reports_from_different_people_hide_a_comment(activity, anna):
    post(signed_in(anna), activity, text="Неприятный отзыв")
    comment = Comment.objects.get()
    reporters = [make_user(f"reporter{i}") for i in range(3)]
    url = f"/comments/{comment.pk}/report/"
    signed_in(reporters[0]).post(url, {"reason": "оскорбления"})
    signed_in(reporters[0]).post(url, {"reason": "ещё раз"})  # one report per person
    signed_in(anna).post(url, {})  # not one's own
    signed_in(reporters[1]).post(url, {})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert CommentReport.objects.count() == 2
    response = signed_in(reporters[2]).post(url, {"reason": "<script>x</script>" * 50})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert "Неприятный отзыв" not in page(Client(), activity)
    # Reporting a hidden comment again finds nothing to report.
    assert signed_in(reporters[0]).post(url, {}).status_code == 404


def test_every_post_needs_the_csrf_token(activity, anna):
    post(signed_in(anna), activity, text="Есть")
    comment = Comment.objects.get()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(anna)
    assert strict.post(f"/activities/{activity.pk}/comments/", {"text": "Без токена"}).status_code == 403
    assert strict.post(f"/comments/{comment.pk}/report/", {}).status_code == 403
    assert Comment.objects.count() == 1


def test_get_is_not_allowed_and_hidden_activities_take_no_comments(activity, anna):
    client = signed_in(anna)
    assert client.get(f"/activities/{activity.pk}/comments/").status_code == 405
    draft = factories.activity(title="Черновик", status=Status.DRAFT)
    assert post(client, draft, text="Тут", stars="5").status_code == 404
    assert post(client, activity, text="x").status_code == 302
    assert client.post("/activities/999999/comments/", {"text": "нет"}).status_code == 404


def test_a_deleted_account_leaves_its_comments_unsigned_and_takes_its_rating(activity, anna, boris):
    post(signed_in(anna), activity, text="Было хорошо", stars="5")
    post(signed_in(boris), activity, stars="3")
    anna.delete()
    activity.refresh_from_db()
    assert (activity.rating, activity.rating_count) == (3.0, 1)
    html = page(Client(), activity)
    assert "Было хорошо" in html and "удалённый пользователь" in html


def test_the_count_of_ratings_speaks_russian(activity):
    for i in range(3):
        post(signed_in(make_user(f"parent{i}")), activity, stars=str(3 + i % 2))
    html = page(Client(), activity)
    assert "3 оценки" in html and "</span> 3,3" in html


def test_an_account_deleted_by_its_owner_shows_as_a_deleted_user(activity, anna):
    from kruzhok.accounts.services import user_delete_account

    anna.display_name = "Анна из Кировского"
    anna.save()
    post(signed_in(anna), activity, text="Понравилось", stars="4")
    assert "Анна из Кировского" in page(Client(), activity)
    user_delete_account(user=anna)
    html = page(Client(), activity)
    assert "Понравилось" in html and "удалённый пользователь" in html
    assert "Анна" not in html and "anna" not in html
