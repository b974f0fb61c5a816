"""Saved-search alerts against a real SMTP server: only what is new and matching, once, with a
working one-click unsubscribe; the daily and weekly periods; two runs at once; hostile titles."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from kruzhok.catalog.models import Activity
from kruzhok.catalog.models import Status as CatalogStatus
from kruzhok.catalog.tests import factories
from kruzhok.core.tests.xss import PAYLOADS, script_problems
from kruzhok.events.tests import factories as event_factories
from kruzhok.notifications import alerts
from kruzhok.notifications.models import OutboxMail, Subscription
from kruzhok.notifications.tests.alerts_support import (
    parts,
    run,
    subscription,
    unsubscribe_token,
)
from kruzhok.search.params import parse_params
from kruzhok.search.selectors import matching_among, search

pytestmark = pytest.mark.django_db
OMSK = ZoneInfo("Asia/Omsk")
Frequency = Subscription.Frequency


@pytest.fixture(autouse=True)
def _alert_settings(settings):
    settings.ALERTS_SETTLE_S = 0
    settings.ALERTS_DAILY_HOUR = 8
    settings.SITE_URL = "https://kruzhok.example"


def _future(days: int, hour: int = 11) -> str:
    """An Omsk wall-clock time `days` from today, as the event factory takes it."""
    day = timezone.now().astimezone(OMSK).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def _omsk_day(days: int) -> datetime:
    """Local midnight `days` from today."""
    day = timezone.now().astimezone(OMSK).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, tzinfo=OMSK)


def test_a_search_alert_lists_only_new_matching_activities_and_events_and_unsubscribes_in_one_click(
    smtp_server, django_capture_on_commit_callbacks
):
    old = factories.activity(title="Шахматы для начинающих", categories=["chess"])
    sub = subscription(query="q=шахматы")
    new = factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"], price_rub=0)
    factories.activity(title="Секция футбола «Иртыш»")  # new, but not what was asked for
    tournament = event_factories.event(
        title="Шахматы: блиц-турнир", starts=_future(10), ends=_future(10, 15), price_rub=300
    )
    event_factories.event(title="Концерт хора", starts=_future(10), ends=_future(10, 13))

    printed = run(django_capture_on_commit_callbacks)

    assert "search: 1 checked, 1 mailed" in printed
    (mail,) = smtp_server.received
    assert mail["To"] == "parent@example.org"
    assert mail["Subject"] == "Новое по вашему поиску: «шахматы»"
    text, html = parts(mail)
    for body in (text, html):
        assert new.title in body
        assert "Шахматы: блиц-турнир" in body
        assert old.title not in body
        assert "Иртыш" not in body and "Концерт хора" not in body
        assert "бесплатно" in body and "300 ₽" in body
        assert f"https://kruzhok.example/events/{tournament.pk}/" in body
    assert f"https://kruzhok.example{new.get_absolute_url()}" in text
    assert mail["List-Unsubscribe"] == f"<https://kruzhok.example/subscriptions/unsubscribe/{sub.token}/>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Вы получили это письмо по подписке: Поиск: «шахматы»." in text

    # One click: the mail program POSTs RFC 8058's body to the header's link, with no cookie and
    # no CSRF token. Nothing more arrives.
    link = mail["List-Unsubscribe"].strip("<>").removeprefix("https://kruzhok.example")
    assert unsubscribe_token(mail) in link
    response = Client(enforce_csrf_checks=True).post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Subscription.objects.get(token=unsubscribe_token(mail)).status == Subscription.Status.CANCELLED
    factories.activity(title="Шахматная школа «Гамбит»", categories=["chess"])
    assert "search: 0 checked, 0 mailed" in run(django_capture_on_commit_callbacks)
    assert len(smtp_server.received) == 1


def test_the_same_alert_run_twice_sends_nothing_new(smtp_server, django_capture_on_commit_callbacks):
    sub = subscription(query="age=9")
    factories.activity(title="Робототехника")
    run(django_capture_on_commit_callbacks)
    run(django_capture_on_commit_callbacks)
    assert len(smtp_server.received) == 1
    assert OutboxMail.objects.filter(key__startswith=f"alert:{sub.pk}:").count() == 1

    # Something new after that is the next mail, alone.
    factories.activity(title="Авиамоделизм")
    run(django_capture_on_commit_callbacks)
    assert len(smtp_server.received) == 2
    text, _html = parts(smtp_server.received[1])
    assert "Авиамоделизм" in text and "Робототехника" not in text


def test_the_mail_body_links_to_unsubscribe_and_manage(smtp_server, django_capture_on_commit_callbacks):
    sub = subscription(query="age=9")
    factories.activity(title="Робототехника")
    run(django_capture_on_commit_callbacks)
    text, html = parts(smtp_server.received[0])
    for body in (text, html):
        assert f"https://kruzhok.example/subscriptions/unsubscribe/{sub.token}/" in body
        assert f"https://kruzhok.example/subscriptions/manage/{sub.token}/" in body


def test_the_unsubscribe_header_goes_out_as_a_plain_url(smtp_server, django_capture_on_commit_callbacks):
    sub = subscription(query="age=9")
    factories.activity(title="Робототехника")
    run(django_capture_on_commit_callbacks)
    raw = dict(smtp_server.received[0].raw_items())["List-Unsubscribe"]  # as it was on the wire
    assert " ".join(str(raw).split()) == f"<https://kruzhok.example/subscriptions/unsubscribe/{sub.token}/>"


def test_two_runs_at_once_mail_once(smtp_server, django_capture_on_commit_callbacks, monkeypatch):
    """Run A has read the subscriptions and decided to mail; before it queues, run B does the whole
    job. A's conditional UPDATE then finds the progress moved and queues nothing."""
    subscription(query="age=9")
    factories.activity(title="Робототехника")
    deliver = alerts._deliver
    interleaved: list[bool] = []

    def b_runs_first(mails, summary):
        if not interleaved:
            interleaved.append(True)
            alerts.send_alerts()  # run B, complete
        return deliver(mails, summary)

    monkeypatch.setattr(alerts, "_deliver", b_runs_first)
    with django_capture_on_commit_callbacks(execute=True):
        summary = alerts.send_alerts()  # run A
    assert interleaved and summary.mailed["search"] == 0
    assert len(smtp_server.received) == 1
    assert OutboxMail.objects.count() == 1


