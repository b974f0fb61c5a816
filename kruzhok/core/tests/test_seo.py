"""Crawler-facing pieces: robots.txt, the sitemap index and its paged sections, canonical links
and preview tags on every page, and the JSON-LD tag's escaping."""

from __future__ import annotations

import json
import re

import pytest
from defusedxml import ElementTree
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kruzhok.catalog.models import Status
from kruzhok.catalog.tests import factories
from kruzhok.core.seo import SiteSitemap, canonical_url
from kruzhok.core.templatetags.seo import json_ld_text
from kruzhok.events.tests.factories import event

SITE = "https://kruzhok.example"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def locs(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    return [node.text or "" for node in root.iterfind(".//s:loc", NS)]


# --- JSON-LD -------------------------------------------------------------------------------


def test_json_ld_tag_cannot_be_closed_or_commented_out_by_the_data():
    data = {"name": "</script><script>alert(1)</script>", "note": "<!-- x --> & \u2028"}
    html = Template("{% load seo %}{% json_ld data %}").render(Context({"data": data}))
    assert html.startswith('<script type="application/ld+json">') and html.endswith("</script>")
    inner = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner and "\u2028" not in inner
    assert json.loads(inner) == data
    assert json_ld_text({"a": "ё"}) == '{"a":"ё"}'  # readable, compact
    assert Template("{% load seo %}{% json_ld data %}").render(Context({"data": None})) == ""


# --- canonical and preview tags ------------------------------------------------------------


def test_canonical_keeps_only_a_real_page_number():
    rf = RequestFactory()

    def url(query: str, **kw) -> str:
        return canonical_url(rf.get("/categories/chess/" + query), **kw)

    assert url("?page=3&utm_source=vk&fbclid=x") == SITE + "/categories/chess/?page=3"
    assert url("?page=1") == SITE + "/categories/chess/"
    assert url("?page=abc") == SITE + "/categories/chess/"
    assert url("?page=-2") == SITE + "/categories/chess/"
    assert url("?page=99999999999999999999") == SITE + "/categories/chess/"
    assert url("?q=<script>&page=2", keep=("q",)) == SITE + "/categories/chess/?q=%3Cscript%3E"


@pytest.mark.django_db
def test_every_page_has_a_canonical_link_and_preview_tags(client):
    html = client.get("/directions/sport/?page=2&utm_campaign=x").content.decode()
    assert f'<link rel="canonical" href="{SITE}/directions/sport/">' in html  # page 2 does not exist: page 1
    html = client.get("/?utm_source=newsletter").content.decode()
    assert f'<link rel="canonical" href="{SITE}/">' in html
    assert f'<meta property="og:url" content="{SITE}/">' in html
    assert '<meta property="og:title" content="Кружки и секции для детей">' in html
    assert '<meta property="og:description" content="Все кружки, секции и студии для детей' in html
    assert '<meta property="og:locale" content="ru_RU">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert "<title>Кружки и секции для детей · Кружок</title>" in html


@pytest.mark.django_db
def test_search_canonical_is_absolute_in_the_canonical_parameter_order(client):
    html = client.get("/search/?sort=price&q=шахматы&utm_source=x&age=9&page=1").content.decode()
    assert (
        f'<link rel="canonical" href="{SITE}/search/?q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B&amp;age=9&amp;sort=price">'
        in html
    )


@pytest.mark.django_db
def test_error_pages_ask_not_to_be_indexed(client):
    html = client.get("/activities/999999-nothing/").content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html and "og:url" not in html
    gone = factories.activity(status=Status.ARCHIVED)
    response = client.get(gone.get_absolute_url())
    assert response.status_code == 410
    assert 'rel="canonical"' not in response.content.decode()


# --- robots.txt ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_robots_txt_opens_the_catalog_and_closes_private_and_endless_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("User-agent: *\n")
    assert text.rstrip().endswith(f"Sitemap: {SITE}/sitemap.xml")
    for private in (
        "/moderation/",
        "/manage/",
        "/account/",
        "/department/",
        "/upload/",
        "/admin/",
        "/subscriptions/",
    ):
        assert f"Disallow: {private}\n" in text
    # Matched the way Google reads robots.txt (prefix, «*» for anything); urllib's parser drops
    # the «?» of «/search/?» and so cannot check these rules.
    rules = [
        re.compile(re.escape(line.split(": ", 1)[1]).replace(r"\*", ".*"))
        for line in text.splitlines()
        if line.startswith("Disallow: ")
    ]

    def allowed(path: str) -> bool:
        return not any(rule.match(path) for rule in rules)

    for path in ("/", "/activities/12-shakhmaty/", "/organizations/3-ddt/", "/events/", "/events/5/", "/search/",
                 "/data/", "/data/kruzhok-catalog.csv", "/categories/chess/?page=2", "/sitemap.xml"):  # fmt: skip
        assert allowed(path), path
    for path in ("/moderation/", "/manage/organizations/1/", "/account/login/", "/search/?q=футбол",
                 "/events/?from=2030-01-01", "/upload/department/education/", "/activities/12-x/suggest/",
                 "/activities/12/report/", "/organizations/3/claim/"):  # fmt: skip
        assert not allowed(path), path


# --- sitemaps ------------------------------------------------------------------------------


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(SiteSitemap, "limit", 2)


@pytest.mark.django_db
def test_sitemap_index_pages_each_section_and_sections_list_only_public_entries(client, small_pages):
    org = factories.organization(name="ДДТ")
    live = [factories.activity(organization=org, slots=[]) for _ in range(3)]
    draft = factories.activity(organization=org, status=Status.DRAFT, slots=[])
    archived = factories.activity(organization=org, status=Status.ARCHIVED, slots=[])
    hidden_org = factories.organization(name="Черновик", status=Status.DRAFT)
    ev = event(org)
    event(hidden_org)  # its organization is not public: neither is its event page

    index = locs(client.get("/sitemap.xml"))
    assert index == [
        f"{SITE}/sitemap-activities.xml",
        f"{SITE}/sitemap-activities.xml?p=2",
        f"{SITE}/sitemap-organizations.xml",
        f"{SITE}/sitemap-events.xml",
        f"{SITE}/sitemap-pages.xml",
    ] + [f"{SITE}/sitemap-pages.xml?p={n}" for n in range(2, len(index) - 3)]
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)
    assert root.find("s:sitemap/s:lastmod", NS) is not None  # the activities section's latest change

    first, second = client.get("/sitemap-activities.xml"), client.get("/sitemap-activities.xml?p=2")
    listed = locs(first) + locs(second)
    assert listed == [SITE + a.get_absolute_url() for a in live]
    assert SITE + draft.get_absolute_url() not in listed and SITE + archived.get_absolute_url() not in listed
    lastmods = ElementTree.fromstring(first.content).findall(".//s:lastmod", NS)
    assert [node.text for node in lastmods] == [
        timezone.localdate(a.updated_at).isoformat() for a in live[:2]
    ]

    assert locs(client.get("/sitemap-organizations.xml")) == [SITE + org.get_absolute_url()]
    assert locs(client.get("/sitemap-events.xml")) == [SITE + ev.get_absolute_url()]
    pages = [
        loc
        for n in range(1, 60)
        if (r := client.get(f"/sitemap-pages.xml?p={n}")).status_code == 200
        for loc in locs(r)
    ]
    for path in ("/", "/search/", "/events/", "/data/", "/directions/sport/", "/categories/chess/"):
        assert SITE + path in pages, path


@pytest.mark.django_db
def test_sitemap_sections_cost_the_same_queries_whatever_their_size(client):
    org = factories.organization()
    factories.activity(organization=org, slots=[])
    with CaptureQueriesContext(connection) as small:
        client.get("/sitemap-activities.xml")
    for _ in range(15):
        factories.activity(organization=org, slots=[])
    with CaptureQueriesContext(connection) as large:
        response = client.get("/sitemap-activities.xml")
    assert len(locs(response)) == 16
    assert len(large) == len(small)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/sitemap-activities.xml?p=abc",
        "/sitemap-activities.xml?p=0",
        "/sitemap-activities.xml?p=-1",
        "/sitemap-activities.xml?p=99999999999999999999999",
        "/sitemap-nothing.xml",
        "/sitemap-%3Cscript%3E.xml",
    ],
)
def test_bad_sitemap_addresses_are_not_found(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


@pytest.mark.django_db
def test_sitemaps_and_robots_take_no_posts(client):
    for url in ("/robots.txt", "/sitemap.xml", "/sitemap-pages.xml"):
        assert client.post(url).status_code == 405
