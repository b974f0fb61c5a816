"""The notices of «Open contribution» — moderation outcomes, comment and report decisions, review
requests, invitations — on the outbox: each is queued in the transaction of the change it reports
(a rolled-back change mails nothing, a crash after the commit loses nothing), under a key that makes
a second call one mail, and carries a one-click way to stop its category (RFC 8058) that is
honoured the next time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import resolve
from django.utils import timezone, translation

from kruzhok.accounts import invitations
from kruzhok.accounts.models import Membership, User
from kruzhok.accounts.tests import factories as people
from kruzhok.catalog.models import Activity, Department
from kruzhok.catalog.tests import factories as catalog
from kruzhok.community import services as community
from kruzhok.community.models import Comment
from kruzhok.core.emails import MAIL_CATEGORIES
from kruzhok.core.models import AuditLog
from kruzhok.core.tests.xss import PAYLOADS, script_problems
from kruzhok.moderation import claims, reports, review_cycle, suggestions
from kruzhok.moderation.models import Claim, ProblemReport
from kruzhok.notifications.models import OutboxMail
from kruzhok.notifications.subscriptions import opt_out, optout_read

pytestmark = pytest.mark.django_db

SITE = "https://kruzhok.example"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SITE_URL = SITE


class World:
    """An organization with an owner and an entry, a citizen who contributes, an editor, a
    department member, and an anonymous parent's address."""

    def __init__(self) -> None:
        self.org = catalog.organization(name="Студия «Икс»")
        self.activity = catalog.activity(organization=self.org, title="Шахматы для начинающих")
        self.owner = people.provider(self.org, role="owner", email="owner@x.example.org")
        self.citizen = people.user("anna@example.org", display_name="Анна")
        self.editor = people.user("editor@example.org", is_editor=True)
        education = Department.objects.get(slug="education")
        self.school = catalog.organization(name="Школа искусств №3", department=education)
        self.department_member = people.department_member(education, email="dep@example.org")
        self.parent_email = "mama@example.org"


@pytest.fixture
def world() -> World:
    return World()


@dataclass(frozen=True)
class Case:
    """One notice: how to set up the change that causes it, and who gets it."""

    name: str
    category: str
    prepare: Callable[[World], Callable[[], Any]]
    recipient: Callable[[World], str]
    # The change refuses to happen twice (a decision); None: a second call is a new request.
    refused_again: tuple[type[Exception], ...] | None = field(default=None)
    account: Callable[[World], User | None] = field(default=lambda w: None)


def _claim(w: World) -> Claim:
    return claims.claim_submit(
        user=w.citizen, organization=w.org, position="Педагог", phone="+7 3812 12-34-56", message=""
    )


def _held_comment(w: World) -> Comment:
    return Comment.objects.create(
        activity=w.activity, author=w.citizen, text="Смотрите www.example.ru", status=Comment.Status.HELD
    )


def _suggestion(w: World) -> Any:
    return suggestions.suggestion_submit_edit(
        author=w.citizen, activity=w.activity, data={"price_rub": 900}, original={"price_rub": 1500}
    )


def _report(w: World) -> ProblemReport:
    return ProblemReport.objects.create(
        activity=w.activity, problem=ProblemReport.Problem.SCHEDULE, reporter_email=w.parent_email
    )


def _due(w: World) -> Activity:
    Activity.objects.filter(pk=w.activity.pk).update(
        created_at=timezone.now() - timedelta(days=400), verified_at=None
    )
    return w.activity


def _asked(w: World) -> Activity:
    Activity.objects.filter(pk=w.activity.pk).update(review_requested_at=timezone.now() - timedelta(days=40))
    w.activity.refresh_from_db()
    return w.activity


def _citizen(w: World) -> str:
    return w.citizen.email


def _claim_approved(w: World) -> Callable[[], Any]:
    claim = _claim(w)
    return lambda: claims.claim_approve(claim=claim, editor=w.editor)


def _claim_rejected(w: World) -> Callable[[], Any]:
    claim = _claim(w)
    return lambda: claims.claim_reject(claim=claim, editor=w.editor, reason="Не дозвонились.")


