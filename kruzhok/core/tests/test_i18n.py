"""English as a visitor chooses it: the interface speaks English, the catalog keeps its own words.

Catalog content (titles, addresses, okrug names) stays Russian in English; everything else on a
page comes from the en catalogue, so any Cyrillic word that is not catalog content is a string
somebody forgot to translate.
"""

from __future__ import annotations

import ast
import gettext
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from kruzhok.catalog.models import Activity, Category, Department, Direction, Group, Organization, Venue
from kruzhok.catalog.templatetags import catalog_tags
from kruzhok.catalog.tests import factories
from kruzhok.places.models import District

EN_PO = Path(settings.BASE_DIR) / "kruzhok" / "locale" / "en" / "LC_MESSAGES" / "django.po"
CYRILLIC_WORD = re.compile(r"[А-Яа-яЁё]+")
PERCENT_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")
BRACE_PLACEHOLDER = re.compile(r"\{(\w*)(?:![rsa])?(?::[^{}]*)?\}")


@pytest.fixture(autouse=True)
def _fresh_counts_cache():
    # Home counts are cached across requests; each test starts from its own catalog.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english(client):
    """A parent who pressed «English» in the header (the language cookie, as a browser keeps it)."""
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.fixture
def chess_club(db):
    kirovsky = factories.okrug_row("Кировский")
    org = factories.organization(
        name="Дворец творчества «Сибирь»",
        phone="+7 (3812) 55-12-34",
        email="info@sibir.example",
        website="https://sibir.example/",
        inn="5501234567",
        description="Городской дворец творчества.",
        kind="public",
        verified=True,
        department=Department.objects.first(),
    )
    venue = factories.venue(
        org,
        address="улица Лукашевича, 14",
        district=kirovsky,
        microdistrict=factories.microdistrict_row("Левобережье", okrug=kirovsky),
    )
    return factories.activity(
        organization=org,
        venue=venue,
        title="Шахматная школа «Ладья»",
        categories=["chess"],
        description="Дебюты, эндшпиль и турниры.",
        price_rub=2500,
        price_note="первое занятие бесплатно",
        ovz=True,
        enrollment="waitlist",
        verified_at=datetime(2026, 3, 12, 10, 0, tzinfo=ZoneInfo("Asia/Omsk")),
    )


def _content_words() -> set[str]:
    """Every Cyrillic word that catalog data, not the interface, may put on a page."""
    texts: list[str] = [settings.CITY_NAME, "Русский"]  # the switch names each language in itself
    for model, fields in (
        (Activity, ("title", "description", "price_note")),
        (Organization, ("name", "description")),
        (Venue, ("name", "address")),
        (Group, ("name", "teacher")),
        (District, ("name",)),
        (Department, ("name",)),
    ):
        for row in model.objects.values_list(*fields):
            texts.extend(value for value in row if value)
    # Taxonomy names are content only where no English name exists yet.
    for taxonomy in (Direction, Category):
        texts.extend(taxonomy.objects.filter(name_en="").values_list("name_ru", flat=True))
    return {word.lower() for text in texts for word in CYRILLIC_WORD.findall(text)}


def _untranslated_words(html: str, query: str = "") -> set[str]:
    content = _content_words() | {word.lower() for word in CYRILLIC_WORD.findall(query)}
    return {
        word
        for word in (w.lower() for w in CYRILLIC_WORD.findall(html))
        if word not in content and not any(c.startswith(word) for c in content)  # truncated text
    }


def _pages(activity: Activity) -> list[str]:
    kirovsky = District.objects.get(name="Кировский", kind="okrug")
    return [
        "/",
        "/search/",
        "/search/?q=шахматы&where=Кировский&age=9&free=0&ovz=1&day=mon",
        "/search/?q=ничего-такого-нет",
        "/search/?age=99&where=Атлантида",
        activity.get_absolute_url(),
        activity.organization.get_absolute_url(),
        activity.direction.get_absolute_url(),
        "/categories/chess/",
        f"/districts/{kirovsky.slug}/",
        "/no-such-page/",
    ]


def test_english_choice_puts_english_labels_in_header_search_and_footer(english, chess_club):
    html = english.get("/").content.decode()
    assert '<html lang="en">' in html
    for label in (
        ">Skip to content</a>",
        'aria-label="Main menu"',
        ">Search</a>",
        ">Directions</a>",
        "Find an activity for your child",
        ">What does your child want to do<",
        'placeholder="football, drawing, chess…"',
        ">Child's age<",
        ">Search</button>",
        ">Okrugs<",
        "1 activity",
        "Address data:",
        "© OpenStreetMap contributors, ODbL",
    ):
        assert label in html.replace("&#x27;", "'"), label


def test_english_activity_page_shows_english_facts_schedule_and_contacts(english, chess_club):
    html = english.get(chess_club.get_absolute_url()).content.decode()
    for label in (
        ">Home</a>",
        "7–12 years",
        "2\u00a0500 ₽/month",
        "In a group",
        "Waiting list",
        "For children with disabilities",
        ">Schedule<",
        ">Mon<",
        ">Wed<",
        "Report a problem",
        "Data checked on 12 March 2026",
        ">Phone:<",
        ">Organisation:<",
    ):
        assert label.lower() in html.lower(), label


def test_english_search_page_shows_english_filters_and_errors(english, chess_club):
    html = english.get("/search/?age=99").content.decode()
    assert ">More filters<" in html.replace('<span class="filter-count" id="extra-filter-count"></span>', "")
    assert "Free only" in html and ">Whole city<" in html
    assert "1 activity found" in html or "0 activities found" in html
    assert "Age is a whole number of years from 0 to 18" in html


