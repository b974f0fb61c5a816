"""The normalization shared by the build and the geocoder."""

import pytest

from kruzhok.places.addresses import parse_house, split_house, street_aliases, street_key


@pytest.mark.parametrize(
    ("text", "key", "display"),
    [
        ("10", "10", "10"),
        ("4А", "4а", "4А"),
        ("10 а", "10а", "10А"),
        ("10-а", "10а", "10А"),
        ("13/1", "13/1", "13/1"),
        ("1 к4", "1к4", "1 к4"),
        ("д.10 корп.2", "10к2", "10 к2"),
        ("дом 10, корпус 2", "10к2", "10 к2"),
        ("10 стр. 3", "10с3", "10 стр3"),
        ("1А к1", "1ак1", "1А к1"),
    ],
)
def test_house_numbers_reduce_to_one_key(text, key, display):
    house = parse_house(text)
    assert house is not None
    assert (house.key, house.display) == (key, display)


@pytest.mark.parametrize("text", ["", "abc", "улица", "к2"])
def test_text_without_a_number_is_not_a_house(text):
    assert parse_house(text) is None


def test_split_house_keeps_numbered_street_names_whole():
    assert split_house("3 транспортная") == ("3 транспортная", None)
    street, house = split_house("3 транспортная 4")
    assert street == "3 транспортная" and house is not None and house.key == "4"


@pytest.mark.parametrize(
    ("name", "core", "types"),
    [
        ("улица Лукашевича", "лукашевича", {"улица"}),
        ("ул. Лукашевича", "лукашевича", {"улица"}),
        ("3-я Транспортная улица", "3 транспортная", {"улица"}),
        ("3я Транспортная", "3 транспортная", set()),
        ("улица 10 лет Октября", "10 лет октября", {"улица"}),
        ("улица В.Иванова", "иванова", {"улица"}),
        ("пр-т Мира", "мира", {"проспект"}),
        ("пр. Мира", "мира", {"проспект", "проезд"}),
        ("Заречный б-р", "заречный", {"бульвар"}),
        ("улица Ильичёва", "ильичева", {"улица"}),
    ],
)
def test_street_key_drops_type_words_and_normalizes_ordinals(name, core, types):
    key = street_key(name)
    assert key.core == core
    assert key.types == frozenset(types)


def test_aliases_drop_first_names_and_titles():
    assert street_aliases("улица Маршала Жукова") == ["маршала жукова", "жукова"]
    assert street_aliases("проспект Карла Маркса") == ["карла маркса", "маркса"]
    assert street_aliases("улица Лукашевича") == ["лукашевича"]