def _suggestion_accepted(w: World) -> Callable[[], Any]:
    suggestion = _suggestion(w)
    return lambda: suggestions.suggestion_accept(suggestion=suggestion, editor=w.editor)


def _suggestion_rejected(w: World) -> Callable[[], Any]:
    suggestion = _suggestion(w)
    return lambda: suggestions.suggestion_reject(
        suggestion=suggestion, editor=w.editor, reason="Цена на сайте верная."
    )


def _comment_published(w: World) -> Callable[[], Any]:
    comment = _held_comment(w)
    return lambda: community.comment_publish(comment=comment, editor=w.editor)


def _comment_removed(w: World) -> Callable[[], Any]:
    comment = _held_comment(w)
    return lambda: community.comment_remove(comment=comment, editor=w.editor, reason="Реклама.")


def _report_confirmed(w: World) -> Callable[[], Any]:
    report = _report(w)
    return lambda: reports.report_confirm(report=report, editor=w.editor, reason="Исправили.")


def _report_dismissed(w: World) -> Callable[[], Any]:
    report = _report(w)
    return lambda: reports.report_dismiss(report=report, editor=w.editor, reason="Всё верно.")


def _review_cycle(w: World) -> Callable[[], Any]:
    _due(w)
    return review_cycle.review_cycle_run


def _review_asked_again(w: World) -> Callable[[], Any]:
    activity = _asked(w)
    return lambda: review_cycle.review_request_again(activity=activity, editor=w.editor)


def _invitation(w: World) -> Callable[[], Any]:
    return lambda: invitations.invitation_create(
        department=w.school.department,
        inviter=w.department_member,
        email="school@example.ru",
        organization=w.school,
    )


def _owner(w: World) -> User:
    return w.owner


def _the_citizen(w: World) -> User:
    return w.citizen


CASES = [
    Case("claim_approved", "moderation", _claim_approved, _citizen, (claims.Refused,), _the_citizen),
    Case("claim_rejected", "moderation", _claim_rejected, _citizen, (claims.Refused,), _the_citizen),
    Case(
        "suggestion_accepted",
        "moderation",
        _suggestion_accepted,
        _citizen,
        (suggestions.SuggestionError,),
        _the_citizen,
    ),
    Case(
        "suggestion_rejected",
        "moderation",
        _suggestion_rejected,
        _citizen,
        (suggestions.SuggestionError,),
        _the_citizen,
    ),
    Case("comment_published", "comments", _comment_published, _citizen, (community.Refused,), _the_citizen),
    Case("comment_removed", "comments", _comment_removed, _citizen, (community.Refused,), _the_citizen),
    Case(
        "report_confirmed", "reports", _report_confirmed, lambda w: w.parent_email, (reports.ReportRefused,)
    ),
    Case(
        "report_dismissed", "reports", _report_dismissed, lambda w: w.parent_email, (reports.ReportRefused,)
    ),
    # A second run finds nothing due and returns quietly.
    Case("review_cycle", "review", _review_cycle, lambda w: w.owner.email, (), _owner),
    # The editor asks again on purpose: new links, a new letter.
    Case("review_asked_again", "review", _review_asked_again, lambda w: w.owner.email, None, _owner),
    # The page refuses a second pending invitation to the address; a resend is a new link.
    Case("invitation", "invitations", _invitation, lambda w: "school@example.ru", None),
]


def case_ids(case: Case) -> str:
    return case.name


def _mails_to(address: str) -> list[OutboxMail]:
    return list(OutboxMail.objects.filter(recipient=address))


def _optout_link(mail_headers: Any) -> str:
    value = str(mail_headers["List-Unsubscribe"])
    assert value.startswith("<") and value.endswith(">"), value
    return value[1:-1]


class Boom(Exception):
    """What went wrong later in the same transaction."""


