"""district_for(): the District row an importer's «district» column refers to."""

import pytest

from kruzhok.places.models import District
from kruzhok.places.selectors import district_for

pytestmark = pytest.mark.django_db


def test_the_data_migration_creates_five_okrugs_and_their_microdistricts():
    okrugs = District.objects.filter(city="Омск", kind=District.Kind.OKRUG)
    assert sorted(okrugs.values_list("slug", flat=True)) == [
        "kirovskiy",
        "leninskiy",
        "oktyabrskiy",
        "sovetskiy",
        "tsentralnyy",
    ]
    moskovka = District.objects.get(kind=District.Kind.MICRODISTRICT, slug="moskovka")
    assert moskovka.parent is not None and moskovka.parent.name == "Ленинский"
    assert District.objects.filter(kind=District.Kind.MICRODISTRICT, parent__isnull=True).count() == 0


@pytest.mark.parametrize(
    "name",
    [
        "Кировский",
        "Кировский округ",
        "кировский АО",
        "КАО",
        "  КИРОВСКИЙ  ",
        "Кировский административный округ",
    ],
)
def test_okrug_spellings_find_the_okrug(name):
    found = district_for(name)
    assert found is not None and found.name == "Кировский" and found.kind == District.Kind.OKRUG


def test_yo_is_e_for_microdistricts():
    found = district_for("Черемушки", kind="microdistrict")
    assert found is not None and found.name == "Черёмушки"
    found = district_for("мкр. Московка", kind=District.Kind.MICRODISTRICT)
    assert found is not None and found.slug == "moskovka"


@pytest.mark.parametrize("name", [None, "", "   ", "Пресненский", "Заельцовский район", "'; DROP TABLE x"])
def test_unknown_names_find_nothing(name):
    assert district_for(name) is None


def test_districts_of_other_cities_match_by_name():
    District.objects.create(
        city="Томск", kind=District.Kind.OKRUG, name="Кировский", slug="kirovskiy", lat=56.4, lon=84.9
    )
    found = district_for("кировский", city="Томск")
    assert found is not None and found.city == "Томск"
    assert district_for("Кировский") != found
