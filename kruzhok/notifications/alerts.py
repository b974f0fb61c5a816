"""Alerts: what each active subscription has not been told yet, mailed once (`manage.py send_alerts`).

**New since the last mail.**

- *Activities* (saved searches, an organization's new entries): the search index numbers every
  write (`SearchState.seq`) and remembers for each document the write that first made it public
  (`live_seq`). Numbers are handed out under a row lock held until commit, so once a run has read
  S = `current_seq()`, every write numbered up to S has committed and any write still to commit
  gets a larger number. A subscription has seen everything up to `seen_seq`; the run reports the
  activities with `live_seq` in (seen_seq, S] that the saved search shows now
  (`search.selectors.matching_among`, the page's own filters and text) and moves `seen_seq` to S.
  Nothing is missed, nothing is reported twice, whatever the clocks say.
- *Events* carry no sequence number: an event is new when it was created in (seen_at, cutoff],
  cutoff = run time − ALERTS_SETTLE_S. An event whose transaction commits more than that margin
  after it stamped `created_at` would be missed; events are written one at a time by a form, in a
  transaction of milliseconds, so a minute is ample.
- *Follows* keep in `state` the watched fields as last mailed (`follow_state`): price, enrollment,
  the schedule of every group, for an organization those of each live activity. The run compares
  them with today's and mails the differences, old → new, in words.
- *Reminders* go the day before each occurrence of a saved event (Omsk dates), once per date; a
  cancelled event is mailed once, then the subscription keeps quiet.

**Periods.** `immediate` mails at every run that finds something; `daily` once per Omsk day, at or
after ALERTS_DAILY_HOUR; `weekly` once per ISO week, from Monday at that hour. The window is always
«since what was last reported», never a fixed span, so a run that did not happen (cron down) is
caught up by the next one.

**Exactly once.** A mail is queued (an outbox row with the unique key `alert:<sub>:<period>`) in
the same transaction as a conditional UPDATE that moves the subscription's progress from the
values this run read to the new ones. If another run (or an unsubscribe) changed them first, the
UPDATE changes no row and nothing is queued: two runs at once mail once (on PostgreSQL the second
UPDATE waits for the first's row lock, then finds the row changed), and a run after a run finds
nothing new. The key says the same: a period (a day, a week) is mailed once; an immediate mail's
period is the transition itself (S and where the previous window ended). Subscriptions with nothing
new move forward in bulk, and only forward (`seen_seq <= S`), so a slower run never moves back one
a faster run has just mailed.

**Cost.** Each distinct saved search runs once per run, on the search's in-memory columns, and is
asked only about the new activities (`matching_among`); a listed activity or event is rendered once
per language, not once per mail; mails are queued 50 to a transaction. A run with nothing new reads
the subscriptions and moves them on in a few statements. Figures: `bench/alerts.py`.

An activity counts once, when it first goes public: one edited later into matching a saved search
is not news to it (following that activity is the way to hear about changes).
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kruzhok.catalog.models import Activity, Group, Organization, ScheduleSlot
from kruzhok.catalog.models import Status as CatalogStatus
from kruzhok.catalog.templatetags.catalog_tags import price_text
from kruzhok.core.emails import send_mail, site_url
from kruzhok.core.text import fold
from kruzhok.events.models import Event
from kruzhok.events.recurrence import local_zone, occurrence_starts
from kruzhok.events.selectors import (
    MAX_WINDOW_DAYS,
    event_mentions,
    events_matching,
    local_midnight,
    occurrences,
)
from kruzhok.notifications import labels
from kruzhok.notifications.models import Subscription
from kruzhok.notifications.subscriptions import manage_url, unsubscribe_url
from kruzhok.search import store as search_store
from kruzhok.search.index import current_seq, published_between
from kruzhok.search.models import SearchDocument
from kruzhok.search.params import SearchParams
from kruzhok.search.selectors import describe, matching_among

logger = logging.getLogger(__name__)

Kind = Subscription.Kind
Frequency = Subscription.Frequency
Status = Subscription.Status
# Items listed in one mail; the rest are counted, with a link to the search.
MAX_ITEMS = 20
CHUNK = 2000
# Mails queued per transaction.
BATCH = 50
# What a run reads of a subscription: its identity, where to mail, and its progress.
_FIELDS = (
    "pk",
    "kind",
    "email",
    "language",
    "token",
    "query",
    "target",
    "activity_id",
    "organization_id",
    "event_id",
    "frequency",
    "status",
    "seen_seq",
    "seen_at",
    "state",
    "last_period",
    "last_sent_at",
)
Progress = Callable[[str], None]


# --- the run's clock and the periods ---------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """One run's «now»: its time, the index sequence read once at its start, and the events cutoff."""

    now: datetime
    seq: int
    cutoff: datetime

    @classmethod
    def at(cls, now: datetime | None = None) -> Clock:
        now = now or timezone.now()
        return cls(now, current_seq(), now - timedelta(seconds=settings.ALERTS_SETTLE_S))

    @property
    def local(self) -> datetime:
        return self.now.astimezone(local_zone())


