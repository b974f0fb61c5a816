"""What machines read on the activity and organization pages: JSON-LD, Open Graph, canonical URLs."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from kruzhok.catalog import selectors
from kruzhok.catalog.models import Activity, Department, Group
from kruzhok.catalog.structured_data import activity_json_ld
from kruzhok.catalog.tests import factories

pytestmark = pytest.mark.django_db

SITE = "https://kruzhok.example"
HOSTILE = '</script><script>alert("x")</script><!-- «Шахматы» & </SCRIPT >'


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def json_ld_blocks(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return [json.loads(block) for block in blocks]


def meta(html: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    return unescape(found.group(1)) if found else None


def canonical(html: str) -> str | None:
    found = re.search(r'<link rel="canonical" href="([^"]*)">', html)
    return unescape(found.group(1)) if found else None


@pytest.fixture
def chess(db):
    kirovsky = factories.okrug_row("Кировский")
    org = factories.organization(
        name="Дворец творчества «Сибирь»",
        phone="+7 (3812) 55-12-34",
        email="info@sibir.example",
        website="https://sibir.example/",
        inn="5501234567",
        description="Городской дворец детского творчества.",
        department=Department.objects.get(slug="education"),
    )
    venue = factories.venue(org, address="улица Лукашевича, 14", district=kirovsky, name="Главный корпус")
    activity = factories.activity(
        organization=org,
        venue=venue,
        title="Шахматная школа «Ладья»",
        direction_slug="social",
        categories=["chess"],
        age_min=7,
        age_max=12,
        price_rub=2500,
        price_note="скидка для многодетных",
        slots=[(0, "15:00", "16:30"), (2, "15:00", "16:30"), (5, "10:00", "11:00")],
    )
    Group.objects.filter(activity=activity).update(teacher="Иванова А. П.", age_min=7, age_max=9)
    return activity


def test_activity_page_describes_a_course_with_schedule_place_and_monthly_price(client, chess):
    html = client.get(chess.get_absolute_url()).content.decode()
    [course] = json_ld_blocks(html)
    url = SITE + chess.get_absolute_url()
    assert course["@context"] == "https://schema.org"
    assert course["@type"] == "Course"
    assert course["@id"] == url + "#course"
    assert course["url"] == url
    assert course["name"] == "Шахматная школа «Ладья»"
    assert course["description"].startswith("Тренировки для начинающих")
    assert course["typicalAgeRange"] == "7-12"
    assert course["audience"] == {"@type": "PeopleAudience", "suggestedMinAge": 7, "suggestedMaxAge": 12}
    assert course["provider"]["@type"] == "EducationalOrganization"
    assert course["provider"]["name"] == "Дворец творчества «Сибирь»"
    assert course["provider"]["url"] == SITE + chess.organization.get_absolute_url()
    assert course["provider"]["sameAs"] == ["https://sibir.example/"]
    [offer] = course["offers"]
    assert offer["category"] == "Subscription"
    assert (offer["price"], offer["priceCurrency"]) == (2500, "RUB")
    assert offer["priceSpecification"]["referenceQuantity"]["unitCode"] == "MON"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["description"] == "скидка для многодетных"
    assert course["isAccessibleForFree"] is False
    [instance] = course["hasCourseInstance"]
    assert instance["@type"] == "CourseInstance"
    assert instance["courseMode"] == "Onsite"
    assert instance["typicalAgeRange"] == "7-9"
    assert instance["instructor"] == {"@type": "Person", "name": "Иванова А. П."}
    location = instance["location"]
    assert location["name"] == "Главный корпус"
    assert location["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "улица Лукашевича, 14",
        "addressLocality": "Омск",
    }
    assert location["geo"] == {"@type": "GeoCoordinates", "latitude": 54.9947, "longitude": 73.2739}
    assert location["containedInPlace"]["name"] == "Кировский"
    # Monday and Wednesday at the same hours are one Schedule; Saturday is another.
    assert instance["courseSchedule"] == [
        {
            "@type": "Schedule",
            "byDay": ["https://schema.org/Monday", "https://schema.org/Wednesday"],
            "startTime": "15:00",
            "endTime": "16:30",
            "duration": "PT1H30M",
            "repeatFrequency": "P1W",
            "scheduleTimezone": "Asia/Omsk",
        },
        {
            "@type": "Schedule",
            "byDay": ["https://schema.org/Saturday"],
            "startTime": "10:00",
            "endTime": "11:00",
            "duration": "PT1H",
            "repeatFrequency": "P1W",
            "scheduleTimezone": "Asia/Omsk",
        },
    ]


def test_free_online_activity_without_timetable_or_description(client):
    activity = factories.activity(
        title="Программирование на Python",
        direction_slug="technical",
        categories=["programming"],
        price_rub=0,
        format=Activity.Format.ONLINE,
        website="https://learn.example/python",
        description="",
        enrollment=Activity.Enrollment.WAITLIST,
        slots=[],
    )
    html = client.get(activity.get_absolute_url()).content.decode()
    [course] = json_ld_blocks(html)
    [offer] = course["offers"]
    assert (offer["category"], offer["price"], offer["priceCurrency"]) == ("Free", 0, "RUB")
    assert "priceSpecification" not in offer
    assert offer["availability"] == "https://schema.org/LimitedAvailability"
    assert course["isAccessibleForFree"] is True
    [instance] = course["hasCourseInstance"]
    assert instance["courseMode"] == "Online"
    assert instance["location"] == {"@type": "VirtualLocation", "url": "https://learn.example/python"}
    assert "courseSchedule" not in instance
    # No description written: a summary stands in, on the page's meta tags too.
    assert course["description"].startswith("Программирование на Python — Техническая, 7–12 лет, бесплатно.")
    assert meta(html, "description") == course["description"]


def test_a_hostile_title_cannot_leave_the_json_ld_block(client):
    activity = factories.activity(title=HOSTILE, description=HOSTILE)
    html = client.get(activity.get_absolute_url()).content.decode()
    head = html.split("</head>")[0]
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', head, re.DOTALL)
    assert block is not None
    assert "<" not in block.group(1)  # so no </script> and no <!-- inside
    data = json.loads(block.group(1))
    assert data["name"] == HOSTILE and data["description"] == HOSTILE
    # Exactly one script element in <head>: nothing broke out into a second one.
    assert head.lower().count("<script") == 1
    assert meta(html, "og:title") == HOSTILE


def test_activity_page_has_open_graph_twitter_and_a_canonical_url_without_tracking(client, chess):
    path = chess.get_absolute_url()
    html = client.get(path + "?utm_source=vk&utm_campaign=spring&page=1").content.decode()
    url = SITE + path
    assert canonical(html) == url
    assert meta(html, "og:url") == url
    assert meta(html, "og:title") == "Шахматная школа «Ладья»"
    assert meta(html, "og:type") == "website"
    assert meta(html, "og:locale") == "ru_RU"
    assert meta(html, "og:site_name") == "Кружок"
    assert meta(html, "twitter:card") == "summary"
    assert meta(html, "twitter:title") == "Шахматная школа «Ладья»"
    assert meta(html, "og:description") == meta(html, "description")
    assert "og:image" not in html  # no photos yet and no default image (see README)


def test_long_descriptions_are_trimmed_for_previews(client):
    activity = factories.activity(description="Очень подробное описание занятия.\n\n" * 40)
    html = client.get(activity.get_absolute_url()).content.decode()
    description = meta(html, "og:description")
    assert description is not None
    assert len(description) <= 200 and description.endswith("…")
    assert "\n" not in description and "  " not in description
    # JSON-LD keeps the whole text.
    assert json_ld_blocks(html)[0]["description"] == activity.description


def test_wrong_slug_redirects_permanently_to_the_canonical_url(client, chess):
    response = client.get(f"/activities/{chess.pk}-old-title/")
    assert response.status_code == 301
    assert response["Location"] == chess.get_absolute_url()
    org = chess.organization
    response = client.get(f"/organizations/{org.pk}-wrong/")
    assert response.status_code == 301
    assert response["Location"] == org.get_absolute_url()


def test_english_visitors_get_the_english_locale(client, chess):
    client.cookies["django_language"] = "en"
    html = client.get(chess.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert meta(html, "og:locale") == "en_US"


def test_building_the_course_reads_nothing_more_from_the_database(chess, django_assert_num_queries):
    activity = selectors.activity_for_page(chess.pk)
    assert activity is not None
    with django_assert_num_queries(0):
        activity_json_ld(activity)


def test_organization_page_describes_the_organization_with_places_and_contacts(client, chess, settings):
    settings.CATALOG_PAGE_SIZE = 1
    org = chess.organization
    factories.venue(org, address="проспект Мира, 5", lat=None, lon=None, district=None)
    factories.activity(organization=org, venue=chess.venue)
    html = client.get(org.get_absolute_url() + "?page=2&fbclid=abc").content.decode()
    [data] = json_ld_blocks(html)
    url = SITE + org.get_absolute_url()
    assert data["@type"] == "EducationalOrganization"
    assert data["@id"] == url + "#organization"
    assert data["url"] == url
    assert data["name"] == "Дворец творчества «Сибирь»"
    assert data["description"] == "Городской дворец детского творчества."
    assert data["sameAs"] == ["https://sibir.example/"]
    assert data["taxID"] == "5501234567"
    assert data["telephone"] == "+7 (3812) 55-12-34"
    assert data["contactPoint"] == [
        {
            "@type": "ContactPoint",
            "contactType": "customer service",
            "availableLanguage": "ru",
            "telephone": "+7 (3812) 55-12-34",
            "email": "info@sibir.example",
        }
    ]
    # Every venue, in the page's order (by address); the first is the organization's address.
    addresses = [place["address"]["streetAddress"] for place in data["location"]]
    assert addresses == sorted(v.address for v in org.venues.all())
    assert addresses[0] == "проспект Мира, 5" and "улица Лукашевича, 14" in addresses
    assert data["address"] == data["location"][0]["address"]
    assert "geo" not in data["location"][0] and "geo" in data["location"][1]
    assert data["parentOrganization"]["@type"] == "GovernmentOrganization"
    # A list page keeps its page number in the canonical URL and drops the rest; a page past
    # the end shows (and names) the last one.
    assert canonical(html) == url + "?page=2"
    assert canonical(client.get(org.get_absolute_url() + "?page=7").content.decode()) == url + "?page=2"
    assert meta(html, "og:title") == "Дворец творчества «Сибирь»"


def test_organization_without_description_gets_a_summary(client):
    org = factories.organization(name="Студия «Кисточка»", kind="private")
    factories.activity(organization=org)
    html = client.get(org.get_absolute_url()).content.decode()
    assert (
        meta(html, "description") == "Студия «Кисточка» (частная): 1 занятие для детей в каталоге «Кружок»."
    )
    [data] = json_ld_blocks(html)
    assert "description" not in data and "contactPoint" not in data and "sameAs" not in data
