"""Every text field a person can fill in, fed the XSS corpus through the real forms; every page
that shows the text parsed: no script, no on* attribute, no javascript: link.

Each write path posts as the persona who may use it and names the pages (and who looks at them)
where the text shows up: the public page, the editors' queue, the author's own pages.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kruzhok.accounts.tests.conftest import World, client_for
from kruzhok.community.models import Comment
from kruzhok.core.tests.xss import PAYLOADS, script_problems

pytestmark = pytest.mark.django_db

Pages = list[tuple[str, str]]  # (persona, url)


def _comment(w: World, payload: str) -> Pages:
    client = client_for("citizen_b", w)
    response = client.post(f"/activities/{w.activity_x.pk}/comments/", {"text": payload, "stars": "4"})
    assert response.status_code in (302, 400)
    Comment.objects.filter(text=payload).update(status=Comment.Status.PUBLISHED)
    return [("anonymous", w.activity_x.get_absolute_url()), ("citizen_b", w.activity_x.get_absolute_url())]


def _display_name(w: World, payload: str) -> Pages:
    client = client_for("citizen_a", w)
    client.post("/account/", {"display_name": payload[:80], "language": "ru"})
    # The name signs the comment citizen A wrote (the world's comment_a) and fills the header.
    return [("anonymous", w.activity_x.get_absolute_url()), ("citizen_a", "/account/")]


def _comment_report(w: World, payload: str) -> Pages:
    from kruzhok.community.models import CommentReport

    CommentReport.objects.filter(comment=w.comment_a).delete()
    Comment.objects.filter(pk=w.comment_a.pk).update(status=Comment.Status.PUBLISHED)
    client = client_for("citizen_b", w)
    client.post(f"/comments/{w.comment_a.pk}/report/", {"reason": payload})
    Comment.objects.filter(pk=w.comment_a.pk).update(status=Comment.Status.HIDDEN)
    return [("editor", f"/moderation/comments/{w.comment_a.pk}/")]


def _activity_edit(w: World, payload: str) -> Pages:
    """A provider's direct edit: public at once, so the public pages are what matters."""
    act = w.activity_x
    client = client_for("provider_x", w)
    response = client.post(
        f"/manage/activities/{act.pk}/",
        {
            "title": payload[:300],
            "description": payload,
            "direction": str(act.direction_id),
            "categories": [str(c) for c in act.categories.values_list("pk", flat=True)],
            "age_min": "7",
            "age_max": "12",
            "price_rub": "0",
            "price_note": payload[:300],
            "format": "group",
            "enrollment": "open",
            "venue": str(act.venue_id),
        },
    )
    assert response.status_code in (200, 302)
    return [
        ("anonymous", act.get_absolute_url()),
        ("anonymous", w.org_x.get_absolute_url()),
        ("anonymous", "/search/?q=" + "шахматы"),
        ("provider_x", f"/manage/organizations/{w.org_x.pk}/"),
        ("editor", f"/moderation/activities/{act.pk}/history/"),
    ]


def _organization_edit(w: World, payload: str) -> Pages:
    client = client_for("provider_x", w)
    client.post(f"/manage/organizations/{w.org_x.pk}/edit/", {"description": payload})
    return [("anonymous", w.org_x.get_absolute_url())]


def _group(w: World, payload: str) -> Pages:
    group = w.group_x
    client = client_for("provider_x", w)
    client.post(
        f"/manage/groups/{group.pk}/",
        {
            "name": payload[:200],
            "teacher": payload[:200],
            "slots-TOTAL_FORMS": "0",
            "slots-INITIAL_FORMS": "0",
        },
    )
    return [
        ("anonymous", w.activity_x.get_absolute_url()),
        ("provider_x", f"/manage/activities/{w.activity_x.pk}/groups/"),
    ]


def _answer(w: World, payload: str) -> Pages:
    client = client_for("provider_x", w)
    client.post(f"/comments/{w.comment_a.pk}/answer/", {"text": payload})
    return [("anonymous", w.activity_x.get_absolute_url())]


def _claim(w: World, payload: str) -> Pages:
    from kruzhok.moderation.models import Claim

    Claim.objects.filter(user=w.citizen_a).delete()
    client = client_for("citizen_a", w)
    client.post(
        f"/organizations/{w.org_y.pk}/claim/", {"position": payload[:200], "phone": "", "message": payload}
    )
    claim = Claim.objects.filter(user=w.citizen_a).first()
    return [("editor", f"/moderation/claims/{claim.pk}/")] if claim else []


def _invitation(w: World, payload: str) -> Pages:
    client = client_for("department", w)
    client.post(
        "/department/education/invitations/",
        {"email": "school@example.org", "organization": "", "new_organization": payload[:200]},
    )
    return [("department", "/department/education/invitations/"), ("department", "/department/education/")]


