"""Text analysis for search, shared by both databases: words → stems, and a parent's query →
the concepts to look for, with synonyms and corrections.

Documents are indexed as Snowball stems (Russian for Cyrillic, English for Latin). A query is
an AND of concepts, one per meaningful word; each concept is its own stems OR its synonyms
(the curated thesaurus plus the category taxonomy). An unknown word is corrected, in order,
by keyboard layout (afnjk → футбол), transliteration (futbol → футбол), prefix (the word being
typed) and edit distance against the index's own vocabulary (футбл → футбол). Only words the
index does not hold are corrected, so a rare real word is never "fixed" into a common one.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from kruzhok.search import thesaurus as curated

MAX_CONCEPTS = 8
MAX_WORD = 40
_NOT_WORD = re.compile(r"[^0-9a-zа-я]+")
_LATIN = re.compile(r"[a-z]")
_CYRILLIC = re.compile(r"[а-я]")
_russian = Stemmer.Stemmer("russian")
_english = Stemmer.Stemmer("english")

STOP_WORDS = frozenset(
    """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только
    ее мне было вот от меня еще нет о об из ему когда даже ну ли если уже или ни быть был него
    до вас нибудь уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы
    тебя их чем была сам чтоб без чего раз тоже себе под будет ж тогда кто этот того потому
    этого какой совсем ним здесь этом почти мой тем чтобы нее сейчас были куда зачем всех можно
    при хоть после над больше тот через эти нас про всего них какая много разве эту моя свою
    этой перед лучше чуть том такой им более всегда между около возле рядом хочу хотим ищу
    нужен нужна нужно лет года год летний летняя
    a an the and or of for in on at to with by from is are be as it its this that near my me
    i we our want looking class classes""".split()
)

# Keys of a Russian ЙЦУКЕН keyboard, in the order of the same keys on QWERTY.
_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_YCUKEN = "йцукенгшщзхъфывапролджэячсмитьбюё"
_TO_CYRILLIC = str.maketrans(_QWERTY, _YCUKEN)
_TO_LATIN = str.maketrans(_YCUKEN, _QWERTY)
# Common Latin spellings of Russian sounds, longest first.
_TRANSLIT = [
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("tz", "ц"), ("ch", "ч"),
    ("sh", "ш"), ("yu", "ю"), ("ju", "ю"), ("ya", "я"), ("ja", "я"), ("yo", "е"), ("jo", "е"),
    ("ye", "е"), ("iy", "ий"), ("yy", "ый"), ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"),
    ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("y", "ы"), ("j", "й"), ("k", "к"),
    ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
    ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "к"), ("q", "к"), ("x", "кс"),
]  # fmt: skip
_TRANSLIT_RE = re.compile("|".join(re.escape(latin) for latin, _ in _TRANSLIT))
_TRANSLIT_MAP = dict(_TRANSLIT)


def normalize(text: str) -> str:
    """NFKC, lower case, ё → е, everything but letters and digits → single spaces."""
    text = unicodedata.normalize("NFKC", str(text)).lower().replace("ё", "е")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def tokenize(text: str) -> list[str]:
    return [w[:MAX_WORD] for w in normalize(text).split()]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if word.isdigit() or len(word) <= 2:
        return word
    if _CYRILLIC.search(word):
        return str(_russian.stemWord(word))
    return str(_english.stemWord(word))


def index_terms(text: str) -> list[str]:
    """The stems an FTS column holds for this text, in order."""
    return [stem(w) for w in tokenize(text) if w not in STOP_WORDS]


def surface_words(text: str) -> list[tuple[str, str]]:
    """(stem, word) pairs for the vocabulary: what typo correction may suggest."""
    return [(stem(w), w) for w in tokenize(text) if w not in STOP_WORDS]


def _max_typos(length: int) -> int:
    if length <= 3:
        return 0
    if length <= 5:
        return 1
    return 2


class Vocabulary:
    """The index's own words: stem → (word shown, documents containing it)."""

    def __init__(self, entries: Iterable[tuple[str, str, int]], total_docs: int) -> None:
        self.total_docs = max(int(total_docs), 1)
        self._stems: dict[str, tuple[str, int]] = {}
        words: dict[str, int] = {}
        for stem_, word, df in entries:
            self._stems[stem_] = (word, int(df))
            words[word] = max(words.get(word, 0), int(df))
        self._words = words
        self._sorted_words = sorted(words)
        self._sorted_stems = sorted(self._stems)
        self._by_length: dict[int, list[str]] = {}
        for word in words:
            self._by_length.setdefault(len(word), []).append(word)

    def __len__(self) -> int:
        return len(self._stems)

    def has_stem(self, stem_: str) -> bool:
        return stem_ in self._stems

    def df(self, stem_: str) -> int:
        entry = self._stems.get(stem_)
        return entry[1] if entry else 0

    def word_for(self, stem_: str) -> str:
        entry = self._stems.get(stem_)
        return entry[0] if entry else stem_

    def knows(self, word: str) -> bool:
        return self.has_stem(stem(word))

    def has_prefix(self, prefix: str) -> bool:
        for items in (self._sorted_words, self._sorted_stems):
            i = bisect.bisect_left(items, prefix)
            if i < len(items) and items[i].startswith(prefix):
                return True
        return False

    def correct(self, word: str) -> str | None:
        """The closest indexed word within the typos its length allows (more common wins a tie)."""
        limit = _max_typos(len(word))
        if limit == 0 or not word:
            return None
        candidates: list[str] = []
        for length in range(len(word) - limit, len(word) + limit + 1):
            candidates += self._by_length.get(length, [])
        if not candidates:
            return None
        found = process.extract(word, candidates, scorer=Levenshtein.distance, score_cutoff=limit, limit=8)
        if not found:
            return None
        best = min(found, key=lambda item: (item[1], -self._words.get(item[0], 0), item[0]))
        return str(best[0])