def period_of(frequency: str, local: datetime) -> str | None:
    """The period a mail sent at this local time belongs to (`2026-11-29`, `2026-W48`; `""` for
    immediate), or None when the day's (or week's) hour has not come yet."""
    hour = settings.ALERTS_DAILY_HOUR
    if frequency == Frequency.DAILY:
        return local.date().isoformat() if local.hour >= hour else None
    if frequency == Frequency.WEEKLY:
        year, week, weekday = local.isocalendar()
        if weekday == 1 and local.hour < hour:
            return None
        return f"{year}-W{week:02d}"
    return ""


def _due(subscription: Subscription, clock: Clock) -> str | None:
    """This subscription's period if it is due in this run, else None."""
    period = period_of(subscription.frequency, clock.local)
    if period is None or (period and subscription.last_period == period):
        return None
    return period


def _key(subscription: Subscription, period: str, clock: Clock) -> str:
    if period:
        return f"alert:{subscription.pk}:{period}"
    # Immediate: the transition itself. Events and follow changes do not move the sequence, so it
    # takes where the previous window ended too.
    return f"alert:{subscription.pk}:s{clock.seq}-{int(subscription.seen_at.timestamp() * 1000)}"


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Summary:
    checked: Counter[str] = field(default_factory=Counter)
    mailed: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    seconds: float = 0.0


def send_alerts(
    *, now: datetime | None = None, kinds: Iterable[str] | None = None, progress: Progress | None = None
) -> Summary:
    """One run over every active subscription of these kinds (all by default)."""
    started = time.perf_counter()
    clock = Clock.at(now)
    summary = Summary()
    wanted = list(kinds or Kind.values)
    say = progress or (lambda _message: None)
    if Kind.SEARCH in wanted:
        _search_alerts(clock, summary, say)
    follows = [k for k in (Kind.ACTIVITY, Kind.ORGANIZATION) if k in wanted]
    if follows:
        _follow_alerts(clock, summary, follows)
    if Kind.EVENT in wanted:
        _reminders(clock, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _active(kinds: Collection[str]) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(status=Status.ACTIVE, kind__in=list(kinds)).only(*_FIELDS).order_by("pk")
    )


@dataclass
class _Mail:
    subscription: Subscription
    template: str
    key: str
    context: dict[str, Any]
    changes: dict[str, Any]


def _deliver(mails: list[_Mail], summary: Summary) -> None:
    """Queue each mail and move its subscription on, in one transaction (see the module). When one
    mail of the batch fails, the batch is rolled back and tried again mail by mail, so only the
    broken one is left for the next run."""
    try:
        with transaction.atomic():
            queued = [mail for mail in mails if _queue(mail)]
    except Exception:  # noqa: BLE001 — one broken mail must not stop the others; retried next run
        if len(mails) > 1:
            for mail in mails:
                _deliver([mail], summary)
            return
        logger.exception(
            "Alert %s for subscription %s could not be queued", mails[0].key, mails[0].subscription.pk
        )
        summary.errors += 1
        return
    for mail in queued:
        summary.mailed[mail.subscription.kind] += 1