@pytest.mark.parametrize("case", CASES, ids=case_ids)
def test_the_notice_is_queued_with_the_change_and_carries_its_opt_out(world, case):
    change = case.prepare(world)
    recipient = case.recipient(world)
    audits = AuditLog.objects.count()
    change()
    assert AuditLog.objects.count() > audits
    (mail,) = _mails_to(recipient)
    assert mail.status == OutboxMail.Status.QUEUED
    link = _optout_link(mail.headers)
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.startswith(f"{SITE}/subscriptions/optout/")
    path = urlsplit(link).path
    assert resolve(path).view_name == "subscriptions:optout"
    assert optout_read(path.rstrip("/").rpartition("/")[2]) == (recipient, case.category)
    assert f"Не получать такие письма: {link}" in mail.body_text
    assert f'href="{link}"' in mail.body_html and "Не получать такие письма" in mail.body_html
    assert "Управлять подписками" not in mail.body_text  # a category has no subscription to manage


@pytest.mark.parametrize("case", CASES, ids=case_ids)
def test_a_rolled_back_change_leaves_no_mail(world, case, django_capture_on_commit_callbacks):
    change = case.prepare(world)
    audits = AuditLog.objects.count()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Boom), transaction.atomic():
        change()
        assert len(_mails_to(case.recipient(world))) == 1
        raise Boom
    assert _mails_to(case.recipient(world)) == [] and AuditLog.objects.count() == audits
    assert callbacks == []  # nor a delivery task


@pytest.mark.parametrize("case", [c for c in CASES if c.refused_again is not None], ids=case_ids)
def test_the_same_change_twice_is_one_mail(world, case):
    change = case.prepare(world)
    change()
    try:
        change()
    except case.refused_again as refusal:  # type: ignore[misc]
        assert str(refusal)
    assert len(_mails_to(case.recipient(world))) == 1


# Asking again with nobody to ask changes nothing: see test_asking_again_when_every_member_opted_out….
@pytest.mark.parametrize("case", [c for c in CASES if c.name != "review_asked_again"], ids=case_ids)
def test_an_opted_out_address_gets_none_of_that_category_and_the_change_still_happens(world, case):
    recipient = case.recipient(world)
    opt_out(email=recipient.upper(), category=case.category)  # addresses compare without case
    change = case.prepare(world)
    audits = AuditLog.objects.count()
    change()
    assert AuditLog.objects.count() > audits
    assert _mails_to(recipient) == []


@pytest.mark.parametrize("case", CASES, ids=case_ids)
def test_opting_out_of_other_categories_does_not_stop_this_one(world, case):
    recipient = case.recipient(world)
    for other in MAIL_CATEGORIES:
        if other != case.category:
            opt_out(email=recipient, category=other)
    case.prepare(world)()
    assert len(_mails_to(recipient)) == 1


@pytest.mark.parametrize("case", CASES, ids=case_ids)
def test_the_notice_speaks_the_recipients_language_not_the_editors(world, case):
    account = case.account(world)
    if account is not None:
        User.objects.filter(pk=account.pk).update(language="en")
        account.language = "en"
    change = case.prepare(world)
    with translation.override("ru" if account is not None else "en"):
        change()
    (mail,) = _mails_to(case.recipient(world))
    if account is not None:
        assert "Stop emails like this:" in mail.body_text and "Не получать" not in mail.body_text
        assert 'lang="en"' in mail.body_html
    else:  # an address without an account gets the site's language
        assert "Не получать такие письма:" in mail.body_text and "Stop emails" not in mail.body_text
        assert 'lang="ru"' in mail.body_html


