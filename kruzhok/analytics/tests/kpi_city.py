"""A small city for the dashboard tests, built so every figure can be counted by hand.

Period: October 2026 (Omsk). Department A («education») has organizations a1, a2, a3; department
B («culture») has b1; n1 belongs to no department. The comments next to each row say which
figure it feeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kruzhok.accounts.models import User
from kruzhok.accounts.tests import factories as people
from kruzhok.analytics.models import CoverageTarget, DailyPageStat, DailyQuery, DailyTraffic
from kruzhok.catalog.models import Activity, Department, Organization, Status
from kruzhok.catalog.tests import factories
from kruzhok.community.models import Comment
from kruzhok.core.models import AuditLog
from kruzhok.moderation.models import ActivityVersion, Suggestion
from kruzhok.notifications.models import OutboxMail, Subscription

MONTH = "2026-10"
# No passwords (hashing is slow); the tests sign in with force_login.
NO_PASSWORD: dict[str, Any] = {"password": None}


def omsk(day: int, hour: int = 12, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=timezone.get_current_timezone())


@dataclass
class City:
    dep_a: Department
    dep_b: Department
    orgs: dict[str, Organization]
    activities: dict[str, Activity]
    users: dict[str, User]


def _stamp(model: Any, pk: int, **fields: Any) -> None:
    model.objects.filter(pk=pk).update(**fields)


def build() -> City:
    now = timezone.now()
    dep_a, _c = Department.objects.get_or_create(
        slug="education", defaults={"name": "Департамент образования"}
    )
    dep_b, _c = Department.objects.get_or_create(slug="culture", defaults={"name": "Управление культуры"})
    Department.objects.filter(pk=dep_a.pk).update(name="Департамент образования")
    Department.objects.filter(pk=dep_b.pk).update(name="Управление культуры")
    dep_a.name, dep_b.name = "Департамент образования", "Управление культуры"
    orgs = {
        "a1": factories.organization(name="ДДТ «Кировский»", department=dep_a),
        "a2": factories.organization(name="ЦДТ «Созвездие»", department=dep_a),
        "a3": factories.organization(name="СЮТ №3", department=dep_a),
        "b1": factories.organization(name="Дом культуры «Кристалл»", department=dep_b),
        "n1": factories.organization(name="Частная студия «Лис»"),
    }
    kirov = factories.okrug_row("Кировский")
    sovetsky = factories.okrug_row("Советский")

    def act(org: str, okrug: Any, direction: str, **kw: Any) -> Activity:
        return factories.activity(
            organization=orgs[org],
            venue=factories.venue(orgs[org], district=okrug),
            direction_slug=direction,
            slots=[],
            **kw,
        )

    activities = {
        # live: 5 (a1_fresh, a1_stale, a2_stale, b1_fresh, n1); fresh (≤180 days): a1_fresh, b1_fresh
        "a1_fresh": act("a1", kirov, "sport", verified_at=now - timedelta(days=10)),
        "a1_stale": act("a1", kirov, "sport", verified_at=now - timedelta(days=400)),
        "a2_stale": act("a2", sovetsky, "arts", verified_at=now - timedelta(days=200)),
        "a2_draft": act("a2", sovetsky, "arts", status=Status.DRAFT, verified_at=now),
        "b1_fresh": act("b1", kirov, "technical", verified_at=now - timedelta(days=5)),
        "n1": act("n1", sovetsky, "sport"),
    }
    users = {
        "citizen": people.user("citizen@example.org", **NO_PASSWORD),
        "provider_a": people.provider(orgs["a1"], email="provider-a@example.org", password=None),
        "provider_b": people.provider(orgs["b1"], email="provider-b@example.org", password=None),
        "member_a": people.department_member(dep_a, email="member-a@example.org", password=None),
        "member_b": people.department_member(dep_b, email="member-b@example.org", password=None),
        "editor": people.user("editor-kpi@example.org", is_editor=True, is_staff=True, **NO_PASSWORD),
        "admin": people.user("admin-kpi@example.org", is_superuser=True, is_staff=True, **NO_PASSWORD),
    }
    CoverageTarget.objects.create(okrug=kirov, direction=activities["a1_fresh"].direction, expected=4)
    CoverageTarget.objects.create(okrug=sovetsky, direction=activities["a2_stale"].direction, expected=2)

    # Traffic: two days in October, one outside.
    DailyTraffic.objects.create(
        day=date(2026, 10, 1), page_views=100, visitors=40, searches=20, zero_result_searches=3
    )
    DailyTraffic.objects.create(
        day=date(2026, 10, 15), page_views=50, visitors=25, searches=10, zero_result_searches=1
    )
    DailyTraffic.objects.create(day=date(2026, 9, 30), page_views=999, visitors=999, searches=999)
    # Network pages: A sees 7 + 3 on 1 October; B's page and the November row are not A's.
    DailyPageStat.objects.create(
        day=date(2026, 10, 1),
        object_type="activity",
        object_id=activities["a1_fresh"].pk,
        views=7,
        visitors=5,
    )
    DailyPageStat.objects.create(
        day=date(2026, 10, 1), object_type="organization", object_id=orgs["a2"].pk, views=3, visitors=2
    )
    DailyPageStat.objects.create(
        day=date(2026, 10, 1),
        object_type="activity",
        object_id=activities["b1_fresh"].pk,
        views=11,
        visitors=9,
    )
    DailyPageStat.objects.create(
        day=date(2026, 11, 1),
        object_type="activity",
        object_id=activities["a1_fresh"].pk,
        views=50,
        visitors=50,
    )
    # Queries: шахматы 8, керлинг 4 (all zero), робототехника 2 (1 zero); September's is outside.
    DailyQuery.objects.create(day=date(2026, 10, 1), query="шахматы", searches=5)
    DailyQuery.objects.create(day=date(2026, 10, 2), query="шахматы", searches=3)
    DailyQuery.objects.create(day=date(2026, 10, 1), query="керлинг", searches=4, zero_results=4)
    DailyQuery.objects.create(day=date(2026, 10, 3), query="робототехника", searches=2, zero_results=1)
    DailyQuery.objects.create(day=date(2026, 9, 30), query="=HYPERLINK()", searches=100, zero_results=100)

    _contributions(orgs, activities, users)

    # Alerts: 2 active search, 1 active activity, 1 pending (not counted); mails 2 on 3 Oct Omsk
    # (one of them at 01:00 Omsk, still 2 October in UTC), 1 failed, 1 in November.
    for n, (kind, status) in enumerate(
        [("search", "active"), ("search", "active"), ("activity", "active"), ("search", "pending")]
    ):
        Subscription.objects.create(
            kind=kind, email=f"s{n}@example.org", target=f"search:q={n}", status=status, token=f"tok{n}"
        )
    for n, (sent_at, status) in enumerate(
        [(omsk(3, 1), "sent"), (omsk(3, 20), "sent"), (omsk(4), "failed"), (omsk(1, month=11), "sent")]
    ):
        OutboxMail.objects.create(
            key=f"k{n}",
            recipient="r@example.org",
            from_email="f@example.org",
            subject="s",
            body_text="b",
            status=status,
            sent_at=sent_at if status == "sent" else None,
        )
    return City(dep_a, dep_b, orgs, activities, users)


def _contributions(
    orgs: dict[str, Organization], activities: dict[str, Activity], users: dict[str, User], tag: str = ""
) -> None:
    def new_activity(org: str, **kw: Any) -> Activity:
        made = factories.activity(organization=orgs[org], status=Status.PENDING, slots=[], **kw)
        _stamp(Activity, made.pk, created_at=omsk(5))
        made.refresh_from_db()
        return made

    # new / web form / provider (A)
    web = new_activity("a1")
    ActivityVersion.objects.create(
        activity=web, number=1, action="created", actor=users["provider_a"], data={}
    )
    # new / import / department (A); the import also updated 3 rows: edit / import / department (city)
    new_activity("a1", source="import", external_id=f"x1{tag}")
    log = AuditLog.objects.create(
        action="imports.catalog.imported",
        object_type="imports.catalog",
        object_id="import",
        actor=users["member_a"],
        data={"updated": 3, "created": 1},
    )
    _stamp(AuditLog, log.pk, created_at=omsk(5, 13))
    # new / suggestion / citizen (B), and the suggestion itself: suggestion / suggestion / citizen (B)
    suggested = new_activity("b1")
    sent = Suggestion.objects.create(
        kind="new_activity",
        author=users["citizen"],
        activity=suggested,
        status="accepted",
        decided_at=omsk(6),
    )
    _stamp(Suggestion, sent.pk, created_at=omsk(4))
    # edit / web / provider (A); edit / web / editor (B); a confirmation is not an edit
    for activity, action, actor in [
        (activities["a1_fresh"], "edited", "provider_a"),
        (activities["b1_fresh"], "editor", "editor"),
        (activities["a1_fresh"], "confirmed", "provider_a"),
    ]:
        version = ActivityVersion.objects.create(
            activity=activity,
            number=ActivityVersion.objects.filter(activity=activity).count() + 1,
            action=action,
            actor=users[actor],
            data={},
        )
        _stamp(ActivityVersion, version.pk, created_at=omsk(7))
    # edit / suggestion / citizen (A): sent in September, accepted in October
    accepted = Suggestion.objects.create(
        kind="edit",
        author=users["citizen"],
        activity=activities["a2_stale"],
        status="accepted",
        decided_at=omsk(8),
    )
    _stamp(Suggestion, accepted.pk, created_at=omsk(20, month=9))
    # comment / web / citizen (A); comment / web / provider (B); a November comment is outside
    for activity, author, when in [
        (activities["a1_fresh"], "citizen", omsk(9)),
        (activities["b1_fresh"], "provider_b", omsk(9)),
        (activities["a1_fresh"], "citizen", omsk(2, month=11)),
    ]:
        comment = Comment.objects.create(activity=activity, author=users[author], text="Хорошо")
        _stamp(Comment, comment.pk, created_at=when)
    # new / admin / admin (A): an organization added through the admin site
    entry = LogEntry.objects.create(
        user=users["admin"],
        content_type=ContentType.objects.get_for_model(Organization),
        object_id=str(orgs["a3"].pk),
        object_repr="СЮТ №3",
        action_flag=ADDITION,
    )
    _stamp(LogEntry, entry.pk, action_time=omsk(10))
    # new / admin / editor (A): an activity added through the admin site is counted once, from
    # the admin log, not also as a web-form entry without a user
    by_admin = new_activity("a2")
    entry = LogEntry.objects.create(
        user=users["editor"],
        content_type=ContentType.objects.get_for_model(Activity),
        object_id=str(by_admin.pk),
        object_repr=by_admin.title,
        action_flag=ADDITION,
    )
    _stamp(LogEntry, entry.pk, action_time=omsk(5))


CITY_CONTRIBUTIONS = {
    ("new", "web", "provider"): 1,
    ("new", "import", "department"): 1,
    ("new", "suggestion", "citizen"): 1,
    ("new", "admin", "admin"): 1,
    ("new", "admin", "editor"): 1,
    ("edit", "web", "provider"): 1,
    ("edit", "web", "editor"): 1,
    ("edit", "suggestion", "citizen"): 1,
    ("edit", "import", "department"): 3,
    ("comment", "web", "citizen"): 1,
    ("comment", "web", "provider"): 1,
    ("suggestion", "suggestion", "citizen"): 1,
}
A_CONTRIBUTIONS = {
    ("new", "web", "provider"): 1,
    ("new", "import", "department"): 1,
    ("new", "admin", "admin"): 1,
    ("new", "admin", "editor"): 1,
    ("edit", "web", "provider"): 1,
    ("edit", "suggestion", "citizen"): 1,
    ("comment", "web", "citizen"): 1,
}
B_CONTRIBUTIONS = {
    ("new", "suggestion", "citizen"): 1,
    ("edit", "web", "editor"): 1,
    ("comment", "web", "provider"): 1,
    ("suggestion", "suggestion", "citizen"): 1,
}
