"""A department's network page: each organization's entries, freshness and account, with totals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kruzhok.accounts import selectors_department as network
from kruzhok.accounts.tests import factories
from kruzhok.catalog.models import Department, Status
from kruzhok.catalog.tests import factories as catalog_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def education():
    return Department.objects.get(slug="education")


@pytest.fixture
def net(education):
    """Three organizations: one all fresh with an owner, one with a stale entry, one empty."""
    now = timezone.now()
    fresh_org = catalog_factories.organization(name="Альфа", department=education)
    stale_org = catalog_factories.organization(name="Бета", department=education)
    empty_org = catalog_factories.organization(name="Гамма", department=education)
    catalog_factories.activity(organization=fresh_org, verified_at=now - timedelta(days=10))
    catalog_factories.activity(organization=fresh_org, verified_at=now - timedelta(days=100))
    catalog_factories.activity(organization=stale_org, verified_at=now - timedelta(days=400))
    catalog_factories.activity(organization=stale_org, verified_at=now - timedelta(days=20))
    catalog_factories.activity(organization=stale_org, verified_at=None)
    # Not counted: a draft, and an archived one.
    catalog_factories.activity(organization=empty_org, status=Status.DRAFT)
    catalog_factories.activity(organization=empty_org, status=Status.ARCHIVED, verified_at=now)
    factories.provider(fresh_org, role="owner")
    # Another department's organization never shows.
    catalog_factories.organization(name="Театр", department=Department.objects.get(slug="culture"))
    return {"fresh": fresh_org, "stale": stale_org, "empty": empty_org}


def _rows(department, **kw):
    return [network.network_row(org) for org in network.network_rows(department=department, **kw)]


def test_selector_counts_published_entries_freshness_and_members(education, net):
    rows = {row.organization.name: row for row in _rows(education)}
    assert list(rows) == ["Альфа", "Бета", "Гамма"]
    alpha, beta, gamma = rows["Альфа"], rows["Бета"], rows["Гамма"]
    assert (alpha.published, alpha.fresh, alpha.fresh_percent, alpha.listing) == (2, 2, 100, "fresh")
    assert alpha.has_members
    assert (beta.published, beta.fresh, beta.fresh_percent, beta.listing) == (3, 1, 33, "entries")
    assert beta.oldest_verified is not None
    assert (timezone.now() - beta.oldest_verified).days == 400
    assert not beta.has_members
    assert (gamma.published, gamma.fresh_percent, gamma.listing) == (0, None, "empty")

    totals = network.network_totals(department=education)
    assert (totals.organizations, totals.with_members, totals.with_entries, totals.all_fresh) == (3, 1, 2, 1)
    assert (totals.published, totals.fresh, totals.fresh_percent) == (5, 3, 60)


def test_freshness_follows_the_review_setting(settings, education, net):
    settings.REVIEW_AFTER_DAYS = 30
    rows = {row.organization.name: row for row in _rows(education)}
    assert rows["Альфа"].fresh == 1 and rows["Альфа"].listing == "entries"


@pytest.mark.parametrize(
    ("show", "names"),
    [
        ("all", ["Альфа", "Бета", "Гамма"]),
        ("empty", ["Гамма"]),
        ("stale", ["Бета"]),
        ("no_members", ["Бета", "Гамма"]),
    ],
)
def test_filters(education, net, show, names):
    assert [row.organization.name for row in _rows(education, show=show)] == names


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("name", ["Альфа", "Бета", "Гамма"]),
        ("activities", ["Бета", "Альфа", "Гамма"]),
        ("fresh", ["Бета", "Альфа", "Гамма"]),
        ("oldest", ["Бета", "Гамма", "Альфа"]),
        ("'; DROP TABLE x; --", ["Альфа", "Бета", "Гамма"]),
    ],
)
def test_sorting(education, net, sort, names):
    assert [row.organization.name for row in _rows(education, sort=sort)] == names


def test_department_member_sees_the_network_page_with_totals_and_statuses(client, department_member, net):
    client.force_login(department_member)
    assert client.get("/department/")["Location"] == "/department/education/"
    page = client.get("/department/education/?show=stale&sort=fresh")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Бета" in body and "Альфа" not in body
    assert "есть устаревшие" in body and "не проверялись: 1" in body
    assert "60&nbsp;%" in body  # the department's share at the top, whatever the filter


def test_hostile_query_parameters_fall_back_to_defaults(client, department_member, net):
    client.force_login(department_member)
    page = client.get(
        "/department/education/", {"show": "<script>alert(1)</script>", "sort": "x" * 10_000, "page": "-1"}
    )
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()
    assert "Гамма" in page.content.decode()


def test_organization_names_are_escaped(client, department_member, education):
    catalog_factories.organization(name='<img src=x onerror="alert(1)">', department=education)
    client.force_login(department_member)
    body = client.get("/department/education/").content.decode()
    assert "<img src=x" not in body and "&lt;img src=x" in body


def test_education_member_cannot_see_cultures_network(client, department_member):
    client.force_login(department_member)
    for url in ("/department/culture/", "/department/culture/invitations/", "/upload/department/culture/"):
        assert client.get(url).status_code == 404, url
    assert client.get("/department/nonexistent/").status_code == 404


def test_citizens_and_providers_get_404_and_visitors_sign_in(client, citizen_a, provider_x):
    assert client.get("/department/education/")["Location"].startswith("/account/login/")
    for person in (citizen_a, provider_x):
        client.force_login(person)
        assert client.get("/department/").status_code == 404
        assert client.get("/department/education/").status_code == 404


def test_editor_picks_any_department_after_enrolling_totp(client, editor_user, net):
    client.force_login(editor_user)
    assert client.get("/department/education/")["Location"] == "/account/2fa/totp/activate/"
    factories.enrol_totp(editor_user)
    chooser = client.get("/department/")
    assert chooser.status_code == 200
    assert "/department/culture/" in chooser.content.decode()
    assert client.get("/department/culture/").status_code == 200


def test_department_pages_in_english_carry_no_russian_interface_text(client, education, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kruzhok.core.tests.test_i18n import _untranslated_words
    from kruzhok.imports.tests.conftest import csv_bytes, row

    settings.MEDIA_ROOT = str(tmp_path)
    org = catalog_factories.organization(name="Art School 3", department=education)
    catalog_factories.activity(organization=org, title="Chess", verified_at=timezone.now())
    member = factories.department_member(education, language="en")
    client.force_login(member)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    pages = [
        "/department/education/",
        "/department/education/?show=empty",
        "/department/education/invitations/",
    ]
    pages.append("/upload/department/education/")
    for path in pages:
        html = client.get(path).content.decode()
        assert '<html lang="en">' in html, path
        assert _untranslated_words(html.replace(education.name, "")) == set(), path
    refused = client.post("/department/education/invitations/", {"email": "bad", "new_organization": ""})
    assert _untranslated_words(refused.content.decode().replace(education.name, "")) == set()
    content = csv_bytes([row(organization="Art School 3", inn="", title="Painting", description="Colours")])
    upload = client.post(
        "/upload/department/education/", {"file": SimpleUploadedFile("c.csv", content), "source": "en-test"}
    )
    preview = client.get(upload["Location"]).content.decode()
    assert "Step 2 of 2" in preview
    invalid = client.get("/invite/not-a-token/").content.decode()
    assert _untranslated_words(invalid) == set()


def test_profile_links_to_the_network_and_to_the_providers_upload(
    client, department_member, provider_x, org_x
):
    client.force_login(department_member)
    assert 'href="/department/education/"' in client.get("/account/").content.decode()
    client.force_login(provider_x)
    assert f'href="/upload/organization/{org_x.pk}/"' in client.get("/account/").content.decode()
