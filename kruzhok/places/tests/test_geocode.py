"""geocode(): the address forms people type, typos, names of areas, and hostile input."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kruzhok.places.gazetteer import House, Precision, geocode, houses

LUK = "улица Лукашевича"
MIRA = "проспект Мира"

# text, precision, OSM street, house (as the data writes it, or as normalized when unlisted), okrug
ADDRESS_FORMS = [
    ("ул. Лукашевича, 10", Precision.HOUSE, LUK, "10", "Кировский"),
    ("Лукашевича 10", Precision.HOUSE, LUK, "10", "Кировский"),
    ("улица Лукашевича д. 10", Precision.HOUSE, LUK, "10", "Кировский"),
    ("улица Лукашевича, дом 10", Precision.HOUSE, LUK, "10", "Кировский"),
    ("Лукашевича, 10а", Precision.HOUSE, LUK, "10А", "Кировский"),
    ("Лукашевича 10 А", Precision.HOUSE, LUK, "10А", "Кировский"),
    ("Лукашевича 10-а", Precision.HOUSE, LUK, "10А", "Кировский"),
    ("Лукашевича 10/1", Precision.STREET, LUK, "10/1", "Кировский"),
    ("Лукашевича 10 к2", Precision.STREET, LUK, "10 к2", "Кировский"),
    ("Лукашевича д.10 корп.2", Precision.STREET, LUK, "10 к2", "Кировский"),
    ("г. Омск, ул. Лукашевича, 10", Precision.HOUSE, LUK, "10", "Кировский"),
    ("644073, г. Омск, ул. Лукашевича, д. 10", Precision.HOUSE, LUK, "10", "Кировский"),
    ("Омская обл., г Омск, Лукашевича 10", Precision.HOUSE, LUK, "10", "Кировский"),
    ("10, ул. Лукашевича", Precision.HOUSE, LUK, "10", "Кировский"),
    ("ЛУКАШЕВИЧА 10", Precision.HOUSE, LUK, "10", "Кировский"),
    ("проспект Мира", Precision.STREET, MIRA, None, "Советский"),
    ("просп. Мира", Precision.STREET, MIRA, None, "Советский"),
    ("пр. Мира 5", Precision.STREET, MIRA, "5", "Советский"),
    ("пр-т Мира, 5", Precision.STREET, MIRA, "5", "Советский"),
    ("Мира пр-т 5", Precision.STREET, MIRA, "5", "Советский"),
    ("пр. Мира, 19", Precision.HOUSE, MIRA, "19", "Советский"),
    ("3-я Транспортная 4", Precision.HOUSE, "3-я Транспортная улица", "4", "Ленинский"),
    ("ул. 3-я Транспортная, д. 4", Precision.HOUSE, "3-я Транспортная улица", "4", "Ленинский"),
    ("3 Транспортная", Precision.STREET, "3-я Транспортная улица", None, "Ленинский"),
    ("бульвар Заречный 8", Precision.STREET, "Заречный бульвар", "8", "Кировский"),
    ("Заречный б-р", Precision.STREET, "Заречный бульвар", None, "Кировский"),
    ("б-р Заречный", Precision.STREET, "Заречный бульвар", None, "Кировский"),
    ("наб. Тухачевского", Precision.STREET, "набережная Тухачевского", None, "Центральный"),
    ("пер. Камерный", Precision.STREET, "Камерный переулок", None, "Октябрьский"),
    ("пл. Ленинградская", Precision.STREET, "Ленинградская площадь", None, "Центральный"),
    ("проезд Гусарова", Precision.STREET, "проезд Гусарова", None, "Центральный"),
    ("2-й Амурский проезд", Precision.STREET, "2-й Амурский проезд", None, "Центральный"),
    ("Красноярский тракт", Precision.STREET, "Красноярский тракт", None, None),
    ("ул. 10 лет Октября", Precision.STREET, "улица 10 лет Октября", None, None),
    ("ул. 22 Апреля, 36", Precision.STREET, "улица 22 Апреля", "36", "Советский"),
    ("ул. Олимпийская 7а", Precision.STREET, "Олимпийская улица", "7А", "Октябрьский"),
    ("Олимпийская, 7", Precision.HOUSE, "Олимпийская улица", "7", "Октябрьский"),
    ("ул. Мельничная 4", Precision.STREET, "Мельничная улица", "4", "Кировский"),
    ("К. Маркса 10", Precision.HOUSE, "проспект Карла Маркса", "10", "Центральный"),
    ("пр. Карла Маркса, 10", Precision.HOUSE, "проспект Карла Маркса", "10", "Центральный"),
    ("ул. Жукова", Precision.STREET, "улица Маршала Жукова", None, "Центральный"),
    ("ул. В. Иванова, 7", Precision.HOUSE, "улица В.Иванова", "7", None),
    ("ул. Ильичёва, 2", Precision.HOUSE, "улица Ильичёва", "2", None),
    ("ул. 1-я Челюскинцев", Precision.STREET, "1-я улица Челюскинцев", None, "Центральный"),
    ("Челюскинцев 1-я", Precision.STREET, "1-я улица Челюскинцев", None, "Центральный"),
    ("ул. 50 лет ВЛКСМ, 5", Precision.STREET, "улица 50-летия ВЛКСМ", "5", None),
    ("ул. Чухновского, 2 лит. Б1", Precision.HOUSE, "улица Чухновского", "2 литБ1", None),
    # The data also holds a village «улица Ленина» 13 km south; the city's is the central one.
    ("ул. Ленина, 18", Precision.STREET, "улица Ленина", "18", "Центральный"),
    ("ул. Ленина, 5", Precision.HOUSE, "улица Ленина", "5", None),
]


@pytest.mark.parametrize(("text", "precision", "street", "house", "okrug"), ADDRESS_FORMS)
def test_address_forms_resolve_to_the_street_and_house(text, precision, street, house, okrug):
    found = geocode(text)
    assert found is not None, text
    assert found.precision == precision
    assert found.street == street
    assert found.house == house
    if okrug:
        assert found.okrug == okrug
    assert found.okrug in {"Центральный", "Советский", "Кировский", "Ленинский", "Октябрьский"}


def test_house_label_uses_osm_street_and_number():
    found = geocode("Лукашевича 10а")
    assert found is not None
    assert found.label == "улица Лукашевича, 10А"
    assert found.microdistrict == "Левобережье"


def test_listed_house_gets_its_own_coordinates():
    found = geocode("Олимпийская 7")
    assert found is not None
    assert (found.lat, found.lon) == pytest.approx((54.974408, 73.472064), abs=1e-5)


def test_unlisted_letter_of_a_listed_number_stands_at_that_number():
    listed, unlisted = geocode("Олимпийская 7"), geocode("Олимпийская 7а")
    assert listed is not None and unlisted is not None
    assert unlisted.precision == Precision.STREET
    assert (unlisted.lat, unlisted.lon) == (listed.lat, listed.lon)


def _gap_on_a_street():
    """A street listing plain numbers n-2 and n+2 but not n, read from the shipped data."""
    numbers: dict[str, dict[str, House]] = {}
    for house in houses():
        numbers.setdefault(house.street, {})[house.house] = house
    for street, listed in sorted(numbers.items()):
        for n in range(3, 200):
            if (
                str(n) not in listed
                and f"{n}А" not in listed
                and str(n - 2) in listed
                and str(n + 2) in listed
            ):
                return street, n, listed[str(n - 2)], listed[str(n + 2)]
    raise AssertionError("the data has no gap to interpolate")


def test_unlisted_house_is_interpolated_between_same_side_neighbours():
    street, n, below, above = _gap_on_a_street()
    found = geocode(f"{street}, {n}")
    assert found is not None
    assert (found.precision, found.street, found.house) == (Precision.STREET, street, str(n))
    assert found.lat == pytest.approx((below.lat + above.lat) / 2, abs=1e-6)
    assert found.lon == pytest.approx((below.lon + above.lon) / 2, abs=1e-6)


def test_unlisted_house_with_no_neighbour_on_its_side_stands_opposite_the_nearest_number():
    first = geocode("Мельничная улица, 1")  # the data's only low number on this street is 1
    found = geocode("ул. Мельничная 4")
    assert first is not None and found is not None
    assert found.precision == Precision.STREET
    assert (found.lat, found.lon) == (first.lat, first.lon)


def test_neighbours_on_a_namesake_street_far_away_are_not_used():
    # OSM lists a village «улица Ленина» 1–9 about 13 km south of the city's own street.
    centre = geocode("улица Ленина")
    found = geocode("ул. Ленина, 12")
    assert centre is not None and found is not None
    assert (found.lat, found.lon) == (centre.lat, centre.lon)
    assert found.okrug == "Центральный"


def test_unlisted_far_number_falls_back_to_the_street_point():
    street, far = geocode("улица Лукашевича"), geocode("Лукашевича 999")
    assert street is not None and far is not None
    assert far.precision == Precision.STREET
    assert (far.lat, far.lon) == (street.lat, street.lon)
    assert far.label == "улица Лукашевича, 999"


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("Лукашевеча 10", LUK),
        ("Лукашевича10", LUK),
        ("ул.Лукашевича,10", LUK),
        ("Лукашевчиа 10", LUK),
        ("Рокосовского", "улица Рокоссовского"),
        ("Масленикова", "улица Масленникова"),
        ("Космически проспект", "Космический проспект"),
        ("Лукашев", LUK),  # a unique prefix
    ],
)
def test_small_typos_and_prefixes_find_the_street(text, street):
    found = geocode(text)
    assert found is not None, text
    assert found.street == street


@pytest.mark.parametrize("text", ["ул. Ильичёва 2", "ул. Ильичева 2", "ИЛЬИЧЁВА 2", "ильичева,2"])
def test_yo_and_ye_are_the_same_letter(text):
    found = geocode(text)
    assert found is not None
    assert (found.street, found.house, found.precision) == ("улица Ильичёва", "2", Precision.HOUSE)


@pytest.mark.parametrize(
    ("text", "okrug"),
    [
        ("Кировский округ", "Кировский"),
        ("кировский АО", "Кировский"),
        ("Кировский административный округ", "Кировский"),
        ("г. Омск, Кировский район", "Кировский"),
        ("Ленинский", "Ленинский"),
        ("ЦАО", "Центральный"),
        ("Советский округ", "Советский"),
        ("Октябрьский", "Октябрьский"),
        ("Центральный", "Центральный"),
    ],
)
def test_okrug_names_resolve_to_the_okrug(text, okrug):
    found = geocode(text)
    assert found is not None
    assert found.precision == Precision.DISTRICT
    assert found.okrug == okrug
    assert found.microdistrict is None and found.street is None
    assert found.label == f"{okrug} округ"


@pytest.mark.parametrize(
    ("text", "micro", "okrug"),
    [
        ("Левобережье", "Левобережье", "Кировский"),
        ("Нефтяники", "Нефтяники", "Советский"),
        ("Городок Нефтяников", "Нефтяники", "Советский"),
        ("мкр. Московка", "Московка", "Ленинский"),
        ("Амурский", "Амурский", "Центральный"),
        ("Старый Кировск", "Старый Кировск", "Кировский"),
        ("Черёмушки", "Черёмушки", "Ленинский"),
        ("Черемушки", "Черёмушки", "Ленинский"),
        ("Порт-Артур", "Порт-Артур", "Ленинский"),
        ("Левобережъе", "Левобережье", "Кировский"),  # a typo in a long name
    ],
)
def test_microdistrict_names_resolve_to_the_microdistrict(text, micro, okrug):
    found = geocode(text)
    assert found is not None
    assert found.precision == Precision.DISTRICT
    assert (found.microdistrict, found.okrug, found.label) == (micro, okrug, micro)


def test_a_street_wins_over_an_okrug_named_in_the_same_address():
    found = geocode("Омск, Кировский округ, ул. Лукашевича, 10")
    assert found is not None
    assert found.precision == Precision.HOUSE and found.street == LUK


@pytest.mark.parametrize(
    "text",
    [
        "ул. Несуществующая, 5",
        "Тверская 7",  # a Moscow street
        "Мирa",  # Latin a: not «Мира», and too short for a typo
        "Лира 5",  # one letter from «Мира», but a different first letter
        "Транспортная 4",  # there are 2-я, 3-я and 4-я: ambiguous
        "Нью-Йорк",
        "hello world",
        "12345",
        "д. 10",
    ],
)
def test_unknown_text_gives_none(text):
    assert geocode(text) is None


def test_other_cities_are_not_geocoded():
    assert geocode("ул. Лукашевича, 10", city="Новосибирск") is None
    assert geocode("ул. Лукашевича, 10", city="г. Омск") is not None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\x00\x01",
        "😀🎉",
        "'; DROP TABLE places_district; --",
        "1" * 10_000,
        "ул. " * 3_000,
        "Лукашевича " + "9" * 5000,
        "<script>alert(1)</script>",
        ",,,;;;",
        "д. к. корп. стр. лит.",
        "-------",
        "/ / / /",
    ],
)
def test_hostile_input_never_raises(text):
    assert geocode(text) is None or geocode(text).precision in set(Precision)


def test_ten_kilobytes_of_junk_around_an_address_still_finds_nothing_wrong():
    # How long it takes is measured by bench/geocode.py.
    found = geocode("ул. Лукашевича, 10 " + "ж" * 10_000)
    assert found is None or found.precision in set(Precision)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_geocode_never_raises_on_arbitrary_text(text):
    found = geocode(text)
    assert found is None or isinstance(found.lat, float)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["ул.", "улица", "пр-т", "б-р", "", "д.", "корп.", "к", "/", ",", "-", "3-я"]),
    st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюя0123456789 -/.,", max_size=40),
)
def test_geocode_never_raises_on_address_like_text(prefix, text):
    geocode(f"{prefix} {text}")