def test_pending_and_cancelled_subscriptions_get_nothing(smtp_server, django_capture_on_commit_callbacks):
    subscription(query="age=9", email="pending@example.org", status=Subscription.Status.PENDING)
    subscription(query="age=9", email="gone@example.org", status=Subscription.Status.CANCELLED)
    factories.activity(title="Робототехника")
    event_factories.event(starts=_future(5), ends=_future(5, 13))
    assert "search: 0 checked, 0 mailed" in run(django_capture_on_commit_callbacks)
    assert smtp_server.received == [] and not OutboxMail.objects.exists()


def test_daily_alerts_go_once_a_day_from_the_hour_and_catch_up(
    smtp_server, django_capture_on_commit_callbacks
):
    sub = subscription(query="age=9", frequency=Frequency.DAILY)
    factories.activity(title="Робототехника")
    day = _omsk_day(1)

    run(django_capture_on_commit_callbacks, "--now", (day + timedelta(hours=7, minutes=55)).isoformat())
    assert smtp_server.received == []  # before ALERTS_DAILY_HOUR
    run(django_capture_on_commit_callbacks, "--now", (day + timedelta(hours=8, minutes=5)).isoformat())
    assert len(smtp_server.received) == 1
    sub.refresh_from_db()
    assert sub.last_period == day.date().isoformat()
    assert OutboxMail.objects.filter(key=f"alert:{sub.pk}:{day.date().isoformat()}").exists()

    factories.activity(title="Авиамоделизм")
    run(django_capture_on_commit_callbacks, "--now", (day + timedelta(hours=20)).isoformat())
    assert len(smtp_server.received) == 1  # one mail a day
    # No run the next day (cron was down); the day after, it is all there.
    run(django_capture_on_commit_callbacks, "--now", (day + timedelta(days=2, hours=9)).isoformat())
    assert len(smtp_server.received) == 2
    text, _html = parts(smtp_server.received[1])
    assert "Авиамоделизм" in text and "Робототехника" not in text


