"""Personas for account tests: two citizens, providers of two organizations, a department
member and an editor. Rate-limit counters live in the cache, so each test starts empty."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client, TestCase
from django.utils import timezone

from kruzhok.accounts.invitations import invitation_create
from kruzhok.accounts.models import Membership
from kruzhok.accounts.tests import factories
from kruzhok.catalog.models import Activity, Department, Group
from kruzhok.catalog.tests import factories as catalog_factories
from kruzhok.community.models import Comment
from kruzhok.events.tests import factories as event_factories
from kruzhok.moderation.models import Claim, ProblemReport, Suggestion
from kruzhok.moderation.review_cycle import confirm_token
from kruzhok.moderation.versions import version_baseline


class CommittingClient(Client):
    """A test client whose requests end as they do in production, with a commit: what a request
    queued for after its commit (its mails, which go through the outbox) has run by the time the
    test reads the response. pytest-django keeps each test in one transaction that never commits."""

    def request(self, **request: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client() -> Client:
    return CommittingClient()


@pytest.fixture
def citizen_a(db):
    return factories.user("anna@example.org", display_name="Анна")


@pytest.fixture
def citizen_b(db):
    return factories.user("boris@example.org", display_name="Борис")


@pytest.fixture
def org_x(db):
    return catalog_factories.organization(name="Студия «Икс»")


@pytest.fixture
def org_y(db):
    return catalog_factories.organization(name="Клуб «Игрек»")


@pytest.fixture
def provider_x(org_x):
    return factories.provider(org_x, role="owner", email="owner@x.example.org")


@pytest.fixture
def provider_y(org_y):
    return factories.provider(org_y, email="staff@y.example.org")


@pytest.fixture
def department_member(db):
    return factories.department_member(Department.objects.get(slug="education"), email="dep@example.org")


@pytest.fixture
def editor_user(db):
    return factories.user("editor@example.org", is_editor=True)


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# --- one world with every persona and the objects their URLs need (security walks) ----------


@dataclass
class World:
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
def world(citizen_a, citizen_b, org_x, org_y, provider_x, provider_y) -> World:
    education = Department.objects.get(slug="education")
    org_x.department = education
    org_x.save()
    activity_x = catalog_factories.activity(organization=org_x, title="Шахматы в «Икс»")
    activity_y = catalog_factories.activity(organization=org_y, title="Бокс в «Игрек»")
    comment_a = Comment.objects.create(activity=activity_x, author=citizen_a, text="Хороший кружок")
    editor = factories.user("matrix-editor@example.org", is_editor=True)
    factories.enrol_totp(editor)
    department = factories.department_member(education, email="matrix-dep@example.org")
    w = World(
        {
            "citizen_a": citizen_a,
            "citizen_b": citizen_b,
            "provider_x": provider_x,
            "provider_y": provider_y,
            "department": department,
            "editor": editor,
            "org_x": org_x,
            "org_y": org_y,
            "activity_x": activity_x,
            "activity_y": activity_y,
            "comment_a": comment_a,
            "education": education,
        }
    )
    _provider_world(w)
    return w


def client_for(persona: str, w: World) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(w.objects[persona])
    return client


def _provider_world(w: World) -> None:
    """What the provider, claim, comment-moderation and department URLs need."""
    w.objects["group_x"] = Group.objects.filter(activity=w.activity_x).first()
    w.objects["membership_x"] = Membership.objects.get(user=w.provider_x, organization=w.org_x)
    version_baseline(activity=w.activity_x)
    w.objects["version_x"] = w.activity_x.versions.get()
    w.objects["claim"] = Claim.objects.create(organization=w.org_y, user=w.citizen_b, position="методист")
    w.objects["held_comment"] = Comment.objects.create(
        activity=w.activity_x, author=w.citizen_b, text="см. https://example.org", status=Comment.Status.HELD
    )
    w.objects["suggestion"] = Suggestion.objects.create(
        kind=Suggestion.Kind.EDIT,
        author=w.citizen_a,
        activity=w.activity_x,
        data={"price_rub": 900},
        original={"price_rub": w.activity_x.price_rub},
    )
    w.objects["problem_report"] = ProblemReport.objects.create(
        activity=w.activity_x, problem=ProblemReport.Problem.PHONE, text="не отвечают"
    )
    Activity.objects.filter(pk=w.activity_x.pk).update(review_requested_at=timezone.now())
    w.activity_x.refresh_from_db()
    w.objects["review_token"] = confirm_token(w.activity_x)
    w.objects["event_x"] = event_factories.event(w.org_x, venue=w.activity_x.venue, activity=w.activity_x)
    w.objects["invitation"] = invitation_create(
        department=w.education, inviter=w.department, email="new-school@example.org", organization=w.org_x
    )
