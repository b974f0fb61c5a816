"""Sign-up with a verified email, then sign-in; mails in the reader's language; hostile input."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from kruzhok.accounts.models import User
from kruzhok.accounts.tests.conftest import links_in, path_of
from kruzhok.accounts.tests.factories import PASSWORD
from kruzhok.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _sign_up(client, email="parent@example.org", **extra):
    data = {"email": email, "display_name": "Мама Пети", "password1": PASSWORD, "password2": PASSWORD}
    data.update(extra)
    return client.post("/account/signup/", data)


def _html_part(message) -> str:
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def test_sign_up_mails_a_link_that_verifies_the_address_and_then_sign_in_works(client, mailoutbox):
    response = _sign_up(client)
    assert response.status_code == 302 and response["Location"] == "/account/confirm-email/"
    assert "Проверьте папку «Спам»" in client.get(response["Location"]).content.decode()

    user = User.objects.get(email="parent@example.org")
    assert user.display_name == "Мама Пети" and user.language == "ru"
    assert not EmailAddress.objects.get(user=user).verified
    # Mandatory verification: no session before the link is followed.
    assert "_auth_user_id" not in client.session

    (message,) = mailoutbox
    assert message.to == ["parent@example.org"]
    assert message.subject == "Подтвердите адрес почты на сайте «Кружок»"
    assert "Здравствуйте, Мама Пети!" in message.body
    (link,) = [url for url in links_in(message.body) if "/confirm-email/" in url]
    assert link.startswith("http://127.0.0.1:8000/account/confirm-email/")
    assert link in _html_part(message) and '<html lang="ru">' in _html_part(message)

    page = client.get(path_of(link))
    assert page.status_code == 200 and "parent@example.org" in page.content.decode()
    confirmed = client.post(path_of(link))
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    signed_in = client.post("/account/login/", {"login": "parent@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/account/"
    profile = client.get("/account/").content.decode()
    assert "Мама Пети" in profile and "Выйти" in profile
    assert AuditLog.objects.filter(action="accounts.user.signed_up", object_id=str(user.pk)).exists()


def test_sign_in_before_verification_sends_the_link_again_instead_of_a_session(client, mailoutbox):
    _sign_up(client)
    mailoutbox.clear()
    response = client.post("/account/login/", {"login": "parent@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_english_visitor_signs_up_in_english_and_gets_english_mail(client, mailoutbox):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/account/signup/").content.decode()
    assert '<html lang="en">' in page and ">Sign up<" in page
    _sign_up(client, email="dad@example.org")
    assert User.objects.get(email="dad@example.org").language == "en"
    (message,) = mailoutbox
    assert message.subject == "Confirm your email address on Kruzhok"
    assert "Hello, Мама Пети!" in message.body
    assert '<html lang="en">' in _html_part(message)
    assert "Подтвердите" not in message.body + _html_part(message)


def test_russian_is_the_default_language_of_mail(client, mailoutbox, settings):
    _sign_up(client)
    assert '<html lang="ru">' in _html_part(mailoutbox[0])


def test_sign_up_with_a_taken_address_tells_the_owner_by_mail_without_revealing_it(
    client, mailoutbox, citizen_a
):
    response = _sign_up(client, email="anna@example.org")
    # The page is the same as for a new address (no account enumeration); the owner gets a mail.
    assert response.status_code == 302 and response["Location"] == "/account/confirm-email/"
    (message,) = mailoutbox
    assert message.to == ["anna@example.org"]
    assert message.subject == "Аккаунт с этим адресом уже есть"
    assert "Здравствуйте, Анна!" in message.body


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("display_name", "Я" * 81, "Имя не длиннее 80 символов (сейчас 81)."),
        ("display_name", "<script>alert(1)</script>", "Имя не может содержать символы"),
        ("display_name", "Анна\u202eанна", "управляющие символы"),
        ("display_name", "Анна\u0000", "запрещённый символ: ноль-байт"),
        ("display_name", "https://spam.example", "Ссылка не может быть именем."),
        ("email", "not-an-email", "Введите правильный адрес электронной почты."),
        ("email", "a@" + "b" * 320 + ".ru", "Введите правильный адрес электронной почты."),
        ("email", "", "Обязательное поле."),
        ("password2", "something-else-42", "Вы должны ввести одинаковый пароль дважды."),
        ("password1", "12345678", "Введённый пароль слишком широко распространён."),
    ],
)
def test_hostile_sign_up_input_gets_a_clear_russian_error_and_no_account(
    client, mailoutbox, field, value, error
):
    data = {"email": "x@example.org", "display_name": "Анна", "password1": PASSWORD, "password2": PASSWORD}
    data[field] = value
    if field == "password1":
        data["password2"] = value
    response = client.post("/account/signup/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert 'aria-invalid="true"' in html
    assert "<script>alert(1)</script>" not in html
    assert not User.objects.exists() and mailoutbox == []