def test_english_pages_have_no_untranslated_interface_text(english, chess_club):
    factories.activity(title="Футбол для малышей", age_min=3, age_max=4, price_rub=0, format="online")
    for url in _pages(chess_club):
        response = english.get(url)
        assert response.status_code in (200, 404), url
        assert _untranslated_words(response.content.decode(), query=unquote(url)) == set(), url


def test_russian_pages_are_russian_before_any_choice(client, chess_club):
    html = client.get("/").content.decode()
    assert '<html lang="ru">' in html and "Найдите кружок для ребёнка" in html


def test_accept_language_header_alone_keeps_russian(client, chess_club):
    html = client.get(chess_club.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="ru">' in html
    assert "Расписание" in html and ">Schedule<" not in html


def test_choosing_russian_again_brings_russian_back(english, chess_club):
    english.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    html = english.get("/search/").content.decode()
    assert '<html lang="ru">' in html and "Ещё фильтры" in html


@pytest.mark.parametrize(
    ("age_min", "age_max", "russian", "english"),
    [
        (7, 12, "7–12 лет", "7–12 years"),
        (3, 4, "3–4 года", "3–4 years"),
        (None, 1, "1 год", "1 year"),
        (None, 21, "21 год", "21 years"),
        (5, None, "от 5 лет", "5+ years"),
        (1, None, "от 1 года", "1+ years"),
    ],
)
def test_ages_read_right_in_both_languages(age_min, age_max, russian, english):
    with translation.override("ru"):
        assert catalog_tags.ages(age_min, age_max) == russian
    with translation.override("en"):
        assert catalog_tags.ages(age_min, age_max) == english


@pytest.mark.parametrize(
    ("n", "russian", "english"),
    [
        (1, "1 занятие", "1 activity"),
        (2, "2 занятия", "2 activities"),
        (5, "5 занятий", "5 activities"),
        (11, "11 занятий", "11 activities"),
        (22, "22 занятия", "22 activities"),
        (1234, "1\u00a0234 занятия", "1\u00a0234 activities"),
    ],
)
def test_activity_counts_use_russian_and_english_plurals(n, russian, english):
    with translation.override("ru"):
        assert catalog_tags.count_activities(n) == russian
        assert catalog_tags.count_found(n) == f"Найдено {russian}"
    with translation.override("en"):
        assert catalog_tags.count_activities(n) == english
        assert catalog_tags.count_found(n) == f"{english} found"


def _po_entries(path: Path) -> list[dict[str, object]]:
    """The .po file's entries: flags, msgid, msgid_plural and msgstr (a list for plural entries)."""
    entries: list[dict[str, object]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, object] = {"flags": set(), "msgstr": []}
        key = ""
        for line in block.splitlines():
            if line.startswith("#~"):
                key = ""
                continue
            if line.startswith("#,"):
                entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
                continue
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith('"'):
                piece = ast.literal_eval(line)
            else:
                key, _, quoted = line.partition(" ")
                piece = ast.literal_eval(quoted)
            if key.startswith("msgstr"):
                strings = entry["msgstr"]
                assert isinstance(strings, list)
                if line.startswith("msgstr"):
                    strings.append("")
                strings[-1] += piece
            else:
                entry[key] = str(entry.get(key, "")) + piece
        if "msgid" in entry:
            entries.append(entry)
    return entries


def _placeholders(text: str, flags: object) -> list[str]:
    assert isinstance(flags, set)
    found: list[str] = []
    if "python-format" in flags:
        found += sorted(PERCENT_PLACEHOLDER.findall(text))
    if "python-brace-format" in flags:
        found += sorted(BRACE_PLACEHOLDER.findall(text))
    return found


def test_english_catalogue_is_complete_with_matching_placeholders():
    entries = _po_entries(EN_PO)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    header_text = header["msgstr"][0]  # type: ignore[index]
    assert "Language: en\n" in header_text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header_text
    assert "charset=UTF-8" in header_text
    assert len(messages) > 250
    for entry in messages:
        msgid, strings = str(entry["msgid"]), entry["msgstr"]
        assert isinstance(strings, list)
        assert "fuzzy" not in entry["flags"], msgid  # type: ignore[operator]
        assert strings and all(strings), f"untranslated: {msgid!r}"
        assert len(strings) == (2 if "msgid_plural" in entry else 1), msgid
        for text in strings:
            assert _placeholders(text, entry["flags"]) == _placeholders(msgid, entry["flags"]), msgid
            # Russian words the reader must type (import values, examples) are quoted «like this».
            assert not CYRILLIC_WORD.search(re.sub(r"«[^»]*»", "", text)), f"Cyrillic left in {text!r}"


def test_compiled_catalogue_matches_the_po_file():
    """The .mo ships in the repo (servers may lack gettext tools), so it must not lag the .po."""
    with EN_PO.with_suffix(".mo").open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    for entry in _po_entries(EN_PO)[1:]:
        msgid, strings = str(entry["msgid"]), entry["msgstr"]
        assert isinstance(strings, list)
        if "msgid_plural" in entry:
            plural = str(entry["msgid_plural"])
            assert compiled.ngettext(msgid, plural, 1) == strings[0], msgid
            assert compiled.ngettext(msgid, plural, 5) == strings[1], msgid
        else:
            assert compiled.gettext(msgid) == strings[0], msgid
