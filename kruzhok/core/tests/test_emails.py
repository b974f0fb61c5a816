"""`send_mail`: three templates on one base, the way out each kind of mail offers (a category's
one-click opt-out, a subscription's own links, none for the account's security mails), and
addresses no mail can go to."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from kruzhok.accounts.tests import factories as people
from kruzhok.core import emails
from kruzhok.notifications.models import OutboxMail
from kruzhok.notifications.subscriptions import opt_out, optout_read

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "kruzhok" / "templates"
BASES = {"emails/base", "emails/notification"}  # extended by the others, never sent
EXTENDS = re.compile(r'{%\s*extends\s+"([^"]+)"\s*%}')


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://kruzhok.example"


def _comment_published(**kwargs):
    activity = SimpleNamespace(title="Шахматы", get_absolute_url=lambda: "/activities/7/")
    options = {
        "template": "emails/comment_published",
        "to": "anna@example.org",
        "context": {"activity": activity, "comment": SimpleNamespace(pk=3)},
        "key": "comment_published:1:3",
        **kwargs,
    }
    return emails.send_mail(**options)


def test_a_category_mail_has_the_one_click_headers_and_the_footer_in_both_parts():
    mail = _comment_published(category="comments")
    assert mail is not None
    link = mail.headers["List-Unsubscribe"][1:-1]
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.startswith("https://kruzhok.example/subscriptions/optout/")
    assert optout_read(link.rstrip("/").rpartition("/")[2]) == ("anna@example.org", "comments")
    assert mail.body_text.rstrip().endswith(f"Не получать такие письма: {link}")
    assert f'<a href="{link}"' in mail.body_html and "Отписаться" not in mail.body_html


def test_the_footer_follows_the_recipients_language():
    mail = _comment_published(category="comments", language="en")
    assert mail is not None
    assert "Stop emails like this: https://kruzhok.example/subscriptions/optout/" in mail.body_text
    assert "Stop emails like this</a>" in mail.body_html


def test_a_subscription_mail_offers_unsubscribe_and_manage_and_gets_the_headers():
    mail = _comment_published(
        unsubscribe_url="https://kruzhok.example/subscriptions/unsubscribe/tok/",
        manage_url="https://kruzhok.example/subscriptions/manage/tok/",
    )
    assert mail is not None
    assert mail.headers["List-Unsubscribe"] == "<https://kruzhok.example/subscriptions/unsubscribe/tok/>"
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Отписаться: https://kruzhok.example/subscriptions/unsubscribe/tok/" in mail.body_text
    assert "Управлять подписками: https://kruzhok.example/subscriptions/manage/tok/" in mail.body_text
    assert 'href="https://kruzhok.example/subscriptions/manage/tok/"' in mail.body_html
    assert "Не получать такие письма" not in mail.body_text


def test_headers_the_caller_passes_win():
    mail = _comment_published(
        unsubscribe_url="https://kruzhok.example/subscriptions/unsubscribe/tok/",
        headers={"List-Unsubscribe": "<https://kruzhok.example/other/>", "X-Kind": "alert"},
    )
    assert mail is not None
    assert mail.headers["List-Unsubscribe"] == "<https://kruzhok.example/other/>"
    assert mail.headers["X-Kind"] == "alert"


def test_a_mail_without_a_way_out_has_no_footer_link_and_no_header():
    mail = _comment_published()
    assert mail is not None
    assert "List-Unsubscribe" not in mail.headers
    assert "Отписаться" not in mail.body_text and "Не получать" not in mail.body_html


def test_an_opted_out_address_is_skipped_whatever_its_case():
    opt_out(email="Anna@Example.org", category="comments")
    assert _comment_published(category="comments") is None
    assert _comment_published(category="moderation", key="other") is not None
    assert OutboxMail.objects.count() == 1


def test_an_unknown_category_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown mail category"):
        _comment_published(category="newsletter")
    assert not OutboxMail.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "anna@example.org\r\nBcc: victim@example.org",
        "anna@example.org\nBcc: victim@example.org",
        "Anna <anna@example.org>",
        "anna@example.org, victim@example.org",
        "",
        "<script>alert(1)</script>@example.org",
    ],
)
def test_an_address_no_mail_can_go_to_is_refused_without_raising(address, caplog):
    with caplog.at_level(logging.WARNING, logger="kruzhok.core.emails"):
        assert _comment_published(to=address, category="comments") is None
    assert not OutboxMail.objects.exists() and "not a deliverable address" in caplog.text


def test_account_security_mails_carry_no_unsubscribe(client):
    """A password reset is asked for a moment ago; stopping it would lock the person out."""
    people.user("olga@example.org", display_name="Ольга")
    response = client.post("/account/password/reset/", {"email": "olga@example.org"})
    assert response.status_code == 302
    (mail,) = OutboxMail.objects.filter(recipient="olga@example.org")
    assert "List-Unsubscribe" not in mail.headers
    assert "Отписаться" not in mail.body_text and "Не получать" not in mail.body_text


def _chain(name: str) -> list[str]:
    """The templates `name` extends, nearest first."""
    seen = []
    while True:
        found = EXTENDS.search((TEMPLATES / name).read_text(encoding="utf-8"))
        if found is None:
            return seen
        name = found.group(1)
        seen.append(name)


def _mail_templates() -> list[str]:
    prefixes = {
        str(path.relative_to(TEMPLATES))[: -len("_message.html")]
        for path in TEMPLATES.rglob("*_message.html")
    }
    return sorted(prefixes - BASES)


def test_there_are_mail_templates_to_check():
    assert {"emails/review_request", "emails/invitation", "account/email/password_reset_key"} <= set(
        _mail_templates()
    )


@pytest.mark.parametrize("prefix", _mail_templates())
def test_every_mail_is_three_templates_on_the_one_base(prefix):
    for part in ("_subject.txt", "_message.txt", "_message.html"):
        assert (TEMPLATES / f"{prefix}{part}").is_file(), f"{prefix}{part} is missing"
    assert "emails/base_message.html" in _chain(f"{prefix}_message.html")
    assert "emails/base_message.txt" in _chain(f"{prefix}_message.txt")


def test_every_mail_category_has_its_short_name_for_the_opt_out_page():
    from kruzhok.core.emails import MAIL_CATEGORIES, MAIL_CATEGORY_NAMES

    assert MAIL_CATEGORY_NAMES.keys() == MAIL_CATEGORIES.keys()