class Thesaurus:
    def __init__(self, expansions: dict[str, frozenset[str]]) -> None:
        self._expansions = expansions

    def expand(self, stem_: str) -> frozenset[str]:
        return self._expansions.get(stem_, frozenset())


def _phrase_stems(phrase: str) -> list[str]:
    words = [w for w in tokenize(phrase) if w not in STOP_WORDS]
    if len(words) == 1:
        return [stem(words[0])]
    return [stem(w) for w in words if w not in curated.GENERIC and len(w) > 2]


def build_thesaurus(categories: Iterable[tuple[str, str, Sequence[str]]]) -> Thesaurus:
    """Synonym stems per stem: curated groups and broader terms plus each category's names."""
    expansions: dict[str, set[str]] = {}

    def link(keys: Iterable[str], values: Iterable[str]) -> None:
        values = set(values)
        for key in keys:
            expansions.setdefault(key, set()).update(v for v in values if v != key)

    groups: list[list[str]] = [list(group) for group in curated.EQUIVALENT]
    for name_ru, name_en, synonyms in categories:
        groups.append([name_ru, name_en, *synonyms])
    for group in groups:
        # A single-word member is a key (what a parent types); every member's words are values.
        stems = [s for phrase in group for s in _phrase_stems(phrase)]
        keys = [
            stem(tokenize(p)[0]) for p in group if len(tokenize(p)) == 1 and tokenize(p)[0] not in STOP_WORDS
        ]
        link(keys, stems)
    for broader, narrower in curated.BROADER.items():
        keys = _phrase_stems(broader) if len(tokenize(broader)) == 1 else [stem(tokenize(broader)[-1])]
        values = [s for phrase in narrower for s in _phrase_stems(phrase)]
        # A broader word also keeps its own equivalents' expansions.
        link(keys, values)
    return Thesaurus({k: frozenset(v) for k, v in expansions.items()})


@dataclass(frozen=True)
class Concept:
    word: str
    terms: frozenset[str]
    synonyms: frozenset[str]
    prefix: bool
    corrected: bool


@dataclass(frozen=True)
class AnalyzedQuery:
    concepts: tuple[Concept, ...]
    corrected_query: str | None

    def is_empty(self) -> bool:
        return not self.concepts


def _to_cyrillic_layout(raw: str) -> str:
    return raw.lower().translate(_TO_CYRILLIC)


def _to_latin_layout(raw: str) -> str:
    return raw.lower().replace("ё", "`").translate(_TO_LATIN)


def _transliterate(word: str) -> str:
    return _TRANSLIT_RE.sub(lambda m: _TRANSLIT_MAP[m.group(0)], word)


def _understand(raw: str, word: str, vocabulary: Vocabulary, *, last: bool) -> tuple[str, bool, bool]:
    """(word as understood, corrected?, prefix?) for one typed word."""
    if vocabulary.knows(word) or word.isdigit():
        return word, False, False
    latin = bool(_LATIN.search(word)) and not _CYRILLIC.search(word)
    layout = normalize(_to_cyrillic_layout(raw) if latin else _to_latin_layout(raw))
    layout_words = layout.split()
    if len(layout_words) == 1 and vocabulary.knows(layout_words[0]):
        return layout_words[0], True, False
    if latin:
        cyrillic = _transliterate(word)
        if vocabulary.knows(cyrillic):
            return cyrillic, True, False
    if last and len(word) >= 2 and vocabulary.has_prefix(word):
        return word, False, True
    if (
        last
        and len(layout_words) == 1
        and len(layout_words[0]) >= 3
        and vocabulary.has_prefix(layout_words[0])
    ):
        return layout_words[0], True, True
    for candidate in (
        word,
        _transliterate(word) if latin else None,
        layout_words[0] if len(layout_words) == 1 else None,
    ):
        if candidate:
            fixed = vocabulary.correct(candidate)
            if fixed is not None:
                return fixed, True, False
    return word, False, False


def analyze_query(q: str, *, vocabulary: Vocabulary, thesaurus: Thesaurus) -> AnalyzedQuery:
    """The concepts of a parent's query; `q` ending without a space means the last word may be
    unfinished (the page searches as you type)."""
    text = str(q)[:1000].replace("\x00", " ")
    typing = bool(text) and not text[-1].isspace()
    pieces: list[tuple[str, str]] = []  # (raw token, normalized word)
    for raw in text.split():
        for word in tokenize(raw):
            if word not in STOP_WORDS:
                pieces.append((raw, word))
    pieces = pieces[:MAX_CONCEPTS]
    concepts: list[Concept] = []
    shown: list[str] = []
    any_corrected = False
    seen: set[frozenset[str]] = set()
    for i, (raw, word) in enumerate(pieces):
        last = typing and i == len(pieces) - 1
        understood, corrected, prefix = _understand(raw, word, vocabulary, last=last)
        any_corrected |= corrected
        shown.append(understood)
        if prefix:
            terms = frozenset({understood})
            synonyms: frozenset[str] = frozenset()
        else:
            terms = frozenset({stem(understood)})
            synonyms = frozenset().union(*(thesaurus.expand(t) for t in terms)) - terms
        if terms in seen:
            continue
        seen.add(terms)
        concepts.append(Concept(understood, terms, synonyms, prefix, corrected))
    return AnalyzedQuery(tuple(concepts), " ".join(shown) if any_corrected else None)