def _contribute(w: World, payload: str) -> Pages:
    from kruzhok.moderation.models import Suggestion
    from kruzhok.moderation.tests.contribute_helpers import new_form

    client = client_for("citizen_b", w)
    form = new_form(
        title=payload[:300],
        description=payload,
        price_note=payload[:300],
        organization=payload[:300],
        address=payload[:300],
        note=payload,
        check="",
        send="1",
    )
    client.post("/contribute/", form)
    pages: Pages = [("citizen_b", "/contribute/"), ("editor", "/moderation/?section=new")]
    suggestion = Suggestion.objects.filter(author=w.citizen_b).order_by("-pk").first()
    if suggestion is not None:
        pages += [
            ("editor", f"/moderation/suggestions/{suggestion.pk}/"),
            ("citizen_b", f"/contribute/sent/{suggestion.pk}/"),
        ]
    # The «check» step shows the same text back before anything is sent.
    checked = client.post("/contribute/", {**form, "check": "1", "send": ""})
    assert not script_problems(checked.content.decode())
    return pages


def _suggest_edit(w: World, payload: str) -> Pages:
    from kruzhok.moderation.models import Suggestion

    act = w.activity_x
    client = client_for("citizen_b", w)
    page = client.get(f"/activities/{act.pk}/suggest/")
    form = {key: value for key, value in page.context["form"].initial.items() if value is not None}
    client.post(
        f"/activities/{act.pk}/suggest/",
        {
            **form,
            "title": payload[:300],
            "description": payload,
            "price_note": payload[:300],
            "note": payload,
        },
    )
    suggestion = Suggestion.objects.filter(author=w.citizen_b, kind="edit").order_by("-pk").first()
    return [("editor", f"/moderation/suggestions/{suggestion.pk}/")] if suggestion else []


def _problem_report(w: World, payload: str) -> Pages:
    from kruzhok.moderation.models import ProblemReport

    ProblemReport.objects.all().delete()  # one report a day per person and activity
    client = client_for("anonymous", w)
    client.post(f"/activities/{w.activity_x.pk}/report/", {"problem": "other", "text": payload, "email": ""})
    report = ProblemReport.objects.order_by("-pk").first()
    return (
        [("editor", f"/moderation/reports/{report.pk}/"), ("editor", "/moderation/?section=reports")]
        if report
        else []
    )


def _subscription(w: World, payload: str) -> Pages:
    """A saved search (its words shown back on the subscription pages), and the same payload as
    an address, whose refusal shows the typed text again."""
    from django.core.cache import cache

    from kruzhok.notifications.models import Subscription

    cache.clear()  # the subscribe rate limit: one persona posts the whole corpus
    client = client_for("citizen_a", w)
    client.post("/subscriptions/new/", {"kind": "search", "q": payload[:200], "frequency": "weekly"})
    refused = client_for("anonymous", w).post(
        "/subscriptions/new/", {"kind": "search", "q": payload[:200], "email": payload}
    )
    assert refused.status_code == 400 and not script_problems(refused.content.decode())
    subscription = Subscription.objects.filter(email=w.citizen_a.email).order_by("-pk").first()
    pages: Pages = [("citizen_a", "/subscriptions/")]
    if subscription is not None:
        pages += [
            ("anonymous", f"/subscriptions/manage/{subscription.token}/"),
            ("anonymous", f"/subscriptions/confirm/{subscription.token}/"),
            ("anonymous", f"/subscriptions/unsubscribe/{subscription.token}/"),
        ]
    return pages


WRITE_PATHS: dict[str, Callable[[World, str], Pages]] = {
    "subscription": _subscription,
    "problem_report": _problem_report,
    "contribute": _contribute,
    "suggest_edit": _suggest_edit,
    "comment": _comment,
    "display_name": _display_name,
    "comment_report": _comment_report,
    "activity_edit": _activity_edit,
    "organization_edit": _organization_edit,
    "group": _group,
    "answer": _answer,
    "claim": _claim,
    "invitation": _invitation,
}


@pytest.mark.parametrize("path", sorted(WRITE_PATHS))
def test_no_payload_runs_on_any_page_that_shows_it(path, world, settings):
    settings.COMMENTS_PER_HOUR = 1000
    settings.IP_LIMIT_FACTOR = 1000
    settings.INVITATIONS_PER_HOUR = 1000
    settings.REPORTS_PER_HOUR = 1000
    problems, shown = [], 0
    for payload in PAYLOADS:
        for persona, url in WRITE_PATHS[path](world, payload):
            client: Client = client_for(persona, world)
            response = client.get(url)
            assert response.status_code == 200, f"{url} as {persona}: {response.status_code}"
            page = response.content.decode()
            shown += "alert" in page  # the text is on the page (as text), so the check means something
            problems += [f"{payload!r} on {url}: {p}" for p in script_problems(page)]
    assert not problems, "\n".join(problems[:30])
    assert shown


def test_the_checker_catches_what_it_should():
    assert script_problems("<p onclick='x()'>a</p>")
    assert script_problems("<script>alert(1)</script>")
    assert script_problems('<a href=" javascript:alert(1)">x</a>')
    assert not script_problems('<script src="/static/js/site.js"></script><a href="/x">ok</a>')
