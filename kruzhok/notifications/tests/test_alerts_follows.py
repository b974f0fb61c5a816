"""Following an activity or an organization (what changed, old → new, in words; new events and
activities) and reminders the day before a saved event — against a real SMTP server."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kruzhok.catalog.models import Activity, Group, ScheduleSlot
from kruzhok.catalog.models import Status as CatalogStatus
from kruzhok.catalog.tests import factories
from kruzhok.core.tests.xss import PAYLOADS, script_problems
from kruzhok.events.models import Event
from kruzhok.events.tests import factories as event_factories
from kruzhok.notifications import alerts
from kruzhok.notifications.models import OutboxMail, Subscription
from kruzhok.notifications.tests.alerts_support import parts, run, subscription

pytestmark = pytest.mark.django_db
OMSK = ZoneInfo("Asia/Omsk")
Kind = Subscription.Kind


@pytest.fixture(autouse=True)
def _alert_settings(settings):
    settings.ALERTS_SETTLE_S = 0
    settings.ALERTS_DAILY_HOUR = 8
    settings.SITE_URL = "https://kruzhok.example"


def _day(days: int) -> datetime:
    """Omsk local midnight `days` from today."""
    day = timezone.now().astimezone(OMSK).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, tzinfo=OMSK)


def _wall(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


# --- following an activity ----------------------------------------------------------------------


def test_a_price_and_a_schedule_change_are_mailed_old_to_new(smtp_server, django_capture_on_commit_callbacks):
    chess = factories.activity(title="Шахматы", categories=["chess"], price_rub=1500)
    sub = subscription(Kind.ACTIVITY, activity=chess)
    assert sub.state["price"] == 1500 and sub.state["live"]

    chess.price_rub = 0
    chess.enrollment = Activity.Enrollment.WAITLIST
    chess.save()
    slot = ScheduleSlot.objects.get(group__activity=chess, weekday=2)
    slot.weekday, slot.starts_at, slot.ends_at = 4, time(17), time(18, 30)
    slot.save()

    printed = run(django_capture_on_commit_callbacks)
    assert "activity: 1 checked, 1 mailed" in printed
    (mail,) = smtp_server.received
    assert mail["Subject"] == "Что нового: Занятие «Шахматы»"
    text, html = parts(mail)
    assert "- Цена: 1\u00a0500 ₽/мес → бесплатно" in text
    assert "- Набор: набор открыт → лист ожидания" in text
    assert (
        "- Расписание группы «Основная группа»: Пн 15:00–16:30, Ср 15:00–16:30 → Пн 15:00–16:30, Пт 17:00–18:30"
        in text
    )
    assert '<s style="color:#4b5563">1\u00a0500 ₽/мес</s> → <strong>бесплатно</strong>' in html
    assert f"https://kruzhok.example{chess.get_absolute_url()}" in text
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    sub.refresh_from_db()
    assert sub.state["price"] == 0  # what was mailed is the new baseline

    run(django_capture_on_commit_callbacks)
    assert len(smtp_server.received) == 1


def test_an_unchanged_activity_mails_nothing(smtp_server, django_capture_on_commit_callbacks):
    chess = factories.activity(title="Шахматы", categories=["chess"])
    sub = subscription(Kind.ACTIVITY, activity=chess)
    chess.description = "Новое описание: описание не отслеживается."
    chess.save()
    assert "activity: 1 checked, 0 mailed" in run(django_capture_on_commit_callbacks)
    assert smtp_server.received == []
    sub.refresh_from_db()
    assert sub.last_sent_at is None


def test_a_new_event_of_a_followed_activity_is_mailed(smtp_server, django_capture_on_commit_callbacks):
    chess = factories.activity(title="Шахматы", categories=["chess"])
    subscription(Kind.ACTIVITY, activity=chess)
    start = _day(12) + timedelta(hours=11)
    event_factories.event(
        chess.organization,
        title="Открытый урок шахмат",
        activity=chess,
        starts=_wall(start),
        ends=_wall(start + timedelta(hours=2)),
    )
    event_factories.event(title="Чужой концерт", starts=_wall(start), ends=_wall(start + timedelta(hours=1)))
    run(django_capture_on_commit_callbacks)
    (mail,) = smtp_server.received
    text, _html = parts(mail)
    assert "Открытый урок шахмат" in text and "Чужой концерт" not in text
    assert start.strftime("%H:%M") in text


def test_an_archived_activity_is_mailed_once_as_gone(smtp_server, django_capture_on_commit_callbacks):
    chess = factories.activity(title="Шахматы", categories=["chess"])
    subscription(Kind.ACTIVITY, activity=chess)
    chess.status = CatalogStatus.ARCHIVED
    chess.save()
    run(django_capture_on_commit_callbacks)
    run(django_capture_on_commit_callbacks)
    (mail,) = smtp_server.received
    text, _html = parts(mail)
    assert "Этого занятия больше нет в каталоге." in text


def test_a_follow_without_a_state_takes_its_baseline_silently(
    smtp_server, django_capture_on_commit_callbacks
):
    chess = factories.activity(title="Шахматы", categories=["chess"], price_rub=1500)
    sub = subscription(Kind.ACTIVITY, activity=chess)
    Subscription.objects.filter(pk=sub.pk).update(state={})  # made before follows kept a state
    run(django_capture_on_commit_callbacks)
    sub.refresh_from_db()
    assert smtp_server.received == [] and sub.state["price"] == 1500
    chess.price_rub = 1200
    chess.save()
    run(django_capture_on_commit_callbacks)
    assert len(smtp_server.received) == 1


def test_a_daily_follow_waits_for_its_hour(smtp_server, django_capture_on_commit_callbacks):
    chess = factories.activity(title="Шахматы", categories=["chess"], price_rub=1500)
    subscription(Kind.ACTIVITY, activity=chess, frequency=Subscription.Frequency.DAILY)
    chess.price_rub = 1700
    chess.save()
    morning = _day(1)
    run(django_capture_on_commit_callbacks, "--now", (morning + timedelta(hours=6)).isoformat())
    assert smtp_server.received == []
    run(django_capture_on_commit_callbacks, "--now", (morning + timedelta(hours=9)).isoformat())
    assert len(smtp_server.received) == 1


def test_follow_states_are_read_in_a_few_queries_whatever_the_number_of_activities(
    django_assert_max_num_queries,
):
    org = factories.organization()
    ids = [factories.activity(organization=org).pk for _ in range(12)]
    with django_assert_max_num_queries(3):
        states = alerts.activity_states(ids)
    assert all(state["live"] and len(state["schedule"]) == 1 for state in states.values())


# --- following an organization --------------------------------------------------------------------


def test_an_organization_mails_its_new_activities_changes_and_removals(
    smtp_server, django_capture_on_commit_callbacks
):
    org = factories.organization(name="Дом творчества «Сибирь»")
    kept = factories.activity(title="Керамика", organization=org, price_rub=2000)
    dropped = factories.activity(title="Макраме", organization=org)
    sub = subscription(Kind.ORGANIZATION, organization=org)
    assert set(sub.state["activities"]) == {str(kept.pk), str(dropped.pk)}

    kept.price_rub = 2500
    kept.save()
    dropped.status = CatalogStatus.ARCHIVED
    dropped.save()
    added = factories.activity(title="Гончарный круг", organization=org, price_rub=0)
    factories.activity(title="Чужое занятие")  # another organization

    run(django_capture_on_commit_callbacks)
    (mail,) = smtp_server.received
    assert mail["Subject"] == "Что нового: Организация «Дом творчества «Сибирь»»"
    text, html = parts(mail)
    assert "Керамика" in text and "- Цена: 2\u00a0000 ₽/мес → 2\u00a0500 ₽/мес" in text
    assert "Макраме\nhttps://kruzhok.example" in text and "Этого занятия больше нет в каталоге." in text
    assert "Новые занятия:\n- Гончарный круг" in text and "бесплатно" in text
    assert f"https://kruzhok.example{added.get_absolute_url()}" in html
    assert "Чужое занятие" not in text

    run(django_capture_on_commit_callbacks)
    assert len(smtp_server.received) == 1


def test_an_organization_with_nothing_new_mails_nothing(smtp_server, django_capture_on_commit_callbacks):
    org = factories.organization()
    factories.activity(organization=org)
    subscription(Kind.ORGANIZATION, organization=org)
    factories.activity(title="Чужое занятие")
    assert "organization: 1 checked, 0 mailed" in run(django_capture_on_commit_callbacks)
    assert smtp_server.received == []


def test_hostile_names_in_a_follow_mail_are_escaped(smtp_server, django_capture_on_commit_callbacks):
    org = factories.organization(name=PAYLOADS[2])
    subscription(Kind.ORGANIZATION, organization=org)
    for payload in PAYLOADS:
        activity = factories.activity(title=payload[:300], organization=org, slots=[])
        Group.objects.create(activity=activity, name=PAYLOADS[1])
    run(django_capture_on_commit_callbacks)
    (mail,) = smtp_server.received
    _text, html = parts(mail)
    assert script_problems(html) == []


# --- reminders ------------------------------------------------------------------------------------


def test_a_reminder_goes_the_day_before_and_only_once(smtp_server, django_capture_on_commit_callbacks):
    start = _day(3) + timedelta(hours=11)
    concert = event_factories.event(
        title="Концерт хора", starts=_wall(start), ends=_wall(start + timedelta(hours=2)), price_rub=0
    )
    sub = subscription(Kind.EVENT, event=concert)
    two_days_before = _day(1) + timedelta(hours=12)
    day_before_early = _day(2) + timedelta(hours=7)
    day_before = _day(2) + timedelta(hours=9)

    for moment in (two_days_before, day_before_early):
        run(django_capture_on_commit_callbacks, "--now", moment.isoformat())
    assert smtp_server.received == []
    for moment in (day_before, day_before + timedelta(hours=5)):
        run(django_capture_on_commit_callbacks, "--now", moment.isoformat())
    (mail,) = smtp_server.received
    assert mail["Subject"] == "Завтра: «Концерт хора»"
    text, html = parts(mail)
    assert "11:00" in text and "бесплатно" in text and f"/events/{concert.pk}/" in html
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert OutboxMail.objects.filter(key=f"event_reminder:{sub.pk}:{start.date().isoformat()}").exists()


def test_a_weekly_event_is_reminded_before_each_occurrence(smtp_server, django_capture_on_commit_callbacks):
    start = _day(2) + timedelta(hours=18)
    club = event_factories.event(
        title="Шахматный вечер",
        starts=_wall(start),
        ends=_wall(start + timedelta(hours=2)),
        rrule="FREQ=WEEKLY;COUNT=3",
    )
    subscription(Kind.EVENT, event=club)
    for week in range(4):
        run(
            django_capture_on_commit_callbacks,
            "--now",
            (_day(1 + 7 * week) + timedelta(hours=10)).isoformat(),
        )
    assert len(smtp_server.received) == 3  # COUNT=3: no fourth


def test_a_cancelled_event_is_mailed_once_then_the_subscription_keeps_quiet(
    smtp_server, django_capture_on_commit_callbacks
):
    start = _day(3) + timedelta(hours=11)
    concert = event_factories.event(
        title="Концерт хора", starts=_wall(start), ends=_wall(start + timedelta(hours=2))
    )
    subscription(Kind.EVENT, event=concert)
    concert.status = Event.Status.CANCELLED
    concert.save()
    run(django_capture_on_commit_callbacks)
    run(django_capture_on_commit_callbacks, "--now", (_day(2) + timedelta(hours=9)).isoformat())
    (mail,) = smtp_server.received
    assert mail["Subject"] == "Событие отменено: «Концерт хора»"
    text, _html = parts(mail)
    assert "Больше напоминаний о нём не будет." in text


def test_a_cancelled_subscription_gets_no_reminder(smtp_server, django_capture_on_commit_callbacks):
    start = _day(3) + timedelta(hours=11)
    concert = event_factories.event(starts=_wall(start), ends=_wall(start + timedelta(hours=2)))
    subscription(Kind.EVENT, event=concert, status=Subscription.Status.CANCELLED)
    subscription(Kind.EVENT, event=concert, email="pending@example.org", status=Subscription.Status.PENDING)
    run(django_capture_on_commit_callbacks, "--now", (_day(2) + timedelta(hours=9)).isoformat())
    assert smtp_server.received == []
