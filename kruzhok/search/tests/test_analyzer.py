"""The search analyzer on the demo catalogue's own words: no database.

The vocabulary is built the way the index builds it (one shown word and a document frequency
per stem) from every sentence the demo generator writes activities with, plus the category
taxonomy; the thesaurus from the same taxonomy rows the Category table holds.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kruzhok.catalog.demo import vocabulary as demo
from kruzhok.search import thesaurus as curated
from kruzhok.search.analyzer import (
    FILLER_WORDS,
    MAX_CONCEPTS,
    STOP_WORDS,
    AnalyzedQuery,
    Concept,
    Thesaurus,
    Vocabulary,
    analyze_query,
    build_thesaurus,
    index_terms,
    normalize,
    stem,
    surface_words,
    tokenize,
)

taxonomy = importlib.import_module("kruzhok.catalog.migrations.0002_taxonomy")

SAFE = re.compile(r"^[0-9a-zа-я]+$")


def category_rows() -> list[tuple[str, str, list[str]]]:
    return [(ru, en, list(syn)) for rows in taxonomy.CATEGORIES.values() for _slug, ru, en, syn in rows]


def demo_texts() -> list[str]:
    """One "document" per sentence, title and name the demo catalogue is generated from."""
    texts: list[str] = []
    for topic in demo.TOPICS.values():
        texts += [*topic.titles, *topic.intro, *topic.names, *topic.results, *topic.bring]
    for blocks in (demo.FAMILY_PROGRAMME, demo.FAMILY_RESULTS, demo.FAMILY_BRING):
        for lines in blocks.values():
            texts += lines
    texts += [*demo.TEACHER_LINES, *demo.COACH_LINES, *demo.OVZ_LINES, *demo.GENERIC_INTRO]
    for ru, en, synonyms in category_rows():
        texts += [ru, en, *synonyms]
    for _slug, ru, en, _position in taxonomy.DIRECTIONS:
        texts += [ru, en]
    return texts


def build_vocabulary(texts: list[str]) -> Vocabulary:
    """As the index does it: per stem, the shortest word seen and the number of documents."""
    df: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for text in texts:
        pairs = dict(surface_words(text))
        df.update(pairs.keys())
        for stem_, word in pairs.items():
            if stem_ not in shown or len(word) < len(shown[stem_]):
                shown[stem_] = word
    return Vocabulary(((s, shown[s], n) for s, n in df.items()), total_docs=len(texts))


@cache
def vocabulary() -> Vocabulary:
    return build_vocabulary(demo_texts())


@cache
def thesaurus() -> Thesaurus:
    return build_thesaurus(category_rows())


def analyze(q: str) -> AnalyzedQuery:
    return analyze_query(q, vocabulary=vocabulary(), thesaurus=thesaurus())


def only(q: str) -> Concept:
    concepts = analyze(q).concepts
    assert len(concepts) == 1, concepts
    return concepts[0]


def stems(*words: str) -> set[str]:
    return {stem(normalize(w)) for w in words}


# --- normalization --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Мини-футбол", "мини футбол"),
        ("3D-моделирование", "3d моделирование"),
        ("ЁЛКА, Ёжик", "елка ежик"),
        ("«Шахматы» (7–10 лет)!", "шахматы 7 10 лет"),
        ("За\u0301мок", "замок"),  # a stress mark is not a word break
        ("ро\u00adбот", "робот"),  # nor is a soft hyphen
        ("ｆｕｔｂｏｌ", "futbol"),  # full-width letters (NFKC)
        ("café Noël", "cafe noel"),
        ("pисование", "рисование"),  # Latin «p» among Cyrillic letters
        ("footbаll", "football"),  # Cyrillic «а» among Latin letters
        ("😀футбол😀", "футбол"),
        ('NEAR AND "x" * : ( -', "near and x"),
        ("a\x00b", "a b"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_tokenize_keeps_order_and_cuts_absurd_words() -> None:
    assert tokenize("Робототехника, LEGO и Arduino") == ["робототехника", "lego", "и", "arduino"]
    assert [len(w) for w in tokenize("я" * 500 + " кот")] == [40, 3]


# --- stemming -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forms",
    [
        ("шахматы", "шахматный", "шахматам", "шахматной", "шахматном"),
        ("футбол", "футбола", "футбольный", "футбольная"),
        ("музыка", "музыкальный", "музыкальной"),
        ("спорт", "спортивный", "спортивная"),
        ("театр", "театральный"),
        ("танцы", "танцевальный"),
        ("вокал", "вокальный", "вокальная"),
        ("хоккей", "хоккейный"),
        ("хореография", "хореографический"),
        ("математика", "математический"),
        ("робототехника", "робототехнический"),
        ("robotics", "robot", "robots"),
        ("dance", "dancing"),
    ],
)
def test_forms_of_one_interest_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len(stems(*forms)) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("физика", "физический"),  # «физическая подготовка» is not physics
        ("physics", "physical"),  # nor is «Physical culture and sport»
        ("летний", "лет"),  # the adjective suffix never comes off down to a colliding stem
        ("шахматы", "шашки"),
    ],
)
def test_different_words_keep_different_stems(a: str, b: str) -> None:
    assert stem(a) != stem(b)


def test_short_words_and_numbers_are_their_own_stem() -> None:
    # Snowball would make «изо» into «из», a preposition.
    assert [stem(w) for w in ("изо", "ушу", "хор", "го", "2024", "3d")] == [
        "изо",
        "ушу",
        "хор",
        "го",
        "2024",
        "3d",
    ]


def test_stem_is_cached() -> None:
    stem("шахматный")
    hits = stem.cache_info().hits
    stem("шахматный")
    assert stem.cache_info().hits == hits + 1


def test_yo_is_e_everywhere() -> None:
    assert index_terms("Ёлка, актёрское мастерство") == index_terms("елка, актерское мастерство")
    assert only("актёрское").terms == only("актерское").terms


# --- stop words and index terms -------------------------------------------------------------


def test_stop_words_are_function_words_only() -> None:
    assert {"и", "в", "на", "для", "с", "the", "and", "of"} <= STOP_WORDS
    # Domain words: «it» is IT, «изо» is art, «го» a game; frequency deals with «кружок».
    assert not {"кружок", "секция", "студия", "it", "изо", "го", "дети"} & STOP_WORDS
    assert all(normalize(w) == w for w in STOP_WORDS | FILLER_WORDS)


def test_index_terms_are_stems_of_non_stop_words_in_order() -> None:
    assert index_terms("Шахматный клуб для детей и взрослых") == [
        stem("шахматный"),
        stem("клуб"),
        stem("детей"),
        stem("взрослых"),
    ]


def test_surface_words_pair_each_stem_with_its_word() -> None:
    assert surface_words("Футбольная секция и футбол") == [
        (stem("футбол"), "футбольная"),
        (stem("секция"), "секция"),
        (stem("футбол"), "футбол"),
    ]


# --- vocabulary -----------------------------------------------------------------------------

SMALL = Vocabulary(
    [
        ("футбол", "футбол", 120),
        ("футболк", "футболка", 2),
        ("фото", "фото", 40),
        ("фот", "фото", 3),
        ("робототехник", "робототехника", 80),
        ("бокс", "бокс", 30),
        ("бок", "бок", 1),
        ("танц", "танцы", 70),
        ("танк", "танки", 5),
    ],
    total_docs=500,
)


def test_vocabulary_lookups() -> None:
    assert SMALL.has_stem("футбол") and not SMALL.has_stem("футб")
    assert SMALL.df("футбол") == 120 and SMALL.df("нет") == 0
    assert SMALL.word_for("робототехник") == "робототехника"
    assert SMALL.word_for("нет") == "нет"
    assert SMALL.has_prefix("робо") and SMALL.has_prefix("футболк") and not SMALL.has_prefix("роба")
    assert SMALL.complete("фут") == "футбол"  # the more frequent completion
    assert len(SMALL) == 9 and SMALL.total_docs == 500


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("футбл", "футбол"),  # 5 letters: one edit
        ("футблл", "футбол"),  # 6 letters: two edits
        ("фубтол", "футбол"),  # a transposition is one edit
        ("гутбол", "футбол"),  # a slip on the first letter
        ("робототехнка", "робототехника"),
        ("футболка", None),  # an indexed word is never corrected, however rare
        ("фтбл", None),  # 4 letters: one edit only
        ("тнц", None),  # 3 letters or fewer: never
        ("щуцкпы", None),
    ],
)
def test_vocabulary_correct_by_word_length(typed: str, expected: str | None) -> None:
    assert SMALL.correct(typed) == expected


def test_vocabulary_correct_prefers_the_more_frequent_word_on_a_tie() -> None:
    # «танцы» and «танки» are both one edit from «танфы»; dancing is far more common.
    assert SMALL.correct("танфы") == "танцы"


def test_a_slip_in_another_form_of_the_word_is_corrected_through_its_stem() -> None:
    # The index shows «шахматный» for the stem; «шаматы» is three edits from that, one from its
    # stem, and is shown with the parent's own ending.
    v = Vocabulary([("шахмат", "шахматный", 3), ("шашк", "шашки", 1)], total_docs=10)
    assert v.correct("шаматы") == "шахматы"
    result = analyze_query("ifvfns", vocabulary=v, thesaurus=thesaurus())  # ш-а-м-а-т-ы
    assert result.corrected_query == "шахматы" and result.concepts[0].terms == {"шахмат"}


def test_warm_builds_what_corrections_use_without_changing_them() -> None:
    v = build_vocabulary(demo_texts())
    v.warm()
    assert v.correct("футбл") == vocabulary().correct("футбл") == "футбол"
    assert v.from_latin("futbol") == ("футбол", 0)


def test_vocabulary_knows_forms_but_not_misspelt_endings() -> None:
    v = vocabulary()
    assert v.knows("шахматам") and v.knows("футбольный") and v.knows("рисования")
    assert not v.knows("рисованее") and not v.knows("плаване")


def test_vocabulary_survives_duplicates_and_junk() -> None:
    v = Vocabulary([("шахмат", "шахматы", 3), ("шахмат", "шахмат", 9), ("", "x", 1)], total_docs=0)
    assert v.word_for("шахмат") == "шахмат" and v.df("шахмат") == 9 and v.total_docs == 1


# --- thesaurus ------------------------------------------------------------------------------


def test_martial_arts_cover_every_discipline_one_way() -> None:
    t = thesaurus()
    assert stems(
        "карате", "дзюдо", "самбо", "бокс", "борьба", "тхэквондо", "айкидо", "кикбоксинг"
    ) <= t.expand(stem("единоборства"))
    assert stem("бокс") not in t.expand(stem("карате"))
    assert stem("единоборства") not in t.expand(stem("единоборства"))


@pytest.mark.parametrize(
    "group",
    [
        ("рисование", "изо", "живопись", "рисовать"),
        ("программирование", "кодинг", "coding", "информатика"),
        ("robotics", "робототехника"),
        ("football", "футбол", "soccer"),
        ("танцы", "хореография", "dance"),
        ("вокал", "пение", "петь"),
        ("английский", "english"),
        ("шахматы", "chess"),
        ("плавание", "бассейн", "swimming"),
        ("театр", "theatre"),
        ("карате", "каратэ"),
    ],
)
def test_equivalent_words_expand_to_each_other(group: tuple[str, ...]) -> None:
    t = thesaurus()
    for word in group:
        assert stems(*group) - {stem(word)} <= t.expand(stem(word)), word


@pytest.mark.parametrize(
    ("broader", "narrower"),
    [
        ("спорт", ("футбол", "дзюдо", "плавание", "шахматы")),  # спорт → единоборства → дзюдо
        ("музыка", ("вокал", "гитара", "фортепиано", "баян")),
        ("танцы", ("балет", "брейкданс")),
        ("хореография", ("балет",)),  # an equivalent of «танцы» is as broad
        ("наука", ("физика", "химия", "биология", "астрономия")),
        ("языки", ("английский", "немецкий", "китайский")),
        ("it", ("программирование", "робототехника")),
        ("айти", ("программирование", "робототехника")),
        ("творчество", ("рисование", "керамика")),
    ],
)
def test_broader_words_cover_narrower_ones(broader: str, narrower: tuple[str, ...]) -> None:
    assert stems(*narrower) <= thesaurus().expand(stem(broader))


@pytest.mark.parametrize(
    ("broader", "narrower"),
    [
        ("спорт", "футбол"),
        ("музыка", "гитара"),
        ("наука", "физика"),
        ("техника", "робототехника"),
        ("танцы", "брейкданс"),
    ],
)
def test_narrower_words_do_not_expand_to_broader_ones(broader: str, narrower: str) -> None:
    # (A category's own synonyms do lead to its names: «балет» finds «Хореография».)
    assert stem(broader) not in thesaurus().expand(stem(narrower))


def test_programming_is_not_as_broad_as_it() -> None:
    assert stem("робототехника") not in thesaurus().expand(stem("программирование"))


def test_multi_word_entries_bring_distinctive_words_only() -> None:
    t = thesaurus()
    # «изобразительное искусство» makes «изобразительн» a synonym of drawing, never «искусств».
    assert stem("изобразительное") in t.expand(stem("рисование"))
    assert all(stem("искусство") not in t.expand(s) for s in stems("рисование", "изо", "живопись"))
    # «хоровое пение» brings «хоровое» to choir but not «пение», which is vocals.
    assert stem("хоровое") in t.expand(stem("хор"))
    assert stem("пение") not in t.expand(stem("хор"))
    # Generic words in category names are not synonyms: «спортивная» is in several categories.
    assert stem("спортивная") not in t.expand(stem("гимнастика"))


def test_category_names_and_synonyms_link_through_the_names() -> None:
    t = build_thesaurus([("Иностранные языки", "Foreign languages", ["немецкий", "китайский", "языки"])])
    assert stems("немецкий", "китайский", "foreign") <= t.expand(stem("иностранные")) | t.expand_phrase(
        [stem("иностранные"), stem("языки")]
    )
    assert stem("foreign") in t.expand(stem("немецкий"))
    # Kinds listed as synonyms are not synonyms of each other.
    assert stem("китайский") not in t.expand(stem("немецкий"))


def test_the_same_rows_give_the_same_thesaurus() -> None:
    rows = category_rows()
    assert build_thesaurus(rows) is build_thesaurus([(ru, en, tuple(syn)) for ru, en, syn in rows])
    assert build_thesaurus(rows[:-1]) is not build_thesaurus(rows)


def test_every_category_of_the_taxonomy_expands() -> None:
    t = thesaurus()
    for ru, en, synonyms in category_rows():
        for name in (ru, en):
            words = [w for w in tokenize(name) if w not in STOP_WORDS]
            found = t.expand(stem(words[0])) if len(words) == 1 else t.expand_phrase([stem(w) for w in words])
            assert found, name
            others = {stem(w) for s in synonyms for w in tokenize(s)} | {
                stem(w) for w in tokenize(en if name == ru else ru)
            }
            assert found & others, name


def test_curated_entries_all_reach_the_thesaurus() -> None:
    t = thesaurus()
    silent = []
    for group in curated.EQUIVALENT:
        for entry in group:
            words = [w for w in tokenize(entry) if w not in STOP_WORDS]
            found = t.expand(stem(words[0])) if len(words) == 1 else t.expand_phrase([stem(w) for w in words])
            if not found:
                silent.append(entry)
    assert silent == []
    assert all(SAFE.match(s) for s in t.expand(stem("спорт")))


# --- queries: understanding words -----------------------------------------------------------


def test_morphology_in_queries() -> None:
    assert only("шахматы").terms == only("шахматный").terms == only("шахматам").terms == {stem("шахматы")}
    assert only("robotics").terms >= {stem("robot")}


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("футбл", "футбол"),
        ("рисованее", "рисование"),
        ("плаване", "плавание"),
        ("гутбол", "футбол"),
        ("робототехнка", "робототехника"),
        ("единобортсва", "единоборства"),  # a word only the thesaurus knows
    ],
)
def test_typos_are_corrected_against_the_vocabulary(typed: str, meant: str) -> None:
    for query in (typed, typed + " "):
        result = analyze(query)
        assert result.corrected_query == meant
        (concept,) = result.concepts
        assert concept.word == meant and concept.corrected and not concept.prefix
        assert concept.terms == {stem(meant)}


@pytest.mark.parametrize("word", ["шахматы", "футбольная", "шашки", "рисования", "плавать", "chess", "лего"])
def test_known_words_are_never_corrected(word: str) -> None:
    result = analyze(word + " ")
    assert result.corrected_query is None
    assert not result.concepts[0].corrected and result.concepts[0].word == word


def test_words_only_the_thesaurus_knows_are_corrected_only_when_very_close() -> None:
    # The index has not learnt «гамбит» yet (an empty vocabulary here): it must stay «гамбит»,
    # not become «самбист», two edits away in the thesaurus.
    empty = Vocabulary([], total_docs=0)
    assert analyze_query("гамбит", vocabulary=empty, thesaurus=thesaurus()).concepts[0].word == "гамбит"
    fixed = analyze_query("единобортсва", vocabulary=empty, thesaurus=thesaurus())
    assert fixed.corrected_query == "единоборства"


def test_short_unknown_words_are_not_corrected() -> None:
    concept = only("фтб ")
    assert concept.word == "фтб" and not concept.corrected


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("afnjk", "футбол"),  # two slips on the wrong layout still make «футбол»
        ("aen,jk", "футбол"),  # the comma is «б»
        ("ifivfns", "шахматы"),
        ("hj,jnjnt[ybrf", "робототехника"),
        ("hj,jnjntiybrf", "робототехника"),  # and a slip, across the comma
        ("сруыы", "chess"),  # Latin typed on the Russian layout
    ],
)
def test_wrong_keyboard_layout(typed: str, meant: str) -> None:
    result = analyze(typed)
    assert result.corrected_query == meant
    assert [c.word for c in result.concepts] == [meant]
    assert result.concepts[0].corrected


def test_layout_only_for_unknown_words() -> None:
    assert only("chess").word == "chess"  # «сруыы» typed right
    assert only("lego").word == "lego"
    assert analyze("yf aen,jk").corrected_query == "на футбол"  # «на» is a stop word


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("futbol", "футбол"),
        ("robototehnika", "робототехника"),
        ("shahmaty", "шахматы"),
        ("tkhekvondo", "тхэквондо"),
        ("risovanie", "рисование"),
        ("plavat", "плавать"),  # known to the thesaurus, not to the index
    ],
)
def test_transliteration(typed: str, meant: str) -> None:
    result = analyze(typed)
    assert result.corrected_query == meant
    assert only(typed).word == meant


def test_english_words_stay_english_and_find_russian_equivalents() -> None:
    chess = only("chess")
    assert chess.terms == {"chess"} and not chess.corrected
    assert stem("шахматы") in chess.synonyms
    football = only("football")
    assert stem("футбол") in football.synonyms and not football.corrected


def test_the_same_word_in_both_alphabets_is_one_term() -> None:
    assert only("lego").terms == {stem("lego"), stem("лего")}
    assert only("лего").terms == {stem("lego"), stem("лего")}


def test_synonyms_are_limited_to_stems_the_index_holds() -> None:
    v = vocabulary()
    for q in ("единоборства", "спорт", "рисование", "программирование"):
        synonyms = only(q).synonyms
        assert synonyms and all(v.has_stem(s) for s in synonyms)
    assert stems("карате", "дзюдо", "самбо", "бокс") <= only("единоборства").synonyms


def test_a_phrase_expands_as_a_whole_and_its_words_lose_their_own_senses() -> None:
    fighting, arts = analyze("боевые искусства").concepts
    assert stem("дзюдо") in fighting.synonyms and stem("дзюдо") in arts.synonyms
    assert stem("рисование") not in arts.synonyms  # «искусства» here is not the arts
    assert stem("дзюдо") not in only("искусство").synonyms
    assert stem("рисование") in only("искусство").synonyms


# --- queries: typing, stop words, ages, limits ----------------------------------------------


def test_the_word_being_typed_is_a_prefix() -> None:
    concept = only("футб")
    assert concept.prefix and concept.terms == {"футб"} and not concept.corrected
    assert stem("soccer") in concept.synonyms  # what «футбол» would bring
    # Finished (a space typed), the same letters are an unknown word, not a prefix.
    assert not only("футб ").prefix
    # A complete known word is no prefix, nor is an adjective being built on a known noun.
    assert not only("футбол").prefix
    assert only("футбольн").terms == {stem("футбол")} and not only("футбольн").prefix


def test_the_word_being_typed_on_the_wrong_layout() -> None:
    result = analyze("if[v")  # «шахм»
    assert result.concepts[0].prefix and result.concepts[0].terms == {"шахм"}
    assert result.corrected_query == "шахматы"


def test_one_or_two_letters_being_typed_are_not_a_concept_yet() -> None:
    assert [c.word for c in analyze("футбол щ").concepts] == ["футбол"]


def test_stop_words_only_is_empty() -> None:
    for q in ("и в на", "для с по ", "the and of", "хочу для сына", "   ", ""):
        result = analyze(q)
        assert result.is_empty() and result.corrected_query is None, q


def test_corrected_query_rewrites_the_whole_query() -> None:
    assert analyze("кружок рисованее для детей").corrected_query == "кружок рисование для детей"
    assert analyze("кружок рисования для детей").corrected_query is None


def test_ages_are_not_words_to_look_for() -> None:
    result = analyze("футбол для сына 8 лет")
    assert [c.word for c in result.concepts] == ["футбол"] and result.ages == (8,)
    assert analyze("рисование 7-10 лет").ages == (7, 10)
    assert analyze("английский от 5 до 7 лет").ages == (5, 7)
    # A school number is not an age.
    assert [c.word for c in analyze("школа 64").concepts] == ["школа", "64"]


def test_audience_words_give_way_to_an_interest() -> None:
    assert [c.word for c in analyze("танцы для девочек").concepts] == ["танцы"]
    assert [c.word for c in analyze("для дошкольников").concepts] == ["дошкольников"]


def test_repeated_words_are_one_concept() -> None:
    assert len(analyze("шахматы шахматный клуб").concepts) == 2


def test_at_most_eight_concepts() -> None:
    q = "футбол хоккей баскетбол волейбол плавание гимнастика шахматы карате дзюдо самбо бокс"
    assert [c.word for c in analyze(q).concepts] == q.split()[:MAX_CONCEPTS]


HOSTILE = [
    "я" * 10_000,
    "футбол " * 2_000,
    '"футбол" OR 1=1; DROP TABLE activity; --',
    'шахм* NEAR(a b) AND "x":y ( ) - ^ {col}: ',
    "\x00\x01\x02футбол\x00",
    "😀🎨⚽️🏊‍♀️",
    "ǅ ﬁ ẞ ŉ İ ﷺ ⅷ ㎏",
    "\u202eлобтуф\u202c",
    "-" * 5000,
]


def _assert_safe(result: AnalyzedQuery) -> None:
    assert len(result.concepts) <= MAX_CONCEPTS
    for concept in result.concepts:
        assert concept.terms
        assert all(SAFE.match(t) and len(t) <= 60 for t in concept.terms | concept.synonyms), concept
    if result.corrected_query is not None:
        assert re.fullmatch(r"[0-9a-zа-я ]+", result.corrected_query)


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries(q: str) -> None:
    _assert_safe(analyze(q))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.text(alphabet="afnjk,.;[]'ёйцукенгшщзхъфывапролджэ -\"*:()", max_size=60))
def test_any_text_is_analyzed_safely(q: str) -> None:
    _assert_safe(analyze(q))
    assert all(SAFE.match(t) for t in index_terms(q))
    assert normalize(normalize(q)) == normalize(q)