def _queue(mail: _Mail) -> bool:
    """Move the subscription from the progress this run read to the new one and queue its mail;
    False when another run moved it first (or the person unsubscribed meanwhile)."""
    sub = mail.subscription
    moved = Subscription.objects.filter(
        pk=sub.pk,
        status=Status.ACTIVE,
        seen_seq=sub.seen_seq,
        seen_at=sub.seen_at,
        last_period=sub.last_period,
        last_sent_at=sub.last_sent_at,
    ).update(**mail.changes)
    if not moved:
        return False
    send_mail(
        template=mail.template,
        to=sub.email,
        context=mail.context,
        language=sub.language,
        key=mail.key,
        unsubscribe_url=unsubscribe_url(sub),
        manage_url=manage_url(sub),
    )
    return True


class _Outgoing:
    """Mails waiting for their batch: a commit per mail cost more than rendering it."""

    def __init__(self, summary: Summary) -> None:
        self.summary = summary
        self.mails: list[_Mail] = []

    def add(self, mail: _Mail) -> None:
        self.mails.append(mail)
        if len(self.mails) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.mails:
            _deliver(self.mails, self.summary)
            self.mails = []


def _advance(subscriptions: list[Subscription], clock: Clock, periods: Mapping[int, str]) -> None:
    """Subscriptions that had nothing new: their window moves to this run, one UPDATE per period and
    chunk. Only forward: one that a faster run moved past this one is left as it is."""
    by_period: dict[str, list[int]] = defaultdict(list)
    for sub in subscriptions:
        by_period[periods[sub.pk]].append(sub.pk)
    for period, ids in by_period.items():
        changes: dict[str, Any] = {"seen_seq": clock.seq, "seen_at": clock.cutoff}
        if period:
            changes["last_period"] = period
        for start in range(0, len(ids), CHUNK):
            Subscription.objects.filter(
                pk__in=ids[start : start + CHUNK],
                status=Status.ACTIVE,
                seen_seq__lte=clock.seq,
                seen_at__lte=clock.cutoff,
            ).update(**changes)


