"""Address suggestions for the search page's «где» field, from the shipped Omsk gazetteer."""

from __future__ import annotations

import pytest

from kruzhok.places.gazetteer import geocode, suggest


def test_a_street_prefix_suggests_the_street_and_okrugs_first():
    found = suggest("лени")
    assert "ул. Ленина" in found
    assert found[0] == "Ленинский округ"  # okrugs, then microdistricts, then streets
    assert len(found) <= 8


def test_the_house_number_typed_is_kept_on_street_suggestions():
    assert suggest("ул. Ленина 10")[0] == "ул. Ленина, 10"
    assert suggest("Лукашевича, 14")[0] == "ул. Лукашевича, 14"


def test_case_and_yo_do_not_matter():
    assert suggest("ЛЕВОБЕР") == suggest("левобер") == ["мкр Левобережье"]
    assert "ул. Краснознамённая" in suggest("красноЗНАМЕН")


def test_every_typed_word_must_fit_the_name():
    assert "ул. 20 лет РККА" in suggest("лет ркка")
    assert suggest("ленина ркка") == []


@pytest.mark.parametrize(("typed", "meant"), [("ленна", "ул. Ленина"), ("лукашевеча", "ул. Лукашевича")])
def test_a_typo_still_finds_the_street_when_nothing_starts_with_it(typed, meant):
    assert meant in suggest(typed)


def test_short_words_are_not_guessed_at():
    # Four letters with a typo are as likely another name: no fuzzy guesses for them.
    assert suggest("лнин") == []


def test_every_suggestion_geocodes():
    for text in ["лени", "левобер", "ул. Ленина 10", "советский", "ленна"]:
        for label in suggest(text):
            assert geocode(label) is not None, label


@pytest.mark.parametrize("text", ["", " ", "ул.", "12", ",,,", "д. 5", "<script>", "\x00", "\u202e"])
def test_nothing_placelike_typed_gives_no_suggestions(text):
    assert suggest(text) == []


def test_a_pasted_page_is_cut_and_does_not_fail():
    assert suggest("ленина " * 2000)[:1] == ["ул. Ленина"]
    assert suggest(None) == []  # type: ignore[arg-type]


def test_a_city_without_a_gazetteer_gives_no_suggestions():
    assert suggest("ленина", city="Тара") == []