@pytest.mark.parametrize("case", CASES, ids=case_ids)
def test_a_crash_after_the_commit_loses_nothing_and_smtp_gets_both_parts_and_the_headers(
    world, case, smtp_server, django_capture_on_commit_callbacks
):
    recipient = case.recipient(world)
    # The process dies right after the commit: nothing queued on commit ever runs.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case.prepare(world)()
    assert callbacks and smtp_server.received == []
    call_command("deliver_mail", "--once")  # the sweep finds the committed mail
    (received,) = [m for m in smtp_server.received if m["To"] == recipient]
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    link = _optout_link(received)
    assert str(received["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    token = urlsplit(link).path.rstrip("/").rpartition("/")[2]
    assert optout_read(token) == (recipient, case.category)
    assert link in text.get_content() and f'href="{link}"' in html.get_content()
    assert _mails_to(recipient)[0].status == OutboxMail.Status.SENT


def test_opting_out_by_the_mails_own_link_stops_the_next_one(world):
    claims.claim_reject(claim=_claim(world), editor=world.editor, reason="Не дозвонились.")
    (mail,) = _mails_to(world.citizen.email)
    email, category = optout_read(
        urlsplit(_optout_link(mail.headers)).path.rstrip("/").rpartition("/")[2]
    ) or ("", "")
    opt_out(email=email, category=category)  # what the one-click page does with the token
    suggestions.suggestion_reject(suggestion=_suggestion(world), editor=world.editor, reason="Нет.")
    assert len(_mails_to(world.citizen.email)) == 1
    community.comment_publish(comment=_held_comment(world), editor=world.editor)  # another category
    assert len(_mails_to(world.citizen.email)) == 2


# --- the review cycle ----------------------------------------------------------------------------


def test_review_cycle_twice_and_alongside_mails_each_member_once(world):
    staff = people.provider(world.org, email="staff@x.example.org")
    _due(world)
    first = review_cycle.review_cycle_run()
    second = review_cycle.review_cycle_run()
    assert (first.mails, second.mails) == (2, 0)
    assert len(_mails_to(world.owner.email)) == 1 and len(_mails_to(staff.email)) == 1


def test_asking_again_the_same_day_is_a_new_letter_with_the_new_link(world, monkeypatch):
    """The key's period is the request itself: the cycle's letter and the editor's «ask again»
    an hour later carry different links, so both go."""
    now = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    _due(world)
    review_cycle.review_cycle_run()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=1))
    assert review_cycle.review_request_again(activity=world.activity, editor=world.editor) == 1
    first, second = _mails_to(world.owner.email)
    world.activity.refresh_from_db()
    assert review_cycle.confirm_url(world.activity) in second.body_text
    assert review_cycle.confirm_url(world.activity) not in first.body_text


def test_members_who_opted_out_get_no_request_and_the_rest_do(world):
    staff = people.provider(world.org, email="staff@x.example.org")
    opt_out(email=world.owner.email, category="review")
    _due(world)
    summary = review_cycle.review_cycle_run()
    assert summary.mails == 1 and summary.requested == 1
    assert _mails_to(world.owner.email) == [] and len(_mails_to(staff.email)) == 1


def test_asking_again_when_every_member_opted_out_changes_nothing(world):
    asked = _asked(world)
    requested_at = asked.review_requested_at
    opt_out(email=world.owner.email, category="review")
    assert review_cycle.review_request_again(activity=asked, editor=world.editor) == 0
    asked.refresh_from_db()
    assert asked.review_requested_at == requested_at  # the old links still work
    assert not AuditLog.objects.filter(action="moderation.review.resent").exists()
    assert not OutboxMail.objects.exists()


def test_one_letter_that_cannot_be_made_does_not_stop_the_batch(world, monkeypatch, caplog):
    staff = people.provider(world.org, email="staff@x.example.org")
    _due(world)
    real = review_cycle.send_mail

    def failing_for_the_owner(**kwargs: Any) -> Any:
        if kwargs["to"] == world.owner.email:
            raise RuntimeError("template broke")
        return real(**kwargs)

    monkeypatch.setattr(review_cycle, "send_mail", failing_for_the_owner)
    with caplog.at_level(logging.ERROR, logger="kruzhok.moderation.review_cycle"):
        summary = review_cycle.review_cycle_run()
    assert summary.requested == 1 and summary.mails == 1
    assert len(_mails_to(staff.email)) == 1 and "template broke" in caplog.text


# --- invitations ---------------------------------------------------------------------------------


def test_a_resent_invitation_is_a_new_mail_with_the_new_link(world):
    invitation = invitations.invitation_create(
        department=world.school.department,
        inviter=world.department_member,
        email="school@example.ru",
        organization=world.school,
    )
    invitations.invitation_resend(invitation=invitation, actor=world.department_member)
    first, second = _mails_to("school@example.ru")
    assert (first.key, second.key) == (f"invitation:{invitation.pk}:1", f"invitation:{invitation.pk}:2")
    assert first.body_text != second.body_text


