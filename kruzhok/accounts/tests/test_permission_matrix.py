"""Every URL pattern × every persona: who gets the page, who is sent to sign in, who is refused,
and who is told it does not exist (others' objects are 404, never 403).

The walk fails when a URL pattern has no row in `MATRIX`: a new page must say who may see it.
Django's admin is walked pattern by pattern too, with placeholder ids: no persona here is staff,
so each of its URLs must send everyone to the admin's sign-in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from kruzhok.accounts.tests import factories
from kruzhok.accounts.tests.conftest import World, client_for
from kruzhok.notifications.models import Subscription
from kruzhok.notifications.subscriptions import optout_token, subscribe

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "citizen_a", "citizen_b", "provider_x", "provider_y", "department", "editor")
SIGNED_IN = PERSONAS[1:]


def walk(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(route, qualified name) of every URL pattern, recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or ""
            yield prefix + str(pattern.pattern), f"{namespace}:{name}" if namespace else name


# --- expectations ----------------------------------------------------------------------------

LOGIN = "login"  # a redirect to the sign-in page with ?next=
ADMIN_LOGIN = "admin-login"
Expect = dict[str, int | str]


def everyone(status: int | str) -> Expect:
    return dict.fromkeys(PERSONAS, status)


def signed_in(status: int = 200, anonymous: int | str = LOGIN) -> Expect:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, status)}


def editors_only() -> Expect:
    return {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 403), "editor": 200}


def only(
    allowed: tuple[str, ...], *, others: int = 404, ok: int = 200, anonymous: int | str = LOGIN
) -> Expect:
    """Signed-in people outside `allowed` are told the object does not exist."""
    return {"anonymous": anonymous, **{p: (ok if p in allowed else others) for p in SIGNED_IN}}


@dataclass
class Row:
    url: Callable[[World], str]
    get: Expect
    post: Expect | None = None  # None: the pattern's POST is covered by its own app's tests
    post_data: Callable[[World], dict[str, Any]] = lambda w: {}


def fixed(path: str) -> Callable[[World], str]:
    return lambda w: path


MATRIX: dict[str, Row] = {
    # --- public pages
    "catalog:home": Row(fixed("/"), everyone(200)),
    "catalog:activity": Row(lambda w: w.activity_x.get_absolute_url(), everyone(200)),
    "catalog:organization": Row(lambda w: w.org_x.get_absolute_url(), everyone(200)),
    "catalog:direction": Row(fixed("/directions/sport/"), everyone(200)),
    "catalog:category": Row(fixed("/categories/football/"), everyone(200)),
    "catalog:district": Row(lambda w: "/districts/kirovskiy/", everyone(200)),
    "search:search": Row(fixed("/search/?q=шахматы"), everyone(200)),
    "search:places": Row(fixed("/search/places/?where=Ленина"), everyone(200)),
    "api:search": Row(fixed("/api/v1/search?q=шахматы"), everyone(200)),
    "api:openapi-json": Row(fixed("/api/v1/openapi.json"), everyone(200)),
    "api:openapi-view": Row(fixed("/api/v1/docs"), everyone(200)),
    # The API is read-only and public: the same answer for everyone, and a JSON 405 for a POST.
    "api:activities": Row(fixed("/api/v1/activities?direction=sport"), everyone(200), post=everyone(405)),
    "api:activity": Row(lambda w: f"/api/v1/activities/{w.activity_x.pk}", everyone(200), post=everyone(405)),
    "api:organizations": Row(fixed("/api/v1/organizations"), everyone(200)),
    "api:organization": Row(lambda w: f"/api/v1/organizations/{w.org_x.pk}", everyone(200)),
    "api:venues": Row(fixed("/api/v1/venues"), everyone(200)),
    "api:venue": Row(lambda w: f"/api/v1/venues/{w.activity_x.venue_id}", everyone(200)),
    "api:events": Row(fixed("/api/v1/events?free=1"), everyone(200)),
    "api:event": Row(lambda w: f"/api/v1/events/{w.event_x.pk}", everyone(200), post=everyone(405)),
    "api:directions": Row(fixed("/api/v1/directions"), everyone(200)),
    "api:categories": Row(fixed("/api/v1/categories"), everyone(200)),
    "api:okrugs": Row(fixed("/api/v1/okrugs"), everyone(200)),
    "api:api-root": Row(fixed("/api/v1/"), everyone(404)),
    "api:": Row(fixed("/api/v1/nothing-here"), everyone(404)),
    # OpenActive open data: public, read-only.
    "openactive:dataset": Row(fixed("/openactive/"), everyone(200)),
    "openactive:session-series": Row(fixed("/openactive/session-series"), everyone(200)),
    "openactive:scheduled-sessions": Row(fixed("/openactive/scheduled-sessions"), everyone(200)),
    "openactive:categories": Row(fixed("/openactive/categories"), everyone(200)),
    "set_language": Row(fixed("/i18n/setlang/"), everyone(405)),
    # --- comments: POST only; posting needs an account
    "community:comment": Row(
        lambda w: f"/activities/{w.activity_x.pk}/comments/",
        everyone(405),
        post=signed_in(302),
        post_data=lambda w: {"text": "Отличный кружок, ходим второй год.", "stars": "5"},
    ),
    "community:report": Row(
        lambda w: f"/comments/{w.comment_a.pk}/report/",
        everyone(405),
        post=signed_in(302),
        post_data=lambda w: {"reason": "спам"},
    ),
    # --- accounts (allauth and ours)
    "accounts:profile": Row(fixed("/account/"), signed_in()),
    "accounts:delete": Row(fixed("/account/delete/"), signed_in()),
    "account_login": Row(fixed("/account/login/"), {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)}),
    "account_signup": Row(fixed("/account/signup/"), {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)}),
    "account_logout": Row(fixed("/account/logout/"), {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 200)}),
    "account_inactive": Row(fixed("/account/inactive/"), everyone(200)),
    "account_reauthenticate": Row(fixed("/account/reauthenticate/"), signed_in()),
    "account_email": Row(fixed("/account/email/"), signed_in()),
    "account_email_verification_sent": Row(fixed("/account/confirm-email/"), everyone(200)),
    "account_change_password": Row(fixed("/account/password/change/"), signed_in()),
    # Everyone here has a password: the «set a password» page sends them to change it.
    "account_set_password": Row(fixed("/account/password/set/"), signed_in(302)),
    "account_reset_password": Row(fixed("/account/password/reset/"), everyone(200)),
    "account_reset_password_done": Row(fixed("/account/password/reset/done/"), everyone(200)),
    "account_reset_password_from_key_done": Row(fixed("/account/password/reset/key/done/"), everyone(200)),
    # A forged key shows the «link is invalid» page, to everyone.
    "account_reset_password_from_key": Row(fixed("/account/password/reset/key/1-forged-key/"), everyone(200)),
    "account_confirm_email": Row(fixed("/account/confirm-email/forged-key/"), everyone(200)),
    # Only during a sign-in by code, which this site does not offer: everyone is sent back.
    "account_confirm_login_code": Row(
        fixed("/account/login/code/confirm/"), {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 302)}
    ),
    "mfa_index": Row(fixed("/account/2fa/"), signed_in()),
    # Only in the middle of a sign-in with a second factor.
    "mfa_authenticate": Row(
        fixed("/account/2fa/authenticate/"), {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 302)}
    ),
    "mfa_reauthenticate": Row(fixed("/account/2fa/reauthenticate/"), {**signed_in(302), "editor": 200}),
    # Enrolling asks for the password again first (a 302 to reauthenticate); the editor has TOTP.
    "mfa_activate_totp": Row(fixed("/account/2fa/totp/activate/"), {**signed_in(302), "editor": 302}),
    "mfa_deactivate_totp": Row(fixed("/account/2fa/totp/deactivate/"), {**signed_in(404), "editor": 302}),
    # Nobody here has recovery codes yet: nothing to show; making them asks for the password.
    "mfa_view_recovery_codes": Row(fixed("/account/2fa/recovery-codes/"), signed_in(404)),
    "mfa_generate_recovery_codes": Row(fixed("/account/2fa/recovery-codes/generate/"), signed_in(302)),
    "mfa_download_recovery_codes": Row(fixed("/account/2fa/recovery-codes/download/"), signed_in(404)),
    # --- editors
    "moderation:queue": Row(fixed("/moderation/"), editors_only()),
    "moderation:claim": Row(lambda w: f"/moderation/claims/{w.claim.pk}/", editors_only()),
    "moderation:comment": Row(lambda w: f"/moderation/comments/{w.held_comment.pk}/", editors_only()),
    "moderation:history": Row(
        lambda w: f"/moderation/activities/{w.activity_x.pk}/history/", only(("provider_x", "editor"))
    ),
    "moderation:revert": Row(lambda w: f"/moderation/versions/{w.version_x.pk}/revert/", editors_only()),
    "moderation:suggestion": Row(lambda w: f"/moderation/suggestions/{w.suggestion.pk}/", editors_only()),
    "moderation:report": Row(lambda w: f"/moderation/reports/{w.problem_report.pk}/", editors_only()),
    "moderation:review": Row(lambda w: f"/moderation/review/{w.activity_x.pk}/", editors_only()),
    # --- anyone may report a problem; the signed «всё верно» link is its own permission
    "moderation_public:report": Row(lambda w: f"/activities/{w.activity_x.pk}/report/", everyone(200)),
    "moderation_public:review_confirm": Row(lambda w: f"/review/{w.review_token}/", everyone(200)),
    # --- contributions: any signed-in citizen; the lookups the form uses are open
    "contribute:contribute": Row(fixed("/contribute/"), signed_in()),
    "contribute:done": Row(lambda w: f"/contribute/sent/{w.suggestion.pk}/", only(("citizen_a",))),
    "contribute:organizations": Row(fixed("/contribute/organizations/?organization=Икс"), everyone(200)),
    "contribute:addresses": Row(fixed("/contribute/addresses/?address=Ленина"), everyone(200)),
    "contribute:duplicates": Row(fixed("/contribute/duplicates/?title=Шахматы"), everyone(200)),
    "suggest:edit": Row(lambda w: f"/activities/{w.activity_x.pk}/suggest/", signed_in()),
    # --- claims and official answers
    "claim_new": Row(lambda w: f"/organizations/{w.org_y.pk}/claim/", signed_in()),
    "community:answer": Row(lambda w: f"/comments/{w.comment_a.pk}/answer/", only(("provider_x",))),
    # --- the provider area: the organization's own members and editors; others are told nothing
    "manage:index": Row(fixed("/manage/"), signed_in()),
    "manage:organization": Row(
        lambda w: f"/manage/organizations/{w.org_x.pk}/", only(("provider_x", "editor"))
    ),
    "manage:organization_edit": Row(
        lambda w: f"/manage/organizations/{w.org_x.pk}/edit/", only(("provider_x", "editor"))
    ),
    "manage:members": Row(
        lambda w: f"/manage/organizations/{w.org_x.pk}/members/", only(("provider_x", "editor"))
    ),
    "manage:member_remove": Row(
        lambda w: f"/manage/organizations/{w.org_x.pk}/members/{w.membership_x.pk}/remove/",
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 405)},
        post=only(("provider_x", "editor"), ok=302),
    ),
    "manage:activity_new": Row(
        lambda w: f"/manage/organizations/{w.org_x.pk}/activities/new/", only(("provider_x", "editor"))
    ),
    "manage:activity": Row(
        lambda w: f"/manage/activities/{w.activity_x.pk}/", only(("provider_x", "editor"))
    ),
    "manage:groups": Row(
        lambda w: f"/manage/activities/{w.activity_x.pk}/groups/", only(("provider_x", "editor"))
    ),
    "manage:group_new": Row(
        lambda w: f"/manage/activities/{w.activity_x.pk}/groups/new/", only(("provider_x", "editor"))
    ),
    "manage:group": Row(lambda w: f"/manage/groups/{w.group_x.pk}/", only(("provider_x", "editor"))),
    "manage:group_delete": Row(
        lambda w: f"/manage/groups/{w.group_x.pk}/delete/",
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 405)},
        post=only(("provider_x", "editor"), ok=302),
    ),
    # --- events (issue 5): public pages and calendars; the provider's event pages as above
    "events:list": Row(fixed("/events/?view=month"), everyone(200)),
    "events:feed": Row(fixed("/events/feed.ics?free=1"), everyone(200)),
    "events:event": Row(lambda w: f"/events/{w.event_x.pk}/", everyone(200)),
    "events:event_ics": Row(lambda w: f"/events/{w.event_x.pk}/event.ics", everyone(200)),
    "events:activity_schedule": Row(lambda w: f"/activities/{w.activity_x.pk}/schedule.ics", everyone(200)),
    "events:organization_feed": Row(lambda w: f"/organizations/{w.org_x.pk}/events.ics", everyone(200)),
    "events:manage_events": Row(
        lambda w: f"/manage/organizations/{w.org_x.pk}/events/", only(("provider_x", "editor"))
    ),
    "events:manage_event_new": Row(
        lambda w: f"/manage/organizations/{w.org_x.pk}/events/new/", only(("provider_x", "editor"))
    ),
    "events:manage_event": Row(lambda w: f"/manage/events/{w.event_x.pk}/", only(("provider_x", "editor"))),
    "events:manage_event_cancel": Row(
        lambda w: f"/manage/events/{w.event_x.pk}/cancel/",
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 405)},
        post=only(("provider_x", "editor"), ok=302),
    ),
    # --- subscriptions (issue 5): anyone subscribes; the mails' links work for whoever holds the
    # token, signed in or not (the token proves the mailbox); «Мои подписки» is per account.
    "subscriptions:list": Row(fixed("/subscriptions/"), everyone(200), post=signed_in(302)),
    "subscriptions:new": Row(
        fixed("/subscriptions/new/"),
        everyone(405),
        post=everyone(302),
        post_data=lambda w: {"kind": "activity", "activity": w.activity_x.pk, "email": "follow@example.org"},
    ),
    "subscriptions:confirm": Row(
        lambda w: f"/subscriptions/confirm/{_subscription(w).token}/", everyone(200), post=everyone(200)
    ),
    "subscriptions:manage": Row(
        lambda w: f"/subscriptions/manage/{_subscription(w).token}/",
        everyone(200),
        post=everyone(302),
        post_data=lambda w: {
            "action": "frequency",
            "subscription": _subscription(w).pk,
            "frequency": "weekly",
        },
    ),
    "subscriptions:unsubscribe": Row(
        lambda w: f"/subscriptions/unsubscribe/{_subscription(w).token}/", everyone(200), post=everyone(200)
    ),
    "subscriptions:optout": Row(
        lambda w: "/subscriptions/optout/" + optout_token("matrix@example.org", "review") + "/",
        everyone(200),
        post=everyone(200),
    ),
    # --- departments: their members (and editors) see their network and invite into it
    # A member of one department goes straight to its network; editors choose one.
    "department:index": Row(fixed("/department/"), {**only(("department", "editor")), "department": 302}),
    "department:network": Row(fixed("/department/education/"), only(("department", "editor"))),
    "department:invitations": Row(
        fixed("/department/education/invitations/"), only(("department", "editor"))
    ),
    "department:invitation_resend": Row(
        lambda w: f"/department/education/invitations/{w.invitation.pk}/resend/",
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 405)},
        post=only(("department", "editor"), ok=302),
    ),
    "department:invitation_revoke": Row(
        lambda w: f"/department/education/invitations/{w.invitation.pk}/revoke/",
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 405)},
        post=only(("department", "editor"), ok=302),
    ),
    # A forged link is not found, whoever opens it (the accepted journey is in its own tests).
    "invitation_accept": Row(fixed("/invite/forged-token/"), everyone(404)),
    # --- the web upload: a department's network, a provider's own organization
    "imports:department_upload": Row(fixed("/upload/department/education/"), only(("department", "editor"))),
    # A preview that is gone (confirmed, cancelled or swept) sends back to the upload form.
    "imports:department_confirm": Row(
        fixed("/upload/department/education/no-such-upload/"), only(("department", "editor"), ok=302)
    ),
    "imports:organization_upload": Row(
        lambda w: f"/upload/organization/{w.org_x.pk}/", only(("provider_x", "editor"))
    ),
    "imports:organization_confirm": Row(
        lambda w: f"/upload/organization/{w.org_x.pk}/no-such-upload/", only(("provider_x", "editor"), ok=302)
    ),
    # --- crawlers and open data (issue 6, web helper): public, the same for everyone. The files
    # are not generated in this world (each test has its own empty OPEN_DATA_DIR), so the download
    # is the «not ready yet» page; kruzhok/imports/tests/test_open_data.py serves them.
    "healthz": Row(fixed("/healthz"), everyone(200)),
    "robots_txt": Row(fixed("/robots.txt"), everyone(200)),
    "sitemap_index": Row(fixed("/sitemap.xml"), everyone(200)),
    "sitemap_section": Row(fixed("/sitemap-activities.xml"), everyone(200)),
    "open_data:index": Row(fixed("/data/"), everyone(200)),
    "open_data:download": Row(fixed("/data/kruzhok-catalog.csv"), everyone(404)),
    # --- promotion (issue 7): news and photos are public; providers write them for their own
    # organization, editors hide them and pick the featured entries.
    "promotion:news": Row(lambda w: f"{w.org_x.get_absolute_url()}news/", everyone(200)),
    "promotion:photos": Row(lambda w: f"{w.org_x.get_absolute_url()}photos/", everyone(200)),
    "promotion:manage": Row(
        lambda w: f"/manage/organizations/{w.org_x.pk}/news/", only(("provider_x", "editor"))
    ),
    # Written from the news page's forms: POST only.
    "promotion:post_new": Row(
        lambda w: f"/manage/organizations/{w.org_x.pk}/news/posts/new/",
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 405)},
        post=only(("provider_x", "editor"), ok=302),
        post_data=lambda w: {"title": "Набор открыт", "body": "Ждём ребят 7–12 лет."},
    ),
    "promotion:photo_new": Row(
        lambda w: f"/manage/organizations/{w.org_x.pk}/news/photos/new/",
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 405)},
    ),
    "promotion:post_edit": Row(lambda w: f"/manage/posts/{_post(w).pk}/", only(("provider_x", "editor"))),
    "promotion:post_delete": Row(
        lambda w: f"/manage/posts/{_post(w).pk}/delete/",
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 405)},
    ),
    "promotion:photo_caption": Row(
        lambda w: f"/manage/photos/{_photo(w).pk}/caption/",
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 405)},
    ),
    "promotion:photo_move": Row(
        lambda w: f"/manage/photos/{_photo(w).pk}/move/",
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 405)},
    ),
    "promotion:photo_delete": Row(
        lambda w: f"/manage/photos/{_photo(w).pk}/delete/",
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 405)},
    ),
    # Editors' decisions are POSTs from the manage and moderation pages.
    "promotion:post_hide": Row(
        lambda w: f"/moderation/posts/{_post(w).pk}/hide/",
        {**editors_only(), "editor": 405},
        post={**editors_only(), "editor": 302},
        post_data=lambda w: {"reason": "реклама стороннего сайта"},
    ),
    "promotion:post_show": Row(
        lambda w: f"/moderation/posts/{_post(w).pk}/show/",
        {**editors_only(), "editor": 405},
        post={**editors_only(), "editor": 302},
    ),
    "promotion:photo_hide": Row(
        lambda w: f"/moderation/photos/{_photo(w).pk}/hide/",
        {**editors_only(), "editor": 405},
        post={**editors_only(), "editor": 302},
        post_data=lambda w: {"reason": "фото без согласия родителей"},
    ),
    "promotion:photo_show": Row(
        lambda w: f"/moderation/photos/{_photo(w).pk}/show/", {**editors_only(), "editor": 405}
    ),
    "promotion:featured": Row(fixed("/moderation/featured/"), editors_only()),
    "promotion:featured_remove": Row(
        lambda w: f"/moderation/featured/{_featured(w).pk}/remove/",
        {**editors_only(), "editor": 405},
        post={**editors_only(), "editor": 302},
    ),
    # A click link without its signature leads nowhere, whoever follows it.
    "ads:click": Row(fixed("/ads/1/click/"), everyone(404)),
    # --- the KPI dashboard: editors (the city) and department staff (their network)
    "analytics:dashboard": Row(fixed("/dashboard/"), only(("department", "editor"))),
    "analytics:csv": Row(fixed("/dashboard/traffic.csv"), only(("department", "editor"))),
    "analytics:targets": Row(fixed("/dashboard/targets/"), editors_only()),
}


def _post(w: World) -> Any:
    from kruzhok.promotion.models import OrganizationPost

    return OrganizationPost.objects.get_or_create(
        organization=w.org_x,
        title="Набор открыт",
        defaults={"body": "Ждём ребят.", "published_at": timezone.now()},
    )[0]


def _photo(w: World) -> Any:
    from kruzhok.promotion.models import OrganizationPhoto

    # A row without a file behind it: no page here serves the picture itself.
    return OrganizationPhoto.objects.get_or_create(
        organization=w.org_x,
        caption="Зал",
        defaults={"image": "organizations/photos/x.jpg", "width": 4, "height": 3},
    )[0]


def _featured(w: World) -> Any:
    from kruzhok.promotion.models import Featured

    today = timezone.localdate()
    return Featured.objects.get_or_create(activity=w.activity_x, starts_on=today, ends_on=today)[0]


def _subscription(w: World) -> Subscription:
    """A subscription of someone not among the personas: its links work for whoever has them."""
    found = Subscription.objects.filter(email="matrix@example.org").first()
    if found is None:
        found = subscribe(kind="activity", email="matrix@example.org", activity=w.activity_x).subscription
    return found


# RFC 8058: mail providers POST the one-click unsubscribe without cookies, so these take no CSRF
# token; the secret token in the URL is what protects them (kruzhok/notifications/views.py).
CSRF_EXEMPT = {"subscriptions:unsubscribe", "subscriptions:optout"}


PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def admin_url(route: str) -> str:
    """An admin route with placeholder values: non-staff never get past the admin's sign-in."""
    path = PLACEHOLDER.sub("1", route).replace("^", "").replace("$", "")
    path = path.replace("\\", "")
    return "/" + path