def _progress_changes(sub: Subscription, period: str, clock: Clock, **extra: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {
        "seen_seq": max(sub.seen_seq, clock.seq),
        "seen_at": max(sub.seen_at, clock.cutoff),
        "last_sent_at": clock.now,
        **extra,
    }
    if period:
        changes["last_period"] = period
    return changes


def _links(sub: Subscription, label: str | None = None) -> dict[str, Any]:
    return {
        "subscription": sub,
        "subscription_label": label if label is not None else labels.subscription_label(sub),
    }


# --- what the mails list -----------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """An activity as a mail lists it."""

    id: int
    title: str
    url: str
    organization: str
    age_min: int | None
    age_max: int | None
    price_rub: int
    address: str
    okrug: str

    @property
    def price(self) -> str:
        return price_text(self.price_rub)


@dataclass(frozen=True)
class EventItem:
    id: int
    title: str
    url: str
    kind_value: str
    organization: str
    starts: datetime  # local; the next occurrence of a recurring event
    all_day: bool
    recurring: bool
    price_rub: int
    address: str
    okrug: str
    age_min: int | None
    age_max: int | None

    @property
    def kind(self) -> str:
        return str(Event.Kind(self.kind_value).label) if self.kind_value in Event.Kind.values else ""

    @property
    def price(self) -> str:
        return price_text(self.price_rub, monthly=False)


@dataclass(frozen=True)
class Listed:
    """An activity or event of a mail with its lines already rendered (`emails/_alert_activity.*`,
    `emails/_alert_event.*`) in the mail's language."""

    item: Item | EventItem
    html: SafeString
    text: str


class _Fragments:
    """Each listed activity or event rendered once per language, not once per mail: a run queues
    thousands of mails that list the same few hundred new activities."""

    def __init__(self) -> None:
        self.done: dict[tuple[str, int, str], Listed] = {}

    def activity(self, item: Item) -> Listed:
        return self._listed("emails/_alert_activity", "item", item)

    def event(self, item: EventItem) -> Listed:
        return self._listed("emails/_alert_event", "event", item)

    def _listed(self, template: str, name: str, item: Item | EventItem) -> Listed:
        key = (template, item.id, translation.get_language() or settings.LANGUAGE_CODE)
        if key not in self.done:
            context = {name: item}
            self.done[key] = Listed(
                item,
                mark_safe(render_to_string(f"{template}.html", context)),  # noqa: S308 (our template, escaped)  # nosec B308, B703
                render_to_string(f"{template}.txt", context),
            )
        return self.done[key]


def _items(ids: Collection[int]) -> dict[int, Item]:
    """Mail items from the search index's cards (what the result list shows), one query per chunk."""
    found: dict[int, Item] = {}
    wanted = list(ids)
    for start in range(0, len(wanted), CHUNK):
        for pk, card in SearchDocument.objects.filter(pk__in=wanted[start : start + CHUNK]).values_list(
            "pk", "card"
        ):
            found[pk] = Item(
                id=pk,
                title=card.get("title", ""),
                url=site_url(card.get("url", "")),
                organization=(card.get("organization") or {}).get("name", ""),
                age_min=card.get("age_min"),
                age_max=card.get("age_max"),
                price_rub=int(card.get("price_rub") or 0),
                address=card.get("address", ""),
                okrug=card.get("district", ""),
            )
    return found


def _upcoming(now: datetime) -> Q:
    """Events with an occurrence still ahead (or running)."""
    return Q(rrule="", ends_at__gt=now) | (
        ~Q(rrule="") & (Q(repeats_until__isnull=True) | Q(repeats_until__gt=now))
    )


def _new_events(clock: Clock, since: datetime, where: Q | None = None) -> list[Event]:
    """Published, upcoming events created in (since, cutoff]: the candidates of this run."""
    if since >= clock.cutoff:
        return []
    events = (
        events_matching(include_cancelled=False)
        .filter(created_at__gt=since, created_at__lte=clock.cutoff)
        .filter(_upcoming(clock.now))
    )
    if where is not None:
        events = events.filter(where)
    return list(events.order_by("starts_at", "pk"))


def _event_item(event: Event, now: datetime) -> EventItem:
    nxt = next(
        occurrence_starts(
            starts_at=event.starts_at,
            duration=event.duration,
            rule=event.rrule,
            exdates=event.exception_dates(),
            window_start=now,
            window_end=now + timedelta(days=MAX_WINDOW_DAYS),
            limit=1,
        ),
        event.starts_at,
    )
    venue = event.venue
    return EventItem(
        id=event.pk,
        title=event.title,
        url=site_url(event.get_absolute_url()),
        kind_value=event.kind,
        organization=event.organization.name,
        starts=nxt.astimezone(local_zone()),
        all_day=event.all_day,
        recurring=event.is_recurring,
        price_rub=event.price_rub,
        address=venue.address if venue else "",
        okrug=venue.district.name if venue and venue.district else "",
        age_min=event.age_min,
        age_max=event.age_max,
    )


# --- saved searches ----------------------------------------------------------------------------


class _EventMatcher:
    """Which new events each saved search lists, as the events page would (`events_matching` for
    the filters, the page's substring rule for the text). The filters of thousands of searches
    take a few hundred distinct values (most set none, or an age): one query per value, the text
    in Python."""

    def __init__(self, candidates: list[Event]) -> None:
        self.ids = [event.pk for event in candidates]
        self.by_filters: dict[tuple, list[Event]] = {}

    def matching(self, params: SearchParams) -> list[int]:
        if not self.ids:
            return []
        key = (params.direction, params.categories, params.age, params.free, params.district)
        if key not in self.by_filters:
            self.by_filters[key] = list(
                events_matching(params, include_cancelled=False)
                .filter(pk__in=self.ids)
                .order_by("starts_at", "pk")
            )
        events = self.by_filters[key]
        if not params.q:
            return [event.pk for event in events]
        needle = fold(params.q)
        return [event.pk for event in events if event_mentions(event, needle)]


def _search_alerts(clock: Clock, summary: Summary, say: Progress) -> None:
    subs = list(_active([Kind.SEARCH]))
    summary.checked[Kind.SEARCH] += len(subs)
    periods = {sub.pk: p for sub in subs if (p := _due(sub, clock)) is not None}
    due = [sub for sub in subs if sub.pk in periods]
    if not due:
        return
    # Activities new to each window (seen_seq, S]: one indexed range per distinct seen_seq (few:
    # subscriptions advance together).
    windows: dict[int, set[int]] = {}
    for seq in sorted({sub.seen_seq for sub in due}):
        windows[seq] = set(published_between(seq, clock.seq)) if seq < clock.seq else set()
    lowest_seen = min(sub.seen_at for sub in due)
    new_events = _new_events(clock, lowest_seen)
    events_by_id = {e.pk: e for e in new_events}
    event_matcher = _EventMatcher(new_events)

    by_query: dict[str, list[Subscription]] = defaultdict(list)
    for sub in due:
        by_query[sub.query].append(sub)
    store = search_store.current() if any(windows.values()) else None
    quiet: list[Subscription] = []
    to_mail: list[tuple[Subscription, list[int], int, list[int]]] = []
    last_said = time.monotonic()
    for number, group in enumerate(by_query.values(), 1):
        params = labels.search_params(group[0])
        candidates = set().union(*(windows[sub.seen_seq] for sub in group))
        matched = matching_among(params, candidates, store=store) if candidates and store else []
        event_ids = event_matcher.matching(params)
        for sub in group:
            window = windows[sub.seen_seq]
            mine = [pk for pk in matched if pk in window]
            events = [pk for pk in event_ids if events_by_id[pk].created_at > sub.seen_at]
            if mine or events:
                to_mail.append((sub, mine[:MAX_ITEMS], len(mine), events))
            else:
                quiet.append(sub)
        if time.monotonic() - last_said > 5:
            say(f"search: {number}/{len(by_query)} saved searches matched, {len(to_mail)} mails to queue")
            last_said = time.monotonic()
    _advance(quiet, clock, periods)
    # In subscription order, as the other kinds: two runs at once take the row locks in one order.
    to_mail.sort(key=lambda entry: entry[0].pk)

    items = _items({pk for _sub, shown, _n, _e in to_mail for pk in shown})
    event_items = {
        pk: _event_item(events_by_id[pk], clock.now) for pk in {pk for *_r, e in to_mail for pk in e}
    }
    fragments = _Fragments()
    outbox = _Outgoing(summary)
    words: dict[tuple[str, str], tuple[str, str]] = {}
    for number, (sub, shown, total, events) in enumerate(to_mail, 1):
        period = periods[sub.pk]
        with translation.override(sub.language):
            if (sub.query, sub.language) not in words:
                what = describe(labels.search_params(sub))
                words[sub.query, sub.language] = (
                    ", ".join(what) if what else _("все новые занятия"),
                    labels.subscription_label(sub),
                )
            search_words, label = words[sub.query, sub.language]
            context = {
                **_links(sub, label),
                "search_words": search_words,
                "search_url": site_url(labels.search_url(sub)),
                "items": [fragments.activity(items[pk]) for pk in shown if pk in items],
                "count": total,
                "more": max(total - MAX_ITEMS, 0),
                "events": [fragments.event(event_items[pk]) for pk in events[:MAX_ITEMS]],
                "more_events": max(len(events) - MAX_ITEMS, 0),
            }
        outbox.add(
            _Mail(
                sub,
                "emails/alert_search",
                _key(sub, period, clock),
                context,
                _progress_changes(sub, period, clock),
            )
        )
        if number % 500 == 0:
            say(f"search: {number}/{len(to_mail)} mails queued")
    outbox.flush()


# --- follows -----------------------------------------------------------------------------------


def activity_states(ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """The watched fields of these activities: `{"live": False}` for one gone from the catalog,
    else its monthly price, enrollment and the slots of every group. Three queries per chunk."""
    states: dict[int, dict[str, Any]] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        schedules: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
        groups = (
            Group.objects.filter(activity_id__in=chunk)
            .order_by("pk")
            .values_list("pk", "activity_id", "name")
        )
        group_activity = {}
        for gid, activity_id, name in groups:
            schedules[activity_id][str(gid)] = {"name": name, "slots": []}
            group_activity[gid] = activity_id
        slots = (
            ScheduleSlot.objects.filter(group__activity_id__in=chunk)
            .order_by("group_id", "weekday", "starts_at", "pk")
            .values_list("group_id", "weekday", "starts_at", "ends_at")
        )
        for gid, weekday, starts, ends in slots:
            schedules[group_activity[gid]][str(gid)]["slots"].append(
                [weekday, starts.strftime("%H:%M"), ends.strftime("%H:%M")]
            )
        rows = Activity.objects.filter(pk__in=chunk).values_list("pk", "status", "price_rub", "enrollment")
        for pk, status, price, enrollment in rows:
            if status != CatalogStatus.PUBLISHED:
                states[pk] = {"live": False}
                continue
            states[pk] = {
                "live": True,
                "price": price,
                "enrollment": enrollment,
                "schedule": schedules.get(pk, {}),
            }
    for pk in wanted:
        states.setdefault(pk, {"live": False})  # deleted
    return states


def organization_states(ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """Per organization: whether it is in the catalog and the state of each of its live activities."""
    live_orgs = set(
        Organization.objects.filter(pk__in=list(ids), status=CatalogStatus.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    owned: dict[int, list[int]] = defaultdict(list)
    for org_id, pk in (
        Activity.objects.live()
        .filter(organization_id__in=list(live_orgs))
        .values_list("organization_id", "pk")
    ):
        owned[org_id].append(pk)
    activities = activity_states([pk for pks in owned.values() for pk in pks])
    return {
        org_id: (
            {"live": True, "activities": {str(pk): activities[pk] for pk in sorted(owned.get(org_id, []))}}
            if org_id in live_orgs
            else {"live": False}
        )
        for org_id in ids
    }


def baseline(subscription: Subscription) -> None:
    """Everything that exists now is not news to a new subscription."""
    subscription.seen_seq = current_seq()
    subscription.seen_at = timezone.now()
    subscription.state = follow_state(subscription)


def follow_state(subscription: Subscription) -> dict[str, Any]:
    """What a follow watches, as it is now (the baseline of a new subscription)."""
    if subscription.kind == Kind.ACTIVITY and subscription.activity_id:
        return activity_states([subscription.activity_id])[subscription.activity_id]
    if subscription.kind == Kind.ORGANIZATION and subscription.organization_id:
        return organization_states([subscription.organization_id])[subscription.organization_id]
    return {}


@dataclass(frozen=True)
class Change:
    what: str
    old: str
    new: str


@dataclass(frozen=True)
class ActivityNews:
    """What changed about one followed activity, in words."""

    title: str
    url: str
    changes: list[Change]
    note: str = ""


def _schedule_words(group: Mapping[str, Any] | None) -> str:
    if not group or not group.get("slots"):
        return _("нет занятий")
    return ", ".join(
        f"{ScheduleSlot.Weekday(day).label} {starts}–{ends}" for day, starts, ends in group["slots"]
    )


def _enrollment_words(value: str | None) -> str:
    if value not in Activity.Enrollment.values:
        return value or "—"
    return str(Activity.Enrollment(value).label)


def activity_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """The watched fields that differ, old → new, in the active language."""
    changes: list[Change] = []
    if old.get("price") != new.get("price"):
        changes.append(
            Change(_("Цена"), price_text(int(old.get("price") or 0)), price_text(int(new.get("price") or 0)))
        )
    if old.get("enrollment") != new.get("enrollment"):
        changes.append(
            Change(
                _("Набор"), _enrollment_words(old.get("enrollment")), _enrollment_words(new.get("enrollment"))
            )
        )
    before, after = old.get("schedule") or {}, new.get("schedule") or {}
    for gid in sorted(set(before) | set(after), key=int):
        if before.get(gid) == after.get(gid):
            continue
        name = (after.get(gid) or before.get(gid) or {}).get("name") or ""
        what = _("Расписание группы «%(name)s»") % {"name": name} if name else _("Расписание")
        changes.append(Change(what, _schedule_words(before.get(gid)), _schedule_words(after.get(gid))))
    return changes


def _activity_news(
    title: str, url: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> ActivityNews | None:
    if old.get("live") and not new.get("live"):
        return ActivityNews(title, url, [], _("Этого занятия больше нет в каталоге."))
    if not old.get("live") and new.get("live"):
        return ActivityNews(title, url, [], _("Занятие снова в каталоге."))
    changes = activity_changes(old, new) if new.get("live") else []
    return ActivityNews(title, url, changes) if changes else None


def _follow_alerts(clock: Clock, summary: Summary, kinds: Collection[str]) -> None:
    subs = list(_active(kinds))
    for sub in subs:
        summary.checked[sub.kind] += 1
    periods = {sub.pk: p for sub in subs if (p := _due(sub, clock)) is not None}
    due = [sub for sub in subs if sub.pk in periods]
    if not due:
        return
    activity_ids = {sub.activity_id for sub in due if sub.kind == Kind.ACTIVITY and sub.activity_id}
    org_ids = {sub.organization_id for sub in due if sub.kind == Kind.ORGANIZATION and sub.organization_id}
    now_activity = activity_states(activity_ids)
    now_org = organization_states(org_ids)
    titles: dict[int, tuple[str, str]] = {}
    mentioned = set(activity_ids)
    for sub in due:
        if sub.kind == Kind.ORGANIZATION:
            mentioned |= {int(pk) for pk in (sub.state.get("activities") or {})}
    for org_id in org_ids:
        mentioned |= {int(pk) for pk in now_org[org_id].get("activities", {})}
    ordered = sorted(mentioned)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        for pk, title, slug in Activity.objects.filter(pk__in=chunk).values_list("pk", "title", "slug"):
            titles[pk] = (title, site_url(reverse("catalog:activity", args=[pk, slug or "activity"])))
    org_names = dict(Organization.objects.filter(pk__in=list(org_ids)).values_list("pk", "name"))
    lowest_seen = min(sub.seen_at for sub in due)
    events = _new_events(
        clock, lowest_seen, Q(activity_id__in=list(activity_ids)) | Q(organization_id__in=list(org_ids))
    )
    quiet: list[Subscription] = []
    fragments = _Fragments()
    outbox = _Outgoing(summary)
    for sub in due:
        period = periods[sub.pk]
        if sub.kind == Kind.ACTIVITY:
            current = now_activity.get(sub.activity_id or 0, {"live": False})
            mine = [e for e in events if e.activity_id == sub.activity_id and e.created_at > sub.seen_at]
        else:
            current = now_org.get(sub.organization_id or 0, {"live": False})
            mine = [
                e for e in events if e.organization_id == sub.organization_id and e.created_at > sub.seen_at
            ]
        if not sub.state:
            # Made before follows had a state: this run is its baseline, nothing to tell yet.
            _baseline_state(sub, current, clock)
            continue
        with translation.override(sub.language):
            news, new_items, gone_note = _follow_news(sub, current, titles, org_names)
            if not (news or new_items or gone_note or mine):
                quiet.append(sub)
                continue
            name = (
                titles.get(sub.activity_id or 0, ("", ""))[0]
                if sub.kind == Kind.ACTIVITY
                else org_names.get(sub.organization_id or 0, "")
            )
            context = {
                **_links(sub, labels.subscription_label(sub, name=name or None)),
                "news": news,
                "note": gone_note,
                "new_activities": [fragments.activity(item) for item in new_items[:MAX_ITEMS]],
                "more": max(len(new_items) - MAX_ITEMS, 0),
                "events": [fragments.event(_event_item(e, clock.now)) for e in mine[:MAX_ITEMS]],
                "more_events": max(len(mine) - MAX_ITEMS, 0),
            }
        outbox.add(
            _Mail(
                sub,
                "emails/alert_follow",
                _key(sub, period, clock),
                context,
                _progress_changes(sub, period, clock, state=current),
            )
        )
    outbox.flush()
    _advance(quiet, clock, periods)


def _follow_news(
    sub: Subscription,
    current: Mapping[str, Any],
    titles: Mapping[int, tuple[str, str]],
    org_names: Mapping[int, str],
) -> tuple[list[ActivityNews], list[Item], str]:
    """(changed activities, newly listed activities of an organization, a note that the followed
    thing left or came back to the catalog)."""
    old = sub.state
    if sub.kind == Kind.ACTIVITY:
        title, url = titles.get(sub.activity_id or 0, ("—", ""))
        found = _activity_news(title, url, old, current)
        return ([found] if found else []), [], ""
    name = org_names.get(sub.organization_id or 0, "—")
    if old.get("live") and not current.get("live"):
        return [], [], _("Организации «%(name)s» больше нет в каталоге.") % {"name": name}
    note = (
        _("Организация «%(name)s» снова в каталоге.") % {"name": name}
        if current.get("live") and not old.get("live")
        else ""
    )
    before, after = old.get("activities") or {}, current.get("activities") or {}
    news: list[ActivityNews] = []
    for pk in sorted(set(before) & set(after), key=int):
        title, url = titles.get(int(pk), ("—", ""))
        found = _activity_news(title, url, before[pk], after[pk])
        if found:
            news.append(found)
    for pk in sorted(set(before) - set(after), key=int):
        title, url = titles.get(int(pk), ("—", ""))
        news.append(ActivityNews(title, url, [], _("Этого занятия больше нет в каталоге.")))
    added = sorted(int(pk) for pk in set(after) - set(before))
    items = _items(added)
    return news, [items[pk] for pk in added if pk in items], note


def _baseline_state(sub: Subscription, current: Mapping[str, Any], clock: Clock) -> None:
    Subscription.objects.filter(
        pk=sub.pk, status=Status.ACTIVE, seen_at=sub.seen_at, last_sent_at=sub.last_sent_at
    ).update(state=current, seen_seq=max(sub.seen_seq, clock.seq), seen_at=max(sub.seen_at, clock.cutoff))


# --- reminders ----------------------------------------------------------------------------------


def _reminders(clock: Clock, summary: Summary) -> None:
    subs = list(_active([Kind.EVENT]))
    summary.checked[Kind.EVENT] += len(subs)
    if not subs:
        return
    events = {
        e.pk: e
        for e in Event.objects.filter(pk__in=[s.event_id for s in subs if s.event_id]).select_related(
            "organization", "venue", "venue__district", "activity"
        )
    }
    tomorrow: date = clock.local.date() + timedelta(days=1)
    remind = clock.local.hour >= settings.ALERTS_DAILY_HOUR
    visible = [
        pk for pk, e in events.items() if e.status == Event.Status.PUBLISHED and e.organization.is_live
    ]
    starts: dict[int, list[datetime]] = defaultdict(list)
    if remind:
        window = (local_midnight(tomorrow), local_midnight(tomorrow + timedelta(days=1)))
        for start in range(0, len(visible), 500):
            chunk = Event.objects.filter(pk__in=visible[start : start + 500])
            for occurrence in occurrences(*window, events=chunk):
                if occurrence.local_date == tomorrow:
                    starts[occurrence.event.pk].append(occurrence.local_start)
    outbox = _Outgoing(summary)
    for sub in subs:
        event = events.get(sub.event_id or 0)
        if event is None:
            continue
        if event.status == Event.Status.CANCELLED:
            if not sub.state.get("cancelled"):
                outbox.add(_event_mail(sub, event, clock))
            continue
        if sub.state.get("cancelled"):
            # Published again: reminders resume.
            Subscription.objects.filter(pk=sub.pk, last_sent_at=sub.last_sent_at).update(state={})
            sub.state = {}
        day = tomorrow.isoformat()
        if event.pk in starts and sub.last_period != day:
            outbox.add(_event_mail(sub, event, clock, day=tomorrow, starts=starts[event.pk]))
    outbox.flush()


def _event_mail(
    sub: Subscription,
    event: Event,
    clock: Clock,
    *,
    day: date | None = None,
    starts: list[datetime] | None = None,
) -> _Mail:
    """A reminder of the occurrences on `day`; without a day, the notice that the event is cancelled."""
    cancelled = day is None
    with translation.override(sub.language):
        context = {
            **_links(sub, labels.subscription_label(sub, name=event.title)),
            "event": _event_item(event, clock.now),
            "cancelled": cancelled,
            "day": day,
            "starts": sorted(starts or []),
        }
    changes: dict[str, Any] = {"last_sent_at": clock.now}
    if day is None:
        key = f"event_reminder:{sub.pk}:cancelled-{clock.local.date().isoformat()}"
        changes["state"] = {"cancelled": True}
    else:
        key = f"event_reminder:{sub.pk}:{day.isoformat()}"
        changes["last_period"] = day.isoformat()
    return _Mail(sub, "emails/event_reminder", key, context, changes)
