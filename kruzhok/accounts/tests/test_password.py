"""Password reset by the mailed link, password change, and the notices that follow both."""

from __future__ import annotations

import pytest

from kruzhok.accounts.tests.conftest import links_in, path_of
from kruzhok.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Kruzhok-Pass-77"


def test_password_reset_by_the_mailed_link_sets_a_new_password(client, citizen_a, mailoutbox):
    response = client.post("/account/password/reset/", {"email": "ANNA@example.org"})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/done/"
    (message,) = mailoutbox
    assert message.to == ["anna@example.org"] and message.subject == "Новый пароль для сайта «Кружок»"
    (link,) = [url for url in links_in(message.body) if "/password/reset/key/" in url]

    # The key in the link is swapped for a session-held one, so the URL is not left in history.
    form_page = client.get(path_of(link), follow=True)
    assert form_page.status_code == 200 and "Новый пароль" in form_page.content.decode()
    action = form_page.redirect_chain[-1][0]
    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/account/password/reset/key/done/"
    citizen_a.refresh_from_db()
    assert citizen_a.check_password(NEW_PASSWORD)
    assert mailoutbox[-1].subject == "Пароль восстановлен"  # the security notice

    assert client.get(path_of(link), follow=True).content.decode().count("Ссылка не работает") == 1
    signed_in = client.post("/account/login/", {"login": "anna@example.org", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302


def test_password_reset_for_an_unknown_address_looks_the_same_and_mails_a_hint(client, mailoutbox):
    response = client.post("/account/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/done/"
    (message,) = mailoutbox
    assert message.subject == "Аккаунта с этим адресом нет"
    assert "/account/signup/" in message.body


def test_english_user_gets_the_reset_mail_in_english_whatever_the_page_language(client, mailoutbox):
    from kruzhok.accounts.tests import factories

    factories.user("en@example.org", language="en", display_name="Jane")
    client.post("/account/password/reset/", {"email": "en@example.org"})  # from a Russian page
    (message,) = mailoutbox
    assert message.subject == "New password for Kruzhok"
    assert message.body.startswith("Hello, Jane!")


def test_password_change_needs_the_current_password_and_mails_a_notice(client, citizen_a, mailoutbox):
    client.force_login(citizen_a)
    wrong = client.post(
        "/account/password/change/",
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and "Пожалуйста, введите свой текущий пароль." in wrong.content.decode()
    ok = client.post(
        "/account/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    citizen_a.refresh_from_db()
    assert citizen_a.check_password(NEW_PASSWORD)
    (notice,) = mailoutbox
    assert notice.subject == "Пароль изменён" and "IP-адрес:" in notice.body