def _check(response: Any, expected: int | str, where: str) -> str | None:
    status = response.status_code
    if expected == LOGIN:
        ok = status == 302 and response["Location"].startswith(reverse("account_login") + "?next=")
    elif expected == ADMIN_LOGIN:
        ok = status == 302 and response["Location"].startswith("/admin/login/")
    else:
        ok = status == expected
    if ok:
        return None
    location = response.get("Location", "")
    return f"{where}: expected {expected}, got {status} {location}"


def test_every_url_pattern_has_a_row_in_the_matrix():
    missing = [
        f"{name or '(unnamed)'} {route}"
        for route, name in walk()
        if not route.startswith("admin/") and name not in MATRIX
    ]
    assert not missing, "URL patterns nobody decided access for:\n" + "\n".join(missing)


def test_matrix_has_no_rows_for_urls_that_no_longer_exist():
    names = {name for _route, name in walk()}
    assert not set(MATRIX) - names


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_what_the_matrix_says(persona, world):
    problems = []
    for name, row in MATRIX.items():
        client = client_for(persona, world)
        url = row.url(world)
        problems.append(_check(client.get(url), row.get[persona], f"GET {name} {url} as {persona}"))
        if row.post is not None:
            client = client_for(persona, world)
            response = client.post(url, row.post_data(world))
            problems.append(_check(response, row.post[persona], f"POST {name} {url} as {persona}"))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_gets_past_the_admin_sign_in_without_being_staff(persona, world):
    client = client_for(persona, world)
    problems = []
    for route, name in walk():
        if not route.startswith("admin/") or name == "":
            continue
        url = admin_url(route)
        response = client.get(url)
        if route == "admin/login/":
            continue  # the sign-in itself
        if route == "admin/logout/":  # signing out takes a POST; a GET goes back to the index
            problems.append(_check(response, 302, f"GET {name} {url} as {persona}"))
            continue
        problems.append(_check(response, ADMIN_LOGIN, f"GET {name} {url} as {persona}"))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems[:40])