def test_weekly_alerts_go_once_an_iso_week_from_monday_at_the_hour(
    smtp_server, django_capture_on_commit_callbacks
):
    sub = subscription(query="age=9", frequency=Frequency.WEEKLY)
    today = _omsk_day(0)
    monday = today + timedelta(days=7 - today.weekday())  # next Monday
    factories.activity(title="Робототехника")

    def at(moment: datetime) -> None:
        run(django_capture_on_commit_callbacks, "--now", moment.isoformat())

    at(monday + timedelta(hours=7))
    assert smtp_server.received == []
    at(monday + timedelta(hours=8))
    assert len(smtp_server.received) == 1
    year, week, _weekday = monday.isocalendar()
    sub.refresh_from_db()
    assert sub.last_period == f"{year}-W{week:02d}"
    factories.activity(title="Авиамоделизм")
    at(monday + timedelta(days=3, hours=12))
    assert len(smtp_server.received) == 1
    at(monday + timedelta(days=7, hours=1))  # next Monday before the hour
    assert len(smtp_server.received) == 1
    at(monday + timedelta(days=9, hours=10))  # Wednesday: the missed Monday is caught up
    assert len(smtp_server.received) == 2


def test_nothing_new_moves_the_window_without_a_mail(smtp_server, django_capture_on_commit_callbacks):
    sub = subscription(query="q=шахматы")
    factories.activity(title="Секция футбола «Иртыш»")
    run(django_capture_on_commit_callbacks)
    before = sub.seen_seq
    sub.refresh_from_db()
    assert smtp_server.received == [] and sub.seen_seq > before and sub.last_sent_at is None


def test_alerts_name_more_than_twenty_new_activities_with_a_link_to_the_search(
    smtp_server, django_capture_on_commit_callbacks
):
    subscription(query="age=9&free=1")
    org = factories.organization()
    for n in range(23):
        factories.activity(title=f"Кружок №{n}", organization=org, price_rub=0)
    run(django_capture_on_commit_callbacks)
    text, html = parts(smtp_server.received[0])
    assert text.count("https://kruzhok.example/activities/") == 20
    assert "Ещё новых занятий по этому поиску: 3." in text
    assert "https://kruzhok.example/search/?age=9&amp;free=1" in html


def test_alerts_match_exactly_what_the_search_page_shows():
    factories.activity(title="Шахматный клуб", categories=["chess"], age_min=6, age_max=10)
    factories.activity(title="Шахматы для старших", categories=["chess"], age_min=12, age_max=17)
    factories.activity(title="Футбол", price_rub=0)
    factories.activity(title="Шашки", categories=["chess"], price_rub=0, slots=[(5, "10:00", "11:00")])
    archived = factories.activity(title="Шахматы в архиве", categories=["chess"])
    archived.status = CatalogStatus.ARCHIVED
    archived.save()
    ids = list(Activity.objects.values_list("pk", flat=True))
    for query in ("q=шахматы", "q=шахматы&age=8", "free=1", "day=sat", "q=шахматы&sort=price", ""):
        params = parse_params(QueryDict(query))[0]
        shown = [card.id for card in search(params, page_size=100).results]
        assert matching_among(params, ids) == shown, query


def test_hostile_titles_are_escaped_in_the_html_part(smtp_server, django_capture_on_commit_callbacks):
    subscription(query="age=9")
    org = factories.organization(name="<b onmouseover=alert(1)>Центр</b>")
    for payload in PAYLOADS:
        factories.activity(title=payload[:300], organization=org)
    event_factories.event(org, title=PAYLOADS[0], starts=_future(4), ends=_future(4, 13))
    run(django_capture_on_commit_callbacks)
    (mail,) = smtp_server.received
    text, html = parts(mail)
    assert script_problems(html) == []
    assert "<script>alert('xss')</script>" in text  # the text part is text
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in html


def test_a_hostile_saved_search_is_escaped_and_never_reaches_a_header(
    smtp_server, django_capture_on_commit_callbacks
):
    subscription(query="q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%0D%0ABcc%3A+x%40evil.example")
    factories.activity(title="<script>alert(1)</script> Bcc: x@evil.example")
    run(django_capture_on_commit_callbacks)
    (mail,) = smtp_server.received
    assert "Bcc" not in mail.keys() and mail["To"] == "parent@example.org"
    _text, html = parts(mail)
    assert script_problems(html) == []


