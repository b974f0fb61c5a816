"""No text a person typed becomes a mail header. Names of organizations, saved searches and the
department's invitation form reach the Subject; render_mail joins the subject on whitespace (every
line break Python knows, U+2028 and NEL included), From is the site's, To is checked by
`mailable`, and the outbox refuses a line break in any header. Here the mails go to a real SMTP
server and the raw bytes it received are read: one recipient, no header but the site's own, no
line over RFC 5322's 998 characters.

Related, not repeated: test_categories (a CR/LF name in a claim mail, hostile addresses),
test_outbox (the outbox refuses line breaks), test_alerts (a hostile saved search)."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest
from django.utils import timezone

from kruzhok.accounts.models import User
from kruzhok.catalog.models import Organization
from kruzhok.catalog.tests import factories as catalog
from kruzhok.moderation import claims
from kruzhok.notifications.models import OutboxMail
from kruzhok.notifications.tests.alerts_support import run, subscription
from kruzhok.notifications.tests.conftest import Recorder
from kruzhok.notifications.tests.test_categories import World, _claim

pytestmark = pytest.mark.django_db

VICTIM = "victim@evil.example"
NAME_MAX = Organization._meta.get_field("name").max_length
HOSTILE_NAMES = [
    f"Студия\r\nBcc: {VICTIM}",
    f"Студия\nBcc: {VICTIM}",
    f"Студия\rBcc: {VICTIM}",
    f"Студия\u2028Bcc: {VICTIM}\u2029Cc: {VICTIM}",
    f"Студия\x85Bcc: {VICTIM}\x0bCc: {VICTIM}\x0cReply-To: {VICTIM}",
    f"=?utf-8?q?=0D=0ABcc:_{VICTIM}?=",  # an encoded line break, as text
    f"Студия%0D%0ABcc:%20{VICTIM}",
    "Студия\r\n\r\n<html>тело письма</html>",  # an attempt to end the headers early
    "Я" * (NAME_MAX - len(f"\r\nBcc: {VICTIM}")) + f"\r\nBcc: {VICTIM}",  # as long as the field allows
]
# Every header the site's mails carry; anything else got in from outside.
SITE_HEADERS = {
    "content-type",
    "mime-version",
    "content-transfer-encoding",
    "subject",
    "from",
    "to",
    "date",
    "message-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
}


class RawRecorder(Recorder):
    """Also keeps the envelope's recipients and the bytes as they came over the wire."""

    def __init__(self) -> None:
        super().__init__()
        self.raw: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.raw.append((list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def wire(smtp_server):
    """The conftest's server (and its settings), restarted with a recorder of the raw bytes."""
    smtp_server.stop()
    smtp_server.recorder = RawRecorder()
    smtp_server.start()
    return smtp_server.recorder


def _one_clean_mail(wire: RawRecorder, to: str) -> str:
    """The one mail received: sent to `to` only, with the site's headers only; its subject."""
    ((recipients, raw),) = wire.raw
    assert recipients == [to]
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    names = {line.split(b":", 1)[0].decode().lower() for line in lines if not line[:1].isspace()}
    assert names <= SITE_HEADERS, names - SITE_HEADERS
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == to and message["Bcc"] is None and message["Cc"] is None
    assert message["Reply-To"] is None
    subject = str(message["Subject"])
    assert subject.strip() and "\n" not in subject and "\r" not in subject
    return subject


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_organization_name_in_a_claim_mail_stays_in_the_subject(
    name, wire, django_capture_on_commit_callbacks
):
    world = World()
    Organization.objects.filter(pk=world.org.pk).update(name=name)
    world.org.refresh_from_db()
    claim = _claim(world)
    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_approve(claim=claim, editor=world.editor)
    subject = _one_clean_mail(wire, world.citizen.email)
    assert "Студия" in subject or "Я" in subject or VICTIM in subject
    assert OutboxMail.objects.get().status == OutboxMail.Status.SENT


@pytest.mark.parametrize("name", HOSTILE_NAMES[:6])
def test_a_hostile_name_typed_into_the_invitation_form_is_sent_safely(
    name, wire, client, django_capture_on_commit_callbacks
):
    world = World()
    client.force_login(world.department_member)
    form = {"email": "school-new@example.ru", "organization": "", "new_organization": name}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/department/education/invitations/", form)
    body = response.content.decode()
    if response.status_code == 400:  # refused at the form, in Russian, with nothing saved
        assert "управляющие символы" in body
        assert not OutboxMail.objects.exists() and wire.raw == []
        return
    assert response.status_code == 302, (response.status_code, body[:300])
    saved = Organization.objects.get(department__slug="education", name__contains="Bcc")
    assert "\n" not in saved.name and "\r" not in saved.name
    subject = _one_clean_mail(wire, "school-new@example.ru")
    assert "Bcc" in subject


def test_a_hostile_saved_search_reaches_the_subject_as_text(
    wire, django_capture_on_commit_callbacks, settings
):
    settings.ALERTS_SETTLE_S = 0
    settings.SITE_URL = "https://kruzhok.example"
    subscription(query=f"q=шахматы%0D%0ABcc%3A+{VICTIM}%E2%80%A8Cc%3A+{VICTIM}")
    catalog.activity(title=f"Шахматы Bcc: {VICTIM} Cc: {VICTIM}", categories=["chess"])
    run(django_capture_on_commit_callbacks)
    subject = _one_clean_mail(wire, "parent@example.org")
    assert subject.startswith("Новое по вашему поиску:")


def test_a_hostile_display_name_never_reaches_a_header(wire, django_capture_on_commit_callbacks):
    """A person's display name is shown in mail bodies only: no header takes it."""
    world = World()
    User.objects.filter(pk=world.citizen.pk).update(display_name=f"Анна\r\nBcc: {VICTIM}\r\nX-Evil: 1")
    world.citizen.refresh_from_db()
    claim = _claim(world)
    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_approve(claim=claim, editor=world.editor)
    _one_clean_mail(wire, world.citizen.email)
    assert OutboxMail.objects.get().sent_at <= timezone.now()