# --- central checks over the same walk ------------------------------------------------------

OFFSITE = ("https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example")


def _offsite(location: str) -> bool:
    location = location.strip().replace("\\", "/")
    with_scheme = re.match(r"^[a-z][a-z0-9+.-]*:", location, re.IGNORECASE) is not None
    return location.startswith("//") or (with_scheme and "evil.example" in location)


def test_every_post_is_refused_without_a_csrf_token(world):
    """Signed in (a cookie session is what CSRF protects), a POST with no token changes nothing."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.citizen_a)
    problems, refused = [], 0
    for _route, name in walk():
        row = MATRIX.get(name)
        if row is None or name in CSRF_EXEMPT:
            continue
        url = row.url(world)
        response = client.post(url, row.post_data(world))
        if response.status_code == 405:
            continue  # takes no POST at all
        if response.status_code == 403 and b"CSRF" in response.content:
            refused += 1
        else:
            problems.append(f"POST {name} {url}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert refused >= 10  # the walk did reach the forms


@pytest.mark.parametrize("persona", ["anonymous", "citizen_a", "editor"])
@pytest.mark.parametrize("target", OFFSITE)
def test_next_never_redirects_off_site(persona, target, world):
    client = client_for(persona, world)
    problems = []
    for name, row in MATRIX.items():
        url = row.url(world)
        url += ("&" if "?" in url else "?") + "next=" + target
        for response in (client.get(url), client.post(url, row.post_data(world))):
            location = response.get("Location", "")
            if location and _offsite(location):
                problems.append(f"{name} {url} → {location}")
    # The sign-in itself: a correct password with an off-site next= lands on the site.
    anonymous = Client()
    response = anonymous.post(
        "/account/login/?next=" + target, {"login": world.citizen_a.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302 and not _offsite(response["Location"])
    response = anonymous.post("/i18n/setlang/", {"language": "en", "next": target})
    assert response.status_code == 302 and not _offsite(response["Location"])
    assert not problems, "\n".join(problems)