def test_english_subscribers_get_english_mails(smtp_server, django_capture_on_commit_callbacks):
    subscription(query="q=шахматы&age=9", language="en")
    subscription(query="q=шахматы&age=9", email="russian@example.org")
    factories.activity(title="Шахматный клуб", categories=["chess"], price_rub=0)
    event_factories.event(
        title="Шахматы: турнир", kind="competition", starts=_future(6), ends=_future(6, 14), price_rub=0
    )
    run(django_capture_on_commit_callbacks)
    english, russian = sorted(smtp_server.received, key=lambda m: m["To"] != "parent@example.org")
    assert english["Subject"].startswith("New for your search:")
    assert "age 9" in english["Subject"]
    text, _html = parts(english)
    assert "free" in text and "Competition" in text and "because you subscribed: Search:" in text
    assert "7–12 years" in text
    text, _html = parts(russian)
    assert "Соревнование" in text and "по подписке: Поиск:" in text


def test_a_bad_now_says_how_to_write_it():
    with pytest.raises(CommandError, match="2026-11-30T08:05"):
        call_command("send_alerts", "--now", "tomorrow")


def test_a_signed_in_parent_subscribed_through_subscribe_gets_the_next_new_activity(
    smtp_server, django_capture_on_commit_callbacks
):
    from kruzhok.accounts.tests.factories import user
    from kruzhok.notifications.subscriptions import subscribe

    factories.activity(title="Шахматы для начинающих", categories=["chess"])
    anna = user("anna@example.org")
    query = parse_params(QueryDict("q=шахматы"))[0].query_string()
    made = subscribe(kind="search", email="anna@example.org", user=anna, query=query, frequency="immediate")
    assert made.outcome == "active"
    factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"])
    run(django_capture_on_commit_callbacks)
    (mail,) = smtp_server.received
    text, _html = parts(mail)
    assert "Ладья" in text and "Шахматы для начинающих" not in text


def test_a_mail_that_cannot_be_queued_stops_nothing_else_and_is_retried(
    smtp_server, django_capture_on_commit_callbacks, monkeypatch
):
    broken = subscription(query="age=9", email="broken@example.org")
    subscription(query="age=9", email="fine@example.org")
    factories.activity(title="Робототехника")
    send_mail = alerts.send_mail

    def refuse_one(**kwargs):
        if kwargs["to"] == "broken@example.org":
            raise RuntimeError("the template broke")
        return send_mail(**kwargs)

    monkeypatch.setattr(alerts, "send_mail", refuse_one)
    with pytest.raises(CommandError, match="the next run tries them again"):
        run(django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp_server.received] == ["fine@example.org"]
    seen_seq = broken.seen_seq
    broken.refresh_from_db()
    assert broken.seen_seq == seen_seq and broken.last_sent_at is None  # not moved on

    monkeypatch.setattr(alerts, "send_mail", send_mail)
    run(django_capture_on_commit_callbacks)
    assert sorted(m["To"] for m in smtp_server.received) == ["broken@example.org", "fine@example.org"]


def test_kind_limits_the_run(smtp_server, django_capture_on_commit_callbacks):
    chess = factories.activity(title="Шахматы", categories=["chess"], price_rub=1000)
    subscription(query="age=9")
    subscription(Subscription.Kind.ACTIVITY, activity=chess)
    chess.price_rub = 0
    chess.save()
    printed = run(django_capture_on_commit_callbacks, "--kind", "activity")
    assert printed.startswith("activity: 1 checked, 1 mailed;") and "search" not in printed
    assert [m["Subject"] for m in smtp_server.received] == ["Что нового: Занятие «Шахматы»"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need their own connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_in_two_connections_at_once_mail_once(smtp_server, monkeypatch):
    """Two real runs, each in its own connection, both past reading the subscriptions before either
    queues: PostgreSQL makes the second UPDATE wait for the first's row lock, then it finds the
    progress moved and queues nothing."""
    sub = subscription(query="age=9")
    factories.activity(title="Робототехника")
    both_decided = threading.Barrier(2)
    deliver = alerts._deliver

    def after_both_decided(mails, summary):
        both_decided.wait(timeout=60)
        return deliver(mails, summary)

    monkeypatch.setattr(alerts, "_deliver", after_both_decided)
    summaries: list[alerts.Summary] = []

    def one_run() -> None:
        try:
            summaries.append(alerts.send_alerts())
        finally:
            connection.close()

    runs = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=120)
    assert len(summaries) == 2
    assert sorted(s.mailed["search"] for s in summaries) == [0, 1]
    assert OutboxMail.objects.filter(key__startswith=f"alert:{sub.pk}:").count() == 1
    assert len(smtp_server.received) == 1