def test_an_address_that_opted_out_of_invitations_is_refused_clearly(world, client):
    opt_out(email="school@example.ru", category="invitations")
    client.force_login(world.department_member)
    form = {"email": "School@Example.ru", "organization": world.school.pk, "new_organization": ""}
    response = client.post("/department/education/invitations/", form)
    assert response.status_code == 400, response.status_code
    assert "отказался от приглашений" in response.content.decode()
    assert not invitations.Invitation.objects.exists() and not OutboxMail.objects.exists()


def test_resending_to_an_address_that_opted_out_since_is_refused(world):
    invitation = invitations.invitation_create(
        department=world.school.department,
        inviter=world.department_member,
        email="school@example.ru",
        organization=world.school,
    )
    opt_out(email="school@example.ru", category="invitations")
    with pytest.raises(invitations.InvitationError, match="отказался от приглашений") as refused:
        invitations.invitation_resend(invitation=invitation, actor=world.department_member)
    assert refused.value.reason == "opted_out"
    invitation.refresh_from_db()
    assert invitation.send_count == 1 and len(_mails_to("school@example.ru")) == 1


# --- hostile values ------------------------------------------------------------------------------


def test_a_line_break_in_a_name_never_becomes_a_header(
    world, smtp_server, django_capture_on_commit_callbacks
):
    world.org.name = "Студия\r\nBcc: victim@example.org"
    world.org.save()
    User.objects.filter(pk=world.citizen.pk).update(display_name="Анна\r\nBcc: victim@example.org")
    world.citizen.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        claims.claim_approve(claim=_claim(world), editor=world.editor)
    (received,) = smtp_server.received
    assert received["Bcc"] is None and received["To"] == world.citizen.email
    assert "\n" not in str(received["Subject"]) and "Bcc: victim" in str(received["Subject"])
    assert Membership.objects.filter(user=world.citizen, organization=world.org).exists()


@pytest.mark.parametrize(
    "address",
    ["anna@example.org\r\nBcc: victim@example.org", "anna@example.org\nBcc: victim@example.org", "не адрес"],
)
def test_an_address_no_mail_can_go_to_gets_none_and_the_decision_stands(world, address, caplog):
    claim = _claim(world)
    User.objects.filter(pk=world.citizen.pk).update(email=address)
    with caplog.at_level(logging.WARNING, logger="kruzhok.core.emails"):
        claims.claim_approve(claim=claim, editor=world.editor)
    assert Membership.objects.filter(user=world.citizen, organization=world.org).exists()
    assert AuditLog.objects.filter(action="moderation.claim.approved").exists()
    assert not OutboxMail.objects.exists() and "not a deliverable address" in caplog.text


def test_a_hostile_reporter_address_loses_no_decision(world):
    report = ProblemReport.objects.create(
        activity=world.activity, problem="phone", reporter_email="x@example.org\r\nBcc: victim@example.org"
    )
    reports.report_dismiss(report=report, editor=world.editor, reason="Телефон верный.")
    report.refresh_from_db()
    assert report.status == "rejected" and not OutboxMail.objects.exists()


REASONED = {
    "claim_rejected": lambda w, text: claims.claim_reject(claim=_claim(w), editor=w.editor, reason=text),
    "suggestion_rejected": lambda w, text: suggestions.suggestion_reject(
        suggestion=_suggestion(w), editor=w.editor, reason=text
    ),
    "comment_removed": lambda w, text: community.comment_remove(
        comment=_held_comment(w), editor=w.editor, reason=text
    ),
    "report_dismissed": lambda w, text: reports.report_dismiss(
        report=_report(w), editor=w.editor, reason=text
    ),
}


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("mail", sorted(REASONED))
def test_hostile_reasons_are_text_in_both_parts(world, mail, payload):
    REASONED[mail](world, f"Причина: {payload}")
    (sent,) = OutboxMail.objects.all()
    assert script_problems(sent.body_html) == []
    assert payload.strip() in sent.body_text  # the text part keeps exactly what the editor wrote
    assert "Не получать такие письма" in sent.body_html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_names_are_text_in_a_review_request(world, payload):
    Activity.objects.filter(pk=world.activity.pk).update(title=payload)
    _due(world)
    review_cycle.review_cycle_run()
    (sent,) = OutboxMail.objects.all()
    assert script_problems(sent.body_html) == [] and payload in sent.body_text
