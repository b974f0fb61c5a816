"""Text analysis for search, shared by both databases: text → index terms, and a parent's query →
the concepts to look for, with synonyms and corrections. Pure Python, no database access.

Documents and queries go through the same steps, so they always agree:
- `normalize`: NFKC, lower case, ё → е, accents and stress marks dropped, everything that is not
  a Latin or Cyrillic letter or a digit becomes a space (hyphens included: «мини-футбол» is two
  words). A word mixing alphabets is repaired («pисование» with a Latin р) or split.
- `stem`: Snowball, Russian for Cyrillic words and English for Latin ones; words of up to three
  letters and numbers stay as they are (Snowball turns «изо» into «из»). Russian adjectives made
  from a noun lose the adjective suffix as well, so the child's interest matches however it is
  phrased: «шахматный» → «шахмат» like «шахматы», «футбольный» → «футбол», «музыкальная» →
  «музык», «спортивный» → «спорт», «математический» → «математик».
- `STOP_WORDS` (function words) are left out of the index and of queries; `FILLER_WORDS` (what a
  parent writes around the interest: «хочу», «ищу», «для сына», «рядом») only out of queries.

A query is an AND of `Concept`s, one per meaningful word (at most 8). A concept matches a
document containing any of its `terms` (the word itself) or any of its `synonyms` (the curated
thesaurus of `thesaurus.py` and the category taxonomy, only stems the index holds). A word the
index does not know is understood, in order, as: the word still being typed (prefix), the same
keys pressed on the other keyboard layout («aen,jk» → «футбол»), a transliteration («futbol» →
«футбол»), or a typo of a word the index holds («футбл» → «футбол»), the allowed edit distance
growing with the word's length. A word the index knows is never «corrected», so a rare real
word is not turned into a common one; nor is a word only the thesaurus knows («плавать»): it
stands for its synonyms. Ages («8 лет») are returned apart, not looked for; words for who the
activity is for («для девочек») give way when the query also names an interest.

Everything emitted (terms, synonyms, prefixes, the corrected query) is [0-9a-zа-я] only, so it
is safe to hand to FTS5 MATCH and to_tsquery as it is.
"""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from kruzhok.search import thesaurus as curated

MAX_CONCEPTS = 8
MAX_WORD = 40  # longer "words" are cut: nothing real is longer, and FTS terms stay short
MAX_QUERY = 400  # characters of a query looked at; 8 concepts never need more
MAX_PHRASE = 4  # words in the longest thesaurus phrase matched in a query
MIN_PREFIX = 3  # a word being typed is matched as a prefix from this many letters
MAX_TYPO_WORD = 24  # no word this long is a typo of an indexed word worth the search

_LATIN = re.compile(r"[a-z]")
_CYRILLIC = re.compile(r"[а-я]")
_WORD = re.compile(r"[0-9a-zа-я]+")
_SCRIPT_RUN = re.compile(r"[0-9]*[a-z][0-9a-z]*|[0-9]*[а-я][0-9а-я]*|[0-9]+")
# After NFKC and lower(): anything outside ASCII and the basic Cyrillic block needs a closer look.
_ODD = re.compile(r"[^\x00-\x7fа-яё]")


# --- normalization --------------------------------------------------------------------------

# Letters that keep no ASCII / Russian base under NFKD, and Ukrainian / Belarusian letters whose
# Russian reading is what a parent means.
_SPECIAL_LETTERS = {
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
    "і": "и",
    "ї": "и",
    "є": "е",
    "ў": "у",
    "ґ": "г",
}
_folded: dict[str, str] = {}


def _fold_char(match: re.Match[str]) -> str:
    char = match.group(0)
    folded = _folded.get(char)
    if folded is None:
        folded = _SPECIAL_LETTERS.get(char)
        if folded is None:
            category = unicodedata.category(char)
            if category.startswith("M") or category == "Cf":
                folded = ""  # stress marks, soft hyphens, zero-width joiners: not word breaks
            else:
                base = "".join(
                    c for c in unicodedata.normalize("NFKD", char) if _WORD.fullmatch(c) or c == "ё"
                )
                folded = _SPECIAL_LETTERS.get(base, base) or " "
        if len(_folded) < 10_000:
            _folded[char] = folded
    return folded


# Letters that look alike in both alphabets: «pисование» typed with a Latin «p».
_LATIN_LOOKALIKES = "aceopxykmthb"
_CYRILLIC_LOOKALIKES = "асеорхукмтнв"
_TO_CYRILLIC_LOOKS = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_TO_LATIN_LOOKS = str.maketrans(_CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES)


def _one_script(word: str) -> list[str]:
    latin = len(_LATIN.findall(word))
    cyrillic = len(_CYRILLIC.findall(word))
    word = word.translate(_TO_CYRILLIC_LOOKS if cyrillic >= latin else _TO_LATIN_LOOKS)
    if _LATIN.search(word) and _CYRILLIC.search(word):
        return _SCRIPT_RUN.findall(word)
    return [word]


def normalize(text: str) -> str:
    """NFKC, lower case, ё → е, every run of non-letters (hyphens, punctuation, emoji) → one
    space. The result holds only [0-9a-zа-я] and single spaces."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    if _ODD.search(text):
        text = _ODD.sub(_fold_char, text)
    words = _WORD.findall(text.replace("ё", "е"))
    if any(_LATIN.search(w) and _CYRILLIC.search(w) for w in words):
        words = [part for w in words for part in _one_script(w)]
    return " ".join(words)


def tokenize(text: str) -> list[str]:
    """The normalized words of `text`, in order."""
    return [w[:MAX_WORD] for w in normalize(text).split()]


# --- stemming -------------------------------------------------------------------------------

# PyStemmer's stemmers keep state between calls; one per thread.
_stemmers = threading.local()


def _snowball(language: str, word: str) -> str:
    stemmer = getattr(_stemmers, language, None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer(language)
        setattr(_stemmers, language, stemmer)
    return str(stemmer.stemWord(word))


# Snowball gives «physic» for both «physics» and «physical»: the sport direction is named
# «Physical culture and sport», which made «физика» (physics) find every sports club.
_ENGLISH_EXCEPTIONS = {"physical": "physical", "physically": "physical"}

# Endings an adjective (or the adverb made from it) keeps after its suffix.
_ADJECTIVE_ENDINGS = frozenset(
    "ый ий ой ая яя ое ее ые ие ого его ому ему ым им ом ем ых их ыми ими ую юю ою ею ей о".split()
)
_CONSONANTS = frozenset("бвгджзклмпрстфхцчшщ")
# «-ический» adjectives: which noun they come from is a matter of the word, not of the suffix.
_IC_FROM_IA = ("лог", "хореограф", "географ", "фотограф", "картограф", "истор", "хим", "астроном", "метр")
_IC_FROM_IKA = (
    "математ",
    "техн",
    "гимнаст",
    "керам",
    "акробат",
    "практ",
    "класс",
    "эстет",
    "атлет",
    "эконом",
    "лингвист",
    "информат",
    "динам",
    "механ",
    "граф",
)
_IC_SPECIAL = {"лог": "логика", "косм": "космос"}


def _noun_of_ic(base: str) -> str | None:
    """The noun stem of «<base>ический»: математический → математик(а), биологический → биолог(ия)."""
    if base in _IC_SPECIAL:
        return _snowball("russian", _IC_SPECIAL[base])
    if base.endswith(_IC_FROM_IA):
        return _snowball("russian", base + "ия")
    if base.endswith(_IC_FROM_IKA):
        return _snowball("russian", base + "ика")
    return _snowball("russian", base) if len(base) >= 3 else None


def _noun_of_adjective(word: str, snowball: str) -> str:
    """Snowball keeps the suffix that makes an adjective of a noun (шахмат-н-ый, футбол-ьн-ый,
    спорт-ивн-ый, музык-альн-ый); take it off too, so the adjective meets its noun. Only when
    the word really ends like an adjective, and never down to a stem short enough to collide
    («летний» stays «летн», not «лет»)."""
    if not word.startswith(snowball) or word[len(snowball) :] not in _ADJECTIVE_ENDINGS:
        return snowball
    s = snowball
    base: str | None = None
    if s.endswith("ическ"):
        base = _noun_of_ic(s[:-5])
        return base or s
    if s.endswith("евальн") and len(s) >= 9:  # танцевальный → танц
        base = s[:-6]
    elif s.endswith("альн") and len(s) >= 8:  # музыкальный → музык; вокальный is «ьн»
        base = s[:-4]
    elif s.endswith("ивн") and len(s) >= 7:  # спортивный → спорт
        base = s[:-3]
    elif s.endswith("ьн") and len(s) >= 5:  # футбольный → футбол
        base = s[:-2]
    elif s.endswith("н") and len(s) >= 5 and (s[-2] in _CONSONANTS or (s[-2] == "й" and len(s) >= 6)):
        base = s[:-1]  # шахматный → шахмат, хоккейный → хоккей
    if base is None:
        return s
    # The base is a noun stem; Snowball takes off what looks like an ending when the noun has
    # none (вокал → вока, хоккей → хокк, коллектив → коллект), as it does for the noun itself.
    # «-ов-» / «-ев-» are suffixes instead («программиров-ние» is a typo, not «программир-»).
    noun = _snowball("russian", base)
    return base if base[len(noun) :] in ("ов", "ев") else noun


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """The index term of one normalized word."""
    if len(word) <= 3 or word.isdigit():
        return word
    if _CYRILLIC.search(word):
        return _noun_of_adjective(word, _snowball("russian", word))
    exception = _ENGLISH_EXCEPTIONS.get(word)
    return exception or _snowball("english", word)


STOP_WORDS: frozenset[str] = frozenset(
    """
    а без более бы был была были было быть в вам вас ведь весь во вот все всего всех всю вы где
    да даже для до его ее ей ему если есть еще ж же за зачем здесь и из или им их к как какая
    какие какой когда кто куда ли либо между меня мне много может можно мой моя мы на над надо
    нам нас не него нее ней нельзя нет ни нибудь них ничего но ну о об от очень по под после
    потом потому почти при про раз разве с сам свое свои свою себе себя сейчас со совсем так
    также такой там тебя тем то того тоже только том тот ты у уж уже хоть чего чем через что
    чтоб чтобы чуть эта эти этим этих это этого этой этом этот эту я
    a about an and are as at be been but by can do does for from has have how i if in into is
    me my no not of on or our so than that the their them then there these this those to too
    was we were what when where which who why will with you your
    """.split()
)

# What parents write around the interest; never what makes one activity differ from another.
FILLER_WORDS: frozenset[str] = frozenset(
    """
    хочу хотим хотел хотела хотелось ищу ищем искать найти нужен нужна нужно нужны подскажите
    посоветуйте пожалуйста записать записаться отдать
    сын сына сыну сыном дочь дочери дочка дочки дочке дочку ребенок ребенка ребенку ребенком
    дети детей детям детьми
    рядом поблизости недалеко около возле близко лет год года годик годика годиков
    want looking find need son daughter kid kids child children near nearby please
    """.split()
)

# What a parent calls any activity: «кружок рисования», «уроки гитары», «piano lessons». Such a
# word ranks the entries that say it a little higher but never empties a list by itself; alone
# («кружки») it is what is searched for. Never "corrected" either: «кружки» is not a typo.
GENERIC_WORDS: frozenset[str] = frozenset(
    """
    кружок кружка кружки кружков кружке кружку кружком секция секции секций секцию секциях
    студия студии студий студию занятие занятия занятий занятиям заниматься занятиями
    урок уроки уроков урока уроках курс курсы курсов курсах обучение обучения обучаться
    учиться научиться научить тренировки тренировка тренировок тренироваться
    class classes lesson lessons course courses club clubs training
    """.split()
)

# «бесплатные кружки»: the price filter, not a word to look for (paid entries say «первое занятие
# бесплатно» in their descriptions).
FREE_WORDS: frozenset[str] = frozenset(
    "бесплатно бесплатные бесплатный бесплатная бесплатное бесплатных бесплатным бесплатными free".split()
)

# Who an activity is for: the page filters that by age; as a word to look for it would keep
# only the listings that happen to say it. Dropped when the query also names an interest («танцы
# для девочек»), kept when it is all there is («для дошкольников»).
AUDIENCE_WORDS: frozenset[str] = frozenset(
    """
    девочка девочки девочек девочкам девочку мальчик мальчики мальчиков мальчикам
    подросток подростки подростков подросткам школьник школьники школьников школьникам
    малыш малыши малышей малышам дошкольник дошкольники дошкольников дошкольникам
    старшеклассник старшеклассники старшеклассников младших старших младшие старшие
    начинающих начинающие начинающим новичков новички новичкам взрослых взрослые
    girls boys teens teenagers beginners
    """.split()
)

# «8 лет», «для 8-летнего», «7-10 лет», «5 years»: an age, not words to look for.
_AGE_WORDS = frozenset(
    "лет год года годик годика годиков летний летняя летнего летней летних летнему летним летнее летние "
    "years year yo".split()
)
_AGE_JOINERS = frozenset("от до с со по и".split())


def _meaningful(word: str) -> bool:
    return word not in STOP_WORDS and (len(word) > 1 or word.isdigit())


def index_terms(text: str) -> list[str]:
    """The stems an FTS column holds for `text`, in order (only [0-9a-zа-я], never empty)."""
    return [stem(w) for w in tokenize(text) if _meaningful(w)]


def surface_words(text: str) -> list[tuple[str, str]]:
    """(stem, normalized word) for every indexed word of `text`: what the vocabulary learns."""
    return [(stem(w), w) for w in tokenize(text) if _meaningful(w)]


# --- keyboard layout and transliteration ----------------------------------------------------

# Keys of the Russian ЙЦУКЕН layout in the order of the same keys on QWERTY.
_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`{}:\"<>~"
_YCUKEN = "йцукенгшщзхъфывапролджэячсмитьбюёхъжэбюё"
_LAYOUT_TO_CYRILLIC = str.maketrans(_QWERTY, _YCUKEN)
_LAYOUT_TO_LATIN = str.maketrans(_YCUKEN[:33], _QWERTY[:33])

# One Latin spelling per Cyrillic word, and the many ways parents spell it reduced to the same:
# «kh» and «h» are х, «sch» and «sh» meet at ш/щ, «c» is ц before e/i/y and к elsewhere.
_CYRILLIC_TO_KEY = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
        "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    }
)  # fmt: skip
_LATIN_SPELLINGS = re.compile(r"shch|sch|tch|kh|ch|sh|zh|ts|tz|ph|ck|c|x|w|q|j")
_LATIN_TO_KEY = {
    "shch": "sh", "sch": "sh", "tch": "ch", "kh": "h", "ch": "ch", "sh": "sh", "zh": "zh",
    "ts": "ts", "tz": "ts", "ph": "f", "ck": "k", "x": "ks", "w": "v", "q": "k", "j": "y",
}  # fmt: skip


def _latin_key(word: str) -> str:
    def spell(match: re.Match[str]) -> str:
        found = match.group(0)
        if found == "c":
            return "ts" if match.end() < len(word) and word[match.end()] in "eiy" else "k"
        return _LATIN_TO_KEY[found]

    return _LATIN_SPELLINGS.sub(spell, word)


def _cyrillic_key(word: str) -> str:
    return word.translate(_CYRILLIC_TO_KEY)


def _max_typos(length: int) -> int:
    if length <= 3:
        return 0
    if length <= 5:
        return 1
    return 2


# --- the index's vocabulary -----------------------------------------------------------------

# Endings of nouns in -ие / -ия (рисование, хореография): a known stem with any other ending is a
# typo in the ending («рисованее», «плаване») and is shown corrected.
_IE_NOUN_ENDINGS = frozenset(
    "ие ия ии ию ием ией ий иям иями иях иею ье ья ьи ью ьем ьей ьям ьями ьях".split()
)
_IE_NOUN_SHOWN = frozenset(("ие", "ия", "ии", "ию", "ье", "ья"))
# Prefixes of what may follow a noun stem while its adjective is being typed («футбольн…»).
_DERIVATION_TAILS = frozenset(
    tail[:n]
    for suffix in ("н", "ьн", "альн", "евальн", "ивн", "ическ")
    for ending in ("", *_ADJECTIVE_ENDINGS)
    for tail in [suffix + ending]
    for n in range(1, len(tail) + 1)
)


def _is_ie_noun(stem_: str, ending: str) -> bool:
    """Whether an indexed word ending so is a noun in -ие / -ия, not an adjective in -ие
    («детские», «летние» are adjectives: their stems end in a hushing consonant, a velar or
    consonant + н; «рисование», «занятие», «пение» are nouns)."""
    if ending not in _IE_NOUN_SHOWN:
        return False
    if ending != "ие":
        return True
    return not (stem_[-1] in "кгхжшчщ" or (stem_[-1] == "н" and stem_[-2:-1] in _CONSONANTS))


def _plausible_form(word: str, stem_: str, shown: str) -> bool:
    """Whether `word` is a real form of the indexed word `shown` (both with stem `stem_`)."""
    if word == shown or not word.startswith(stem_) or not shown.startswith(stem_):
        return True
    if _is_ie_noun(stem_, shown[len(stem_) :]):
        return word[len(stem_) :] in _IE_NOUN_ENDINGS
    return True


def _buckets(
    words: Iterable[str],
) -> tuple[dict[tuple[int, str], list[str]], dict[tuple[int, str], list[str]]]:
    by_first: dict[tuple[int, str], list[str]] = {}
    by_last: dict[tuple[int, str], list[str]] = {}
    for word in words:
        by_first.setdefault((len(word), word[0]), []).append(word)
        by_last.setdefault((len(word), word[-1]), []).append(word)
    return by_first, by_last


class _Pool:
    """Words grouped by length and first letter (and, for typos in the first letter, by length
    and last letter): a correction compares a word with a few hundred candidates, not 50,000."""

    def __init__(self, weights: dict[str, int]) -> None:
        self.weights = weights
        self.by_first, self.by_last = _buckets(weights)

    def closest(self, word: str, budget: int, allowed: Callable[[str, int], bool]) -> tuple[str, int] | None:
        best: tuple[int, int, str] | None = None
        for buckets, letter in ((self.by_first, word[0]), (self.by_last, word[-1])):
            for length in range(len(word) - budget, len(word) + budget + 1):
                pool = buckets.get((length, letter))
                if not pool:
                    continue
                for found, distance, _ in process.extract(
                    word, pool, scorer=OSA.distance, score_cutoff=budget, limit=None
                ):
                    if found != word and allowed(found, int(distance)):
                        candidate = (int(distance), -self.weights[found], found)
                        if best is None or candidate < best:
                            best = candidate
            if best is not None:
                break
        return (best[2], best[0]) if best else None


class Vocabulary:
    """The index's own words: built from SearchTerm rows (stem, the word shown for it, document
    frequency). Corrections only ever suggest these words."""

    def __init__(self, entries: Iterable[tuple[str, str, int]], total_docs: int) -> None:
        stems: dict[str, tuple[str, int]] = {}
        words: dict[str, int] = {}
        for stem_, word, df in entries:
            stem_, word, df = str(stem_), str(word), int(df)
            if not stem_ or not word:
                continue
            known = stems.get(stem_)
            if known is None or df > known[1]:
                stems[stem_] = (word, df)
            if df > words.get(word, -1):
                words[word] = df
        self.total_docs = max(int(total_docs), 1)
        self._stems = stems
        self._words = words
        self._sorted_words = sorted(words)
        self._sorted_stems = sorted(stems)
        self._pool: _Pool | None = None
        self._stems_pool: _Pool | None = None
        self._translit: dict[str, str] | None = None
        self._translit_pool: _Pool | None = None
        self._cache: dict[tuple[str, str], tuple[str, int] | None] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._stems)

    def warm(self) -> None:
        """Build the correction indexes now rather than in the first query that needs them
        (about 0.3 s for 50,000 stems): call it where a fresh vocabulary is loaded, off the
        request path, if the first typo's latency matters."""
        self._own_pool()
        self._stem_pool()
        self._translit_key_pool()

    def has_stem(self, stem_: str) -> bool:
        return stem_ in self._stems

    def most_frequent(self) -> list[tuple[str, int]]:
        """(stem, document frequency), the most frequent first."""
        return sorted(((s, df) for s, (_w, df) in self._stems.items()), key=lambda item: -item[1])

    def df(self, stem_: str) -> int:
        entry = self._stems.get(stem_)
        return entry[1] if entry else 0

    def word_for(self, stem_: str) -> str:
        """The word shown for a stem (the stem itself when the index does not hold it)."""
        entry = self._stems.get(stem_)
        return entry[0] if entry else stem_

    def has_word(self, word: str) -> bool:
        return word in self._words

    def knows(self, word: str) -> bool:
        """Whether the index holds this word: as it is, or as a real form of an indexed stem
        («шахматам» is known when «шахматы» is; «рисованее» is not, though it stems the same)."""
        if word in self._words:
            return True
        stem_ = stem(word)
        entry = self._stems.get(stem_)
        return entry is not None and _plausible_form(word, stem_, entry[0])

    def has_prefix(self, prefix: str) -> bool:
        """Whether some indexed stem or word starts with `prefix`."""
        for items in (self._sorted_words, self._sorted_stems):
            i = bisect.bisect_left(items, prefix)
            if i < len(items) and items[i].startswith(prefix):
                return True
        return False

    def complete(self, prefix: str, *, scan: int = 200) -> str | None:
        """The most frequent indexed word starting with `prefix` (among the first `scan`)."""
        best: tuple[int, str] | None = None
        i = bisect.bisect_left(self._sorted_words, prefix)
        for word in self._sorted_words[i : i + scan]:
            if not word.startswith(prefix):
                break
            if best is None or self._words[word] > best[0]:
                best = (self._words[word], word)
        return best[1] if best else None

    def correct(self, word: str) -> str | None:
        """The closest indexed word within the edit distance the word's length allows (≤ 3
        letters: none, 4–5: 1, 6+: 2; a transposition counts once), the more frequent one on a
        tie; None when nothing is that close, or when `word` is itself an indexed word."""
        found = self.correction(word)
        return found[0] if found else None

    def correction(self, word: str, *, by_target: bool = False) -> tuple[str, int] | None:
        """`correct` with the distance. `by_target`: the budget follows the length of the word
        found, not of `word` — for letters typed on the wrong layout, whose own length says
        little (two slips in «afnjk» still make «футбол»)."""
        if word in self._words or not 4 <= len(word) <= MAX_TYPO_WORD:
            return None
        budget = 2 if by_target else _max_typos(len(word))

        def closest() -> tuple[str, int] | None:
            found = self._own_pool().closest(
                word,
                budget,
                (lambda w, d: d <= _max_typos(len(w))) if by_target else (lambda w, d: True),
            )
            # The index shows one form per stem («шахматный»); a slip in another form («шаматы»)
            # is far from that form but near its stem (шамат ~ шахмат).
            stem_ = stem(word)
            if len(stem_) >= 4 and stem_ not in self._stems:
                near = self._stem_pool().closest(
                    stem_,
                    budget,
                    lambda s, d: (
                        d <= _max_typos(len(s)) and (not by_target or d <= _max_typos(len(self.word_for(s))))
                    ),
                )
                if near is not None and (found is None or near[1] < found[1]):
                    # Shown with the parent's own ending: «шамат|ы» → «шахмат|ы».
                    shown = near[0] + word[len(stem_) :] if word.startswith(stem_) else ""
                    found = (shown if stem(shown) == near[0] else self.word_for(near[0]), near[1])
            return found

        return self._cached("t" if by_target else "c", word, closest)

    def from_latin(self, word: str) -> tuple[str, int] | None:
        """The indexed Cyrillic word this Latin spelling transliterates (distance 0), or the
        closest one within the typo budget of its length."""
        if not word or len(word) > MAX_TYPO_WORD or not _LATIN.search(word):
            return None
        key = _latin_key(word)

        def look() -> tuple[str, int] | None:
            keys = self._translit_keys()
            if key in keys:
                return keys[key], 0
            if len(key) < 4:
                return None
            found = self._translit_key_pool().closest(key, _max_typos(len(key)), lambda f, d: True)
            return (keys[found[0]], found[1]) if found else None

        return self._cached("l", key, look)

    def latin_form(self, word: str) -> str | None:
        """The indexed Latin word this Cyrillic word is a transliteration of («лего» → «lego»)."""
        key = _cyrillic_key(word)
        return key if key != word and key in self._words else None

    # Built on first use: a process that only ever sees known words never pays for them.
    def _own_pool(self) -> _Pool:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = _Pool({w: df for w, df in self._words.items() if len(w) >= 2})
        return self._pool

    def _stem_pool(self) -> _Pool:
        if self._stems_pool is None:
            pool = _Pool({s: df for s, (_w, df) in self._stems.items() if len(s) >= 4})
            with self._lock:
                self._stems_pool = pool
        return self._stems_pool

    def _translit_keys(self) -> dict[str, str]:
        if self._translit is None:
            with self._lock:
                if self._translit is None:
                    keys: dict[str, str] = {}
                    for word, df in self._words.items():
                        if _CYRILLIC.search(word):
                            key = _cyrillic_key(word)
                            if key not in keys or df > self._words[keys[key]]:
                                keys[key] = word
                    self._translit = keys
        return self._translit

    def _translit_key_pool(self) -> _Pool:
        if self._translit_pool is None:
            keys = self._translit_keys()
            pool = _Pool({key: self._words[word] for key, word in keys.items() if len(key) >= 2})
            with self._lock:
                self._translit_pool = pool
        return self._translit_pool

    def _cached(
        self, kind: str, word: str, compute: Callable[[], tuple[str, int] | None]
    ) -> tuple[str, int] | None:
        key = (kind, word)
        if key in self._cache:
            return self._cache[key]
        found = compute()
        if len(self._cache) >= 20_000:
            self._cache.clear()
        self._cache[key] = found
        return found


# --- synonyms -------------------------------------------------------------------------------


class Thesaurus:
    """Synonym and narrower-term stems per word stem, and per multi-word phrase (a tuple of
    stems) for phrases typed as a whole («боевые искусства»)."""

    def __init__(
        self,
        expansions: dict[str, frozenset[str]],
        phrases: dict[tuple[str, ...], frozenset[str]] | None = None,
        words: Iterable[str] = (),
    ) -> None:
        self._expansions = expansions
        self._phrases = phrases or {}
        self.max_phrase = max((len(p) for p in self._phrases), default=1)
        # Single words the thesaurus knows («плавать», «петь»): a query word the index lacks but
        # the thesaurus knows is understood through its synonyms, never "corrected" into some
        # indexed word that merely looks alike («падать»).
        self._words = {w: 0 for w in words if stem(w) in expansions}
        self._shown = {stem(w): w for w in sorted(self._words, key=len, reverse=True)}
        self._latin = {_cyrillic_key(w): w for w in self._words if _CYRILLIC.search(w)}
        self._pool = _Pool(self._words)

    def __len__(self) -> int:
        return len(self._expansions) + len(self._phrases)

    def expand(self, stem_: str) -> frozenset[str]:
        """Stems of the word's synonyms and narrower terms (not including the stem itself)."""
        return self._expansions.get(stem_, frozenset())

    def knows(self, word: str) -> bool:
        """Whether the word is one the thesaurus lists, or a real form of one (as `Vocabulary.knows`)."""
        if word in self._words:
            return True
        stem_ = stem(word)
        shown = self._shown.get(stem_)
        return shown is not None and _plausible_form(word, stem_, shown)

    def from_latin(self, word: str) -> str | None:
        """The Cyrillic word the thesaurus knows that this Latin spelling transliterates."""
        return self._latin.get(_latin_key(word))

    def correction(self, word: str) -> tuple[str, int] | None:
        """The closest word the thesaurus knows, one edit stricter than for the index's words
        (none below 6 letters, one below 10): these words may be in no listing at all, and a
        word the index has only just learnt must not turn into one («гамбит» → «самбист»)."""
        budget = _max_typos(len(word)) - (1 if len(word) < 10 else 0)
        if word in self._words or budget <= 0 or len(word) > MAX_TYPO_WORD:
            return None
        return self._pool.closest(word, budget, lambda found, d: True)

    def expand_phrase(self, stems: Sequence[str]) -> frozenset[str] | None:
        """The expansion of a whole phrase, None when the stems are not a known phrase."""
        return self._phrases.get(tuple(stems))


_Member = tuple[str, ...]  # the stems of a thesaurus entry's meaningful words


@lru_cache(maxsize=8192)
def _member(phrase: str) -> _Member:
    return tuple(stem(w) for w in tokenize(phrase) if _meaningful(w))


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in curated.GENERIC)


def build_thesaurus(categories: Iterable[tuple[str, str, Sequence[str]]]) -> Thesaurus:
    """The thesaurus for these Category rows (name_ru, name_en, synonyms); the same rows give
    the same (shared, read-only) object without building it again."""
    return _build_thesaurus(
        tuple((str(ru), str(en), tuple(str(s) for s in synonyms or ())) for ru, en, synonyms in categories)
    )


@lru_cache(maxsize=4)
def _build_thesaurus(categories: tuple[tuple[str, str, tuple[str, ...]], ...]) -> Thesaurus:
    """The curated groups of `thesaurus.py` plus one group per category: (name_ru, name_en,
    synonyms). A category's names expand to all its synonyms and each synonym to the names, but
    synonyms not to each other: the taxonomy lists kinds as synonyms («немецкий», «китайский»
    under foreign languages), which are not synonyms of one another.

    As an expansion, a multi-word entry contributes its distinctive words only: not the generic
    ones (`thesaurus.GENERIC`), and not a word that names another group («хоровое пение» brings
    «хоровое» to choir, never «пение», which is vocals)."""
    generic = _generic_stems()
    # (members, names): every member expands to the names' values; names to every member's.
    groups: list[tuple[list[_Member], list[_Member]]] = []
    for group in curated.EQUIVALENT:
        members = [m for m in (_member(p) for p in group) if m]
        groups.append((members, members))
    for name_ru, name_en, synonyms in categories:
        names = [m for m in (_member(p) for p in (name_ru, name_en)) if m]
        others = [m for m in (_member(p) for p in synonyms) if m]
        groups.append((names + others, names))
    broader: dict[_Member, list[_Member]] = {}
    for key, narrower in curated.BROADER.items():
        key_member = _member(key)
        if key_member:
            broader.setdefault(key_member, []).extend(m for m in (_member(p) for p in narrower) if m)

    heads = {m[0] for members, _ in groups for m in members if len(m) == 1}
    heads |= {k[0] for k in broader if len(k) == 1}

    def values(member: _Member, singles: set[str]) -> set[str]:
        if len(member) == 1:
            return set() if member[0] in generic else {member[0]}
        return {s for s in member if s not in generic and (s not in heads or s in singles)}

    direct: dict[_Member, set[str]] = {}  # member → stems it expands to
    own: dict[_Member, set[str]] = {}  # member → its own distinctive stems
    partners: dict[_Member, set[_Member]] = {}  # curated equivalents, for broader terms
    for members, names in groups:
        singles = {m[0] for m in members if len(m) == 1}
        member_values = {m: values(m, singles) for m in members}
        for m, v in member_values.items():
            own.setdefault(m, set()).update(v)
        of_names = set().union(*(member_values[n] for n in names))
        of_all = set().union(*member_values.values())
        is_curated = members is names
        for m in members:
            direct.setdefault(m, set()).update(of_all if m in names else of_names)
            if is_curated:
                partners.setdefault(m, set()).update(members)

    narrow_cache: dict[_Member, set[str]] = {}

    def narrow(member: _Member, visiting: frozenset[_Member]) -> set[str]:
        if member in narrow_cache:
            return narrow_cache[member]
        found: set[str] = set()
        for key in {member} | partners.get(member, set()):
            for hyponym in broader.get(key, ()):
                if hyponym in visiting:
                    continue
                found |= own.get(hyponym) or values(hyponym, set())
                found |= direct.get(hyponym, set())
                found |= narrow(hyponym, visiting | {hyponym})
        narrow_cache[member] = found
        return found

    surface = {
        tokens[0]
        for phrase in _all_entries(categories)
        for tokens in [[w for w in tokenize(phrase) if _meaningful(w)]]
        if len(tokens) == 1
    }
    words: dict[str, set[str]] = {}
    phrases: dict[tuple[str, ...], set[str]] = {}
    for member in set(direct) | set(broader):
        expansion = direct.get(member, set()) | narrow(member, frozenset({member}))
        if len(member) == 1:
            words.setdefault(member[0], set()).update(expansion - {member[0]})
        else:
            phrases.setdefault(member, set()).update(expansion)
    return Thesaurus(
        {k: frozenset(v) for k, v in words.items() if v},
        {k: frozenset(v) for k, v in phrases.items() if v},
        surface,
    )


def _all_entries(categories: Sequence[tuple[str, str, Sequence[str]]]) -> Iterable[str]:
    for group in curated.EQUIVALENT:
        yield from group
    for key, narrower in curated.BROADER.items():
        yield key
        yield from narrower
    for name_ru, name_en, synonyms in categories:
        yield name_ru
        yield name_en
        yield from synonyms


# --- queries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Concept:
    """One query word; a query is an AND of concepts."""

    word: str  # the word as understood (after correction), normalized
    terms: frozenset[str]  # stems that are the word (prefixes when `prefix`)
    synonyms: frozenset[str]  # stems of synonyms and narrower terms the index holds
    prefix: bool  # the word is still being typed: match `terms` as prefixes of stems
    corrected: bool  # `word` differs from what was typed (typo, layout, transliteration)
    optional: bool = False  # a generic word: counts towards relevance but does not narrow


@dataclass(frozen=True)
class AnalyzedQuery:
    concepts: tuple[Concept, ...]
    corrected_query: str | None  # the query with corrected words; None when nothing was corrected
    ages: tuple[int, ...] = ()  # ages the query names («футбол 8 лет»); not turned into concepts
    free: bool = False  # the query asks for free entries («бесплатные кружки»)

    def is_empty(self) -> bool:
        return not self.concepts


@lru_cache(maxsize=1)
def _audience_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in AUDIENCE_WORDS)


@dataclass
class _Token:
    text: str  # normalized token as typed
    chunk: int  # index of the whitespace-separated piece of the query it came from
    shown: str = ""  # what the corrected query shows for it ("" = drop from the display)
    word: str = ""  # the word understood; "" = not a concept
    stem: str = ""  # its stem (the typed prefix for a prefix concept)
    prefix: bool = False
    corrected: bool = False
    age: bool = False  # part of an age («8 лет»), not a word to look for
    optional: bool = False  # a generic word («кружок», «уроки»): ranks, does not narrow


def _typing_stem(word: str, vocabulary: Vocabulary) -> str | None:
    """The indexed stem an unfinished adjective is being built on: «футбольн» → «футбол»."""
    for cut in range(1, min(8, len(word) - 3) + 1):
        head, tail = word[:-cut], word[-cut:]
        if tail in _DERIVATION_TAILS:
            base = stem(head)
            # The head must be the start of the indexed word itself: «рисоване|е» is no adjective.
            if vocabulary.has_stem(base) and vocabulary.word_for(base).startswith(head):
                return base
    return None


def _mark_ages(tokens: list[_Token]) -> tuple[int, ...]:
    ages: list[int] = []
    for j, token in enumerate(tokens):
        if token.text not in _AGE_WORDS:
            continue
        numbers: list[int] = []
        k = j - 1
        while k >= 0 and (tokens[k].text.isdigit() or tokens[k].text in _AGE_JOINERS):
            if tokens[k].text.isdigit():
                if len(tokens[k].text) > 2 or int(tokens[k].text) > 18:
                    break
                numbers.append(int(tokens[k].text))
            k -= 1
        if numbers:
            for t in tokens[k + 1 : j + 1]:
                t.age = True
            ages.extend(reversed(numbers))
    return tuple(ages)


def _other_layout(chunk: str) -> str | None:
    """The single word the same keys make on the other layout, if they make one."""
    raw = chunk.lower()
    if _CYRILLIC.search(raw) and not _LATIN.search(raw):
        converted = tokenize(raw.translate(_LAYOUT_TO_LATIN))
    elif _LATIN.search(raw) and not _CYRILLIC.search(raw):
        converted = tokenize(raw.translate(_LAYOUT_TO_CYRILLIC))
    else:
        return None
    return converted[0] if len(converted) == 1 else None


def _known_elsewhere(word: str, vocabulary: Vocabulary, thesaurus: Thesaurus) -> bool:
    """A word the index lacks but the thesaurus knows («плавать»); the index has the last word
    on stems it holds («рисованее» is a typo however the thesaurus spells «рисование»)."""
    return not vocabulary.has_stem(stem(word)) and thesaurus.knows(word)


def _layout_word(
    layout: str, vocabulary: Vocabulary, thesaurus: Thesaurus, *, typing: bool, fuzzy: bool
) -> tuple[str, str, bool, str] | None:
    """(word, stem, prefix?, shown) for a piece typed on the wrong layout: the word it makes
    when the index or the thesaurus knows it; with `fuzzy`, also the word being typed or the
    closest word (a single typed token leaves those to `_understand`, where they compete with
    the token's own corrections)."""
    if vocabulary.knows(layout) or _known_elsewhere(layout, vocabulary, thesaurus):
        return layout, stem(layout), False, layout
    if not fuzzy:
        return None
    if typing and len(layout) >= MIN_PREFIX and vocabulary.has_prefix(layout):
        return layout, layout, True, vocabulary.complete(layout) or layout
    found = vocabulary.correction(layout, by_target=True) or thesaurus.correction(layout)
    return (found[0], stem(found[0]), False, found[0]) if found else None


def _understand(
    token: _Token, vocabulary: Vocabulary, thesaurus: Thesaurus, *, typing: bool, layout: str | None
) -> None:
    word = token.text
    token.shown = word
    if word.isdigit() or vocabulary.knows(word) or _known_elsewhere(word, vocabulary, thesaurus):
        token.word, token.stem = word, stem(word)
        return
    if typing:
        stem_ = stem(word)
        if vocabulary.has_stem(stem_) and vocabulary.word_for(stem_).startswith(word):
            token.word, token.stem = word, stem_
            return
        if len(word) >= MIN_PREFIX and vocabulary.has_prefix(word):
            token.word, token.stem, token.prefix = word, word, True
            return
        base = _typing_stem(word, vocabulary)
        if base is not None:
            token.word, token.stem = word, base
            return
        if layout and len(layout) >= MIN_PREFIX and vocabulary.has_prefix(layout):
            token.word, token.stem, token.prefix, token.corrected = layout, layout, True, True
            token.shown = vocabulary.complete(layout) or layout
            return
    # Candidates: (distance, preference, word); the closest wins, then the earlier kind.
    candidates: list[tuple[int, int, str]] = []
    latin = bool(_LATIN.search(word))
    if latin:
        found = vocabulary.from_latin(word)
        if found:
            candidates.append((found[1], 0, found[0]))
        known = thesaurus.from_latin(word)
        if known:
            candidates.append((0, 1, known))
    found = vocabulary.correction(word)
    if found:
        candidates.append((found[1], 2, found[0]))
    if layout:
        found = vocabulary.correction(layout, by_target=True)
        if found:
            candidates.append((found[1], 3, found[0]))
    found = thesaurus.correction(word)
    if found:
        candidates.append((found[1], 4, found[0]))
    if candidates:
        fixed = min(candidates)[2]
        token.word, token.stem, token.corrected, token.shown = fixed, stem(fixed), True, fixed
        return
    if typing and len(word) < MIN_PREFIX:
        token.word = ""  # one or two letters of an unknown word: nothing to look for yet
        return
    token.word, token.stem = word, stem(word)


def _terms(token: _Token, vocabulary: Vocabulary) -> frozenset[str]:
    """The stems that are this word: its own, and the same word in the other alphabet when the
    index holds it («lego» and «лего»)."""
    terms = {token.stem}
    if token.prefix or len(token.word) < 4 or token.word.isdigit():
        return frozenset(terms)
    if _CYRILLIC.search(token.word):
        latin = vocabulary.latin_form(token.word)
        if latin:
            terms.add(stem(latin))
    else:
        found = vocabulary.from_latin(token.word)
        if found and found[1] == 0:
            terms.add(stem(found[0]))
    return frozenset(terms)


def analyze_query(q: str, *, vocabulary: Vocabulary, thesaurus: Thesaurus) -> AnalyzedQuery:
    """The concepts of a parent's query. `q` not ending in whitespace means its last word may be
    unfinished (the page searches as you type): it may then match as a prefix. Never raises."""
    text = str(q)[:MAX_QUERY]
    typing = bool(text) and not text[-1].isspace()
    chunks = text.split()
    tokens = [_Token(word, i) for i, chunk in enumerate(chunks) for word in tokenize(chunk)]
    ages = _mark_ages(tokens)
    free = False
    last = len(chunks) - 1

    by_chunk: dict[int, list[_Token]] = {}
    for token in tokens:
        token.shown = token.text
        if not token.age:
            by_chunk.setdefault(token.chunk, []).append(token)

    def known(word: str) -> bool:
        return word.isdigit() or vocabulary.knows(word) or _known_elsewhere(word, vocabulary, thesaurus)

    wanted: list[_Token] = []
    for index, chunk_tokens in by_chunk.items():
        if len(wanted) >= MAX_CONCEPTS:
            break
        typing_here = typing and index == last
        meaningful = [
            t
            for t in chunk_tokens
            if _meaningful(t.text) and t.text not in FILLER_WORDS and t.text not in STOP_WORDS
        ]
        # The same keys on the other layout, for a piece none of whose words is known; pieces
        # of stop words and single letters count too («if[v» is «шахм»).
        layout = None
        if (meaningful or len(chunk_tokens) > 1) and not any(known(t.text) for t in chunk_tokens):
            layout = _other_layout(chunks[index])
        if (
            layout is not None
            and _LATIN.search(chunks[index])
            and (layout in STOP_WORDS or layout in FILLER_WORDS)
        ):
            # «yf» is «на»: shown in a corrected query, but no correction worth a message alone.
            # (Not the other way: an unknown Russian word is not an English «an» or «to».)
            for t in chunk_tokens:
                t.shown = ""
            chunk_tokens[0].shown = layout
            continue
        if layout is not None:
            whole = _layout_word(
                layout,
                vocabulary,
                thesaurus,
                typing=typing_here,
                fuzzy=len(chunk_tokens) > 1 or not meaningful,
            )
            if whole is not None:
                # «aen,jk»: the comma was «б»; the whole piece is one word on the other layout.
                first = chunk_tokens[0]
                for t in chunk_tokens[1:]:
                    t.shown = ""
                first.word, first.stem, first.prefix, first.shown = whole
                first.corrected = True
                wanted.append(first)
                continue
        for token in meaningful:
            if token.text in FREE_WORDS:
                free = True
                token.shown = token.text
                continue
            if token.text in GENERIC_WORDS:
                token.word, token.stem, token.shown, token.optional = (
                    token.text,
                    stem(token.text),
                    token.text,
                    True,
                )
                wanted.append(token)
                continue
            _understand(
                token,
                vocabulary,
                thesaurus,
                typing=typing_here and token is chunk_tokens[-1],
                layout=layout if len(chunk_tokens) == 1 else None,
            )
            if token.word:
                wanted.append(token)
    audience = _audience_stems()
    soft = [
        t for t in wanted if (stem(vocabulary.complete(t.word) or t.word) if t.prefix else t.stem) in audience
    ]
    if len(soft) < len(wanted):
        wanted = [t for t in wanted if t not in soft]
    if wanted and all(t.optional for t in wanted):
        # «кружки», «секции» alone: any activity is one; nothing to look for in the text.
        wanted = []
    wanted = wanted[:MAX_CONCEPTS]

    # Phrases typed as a whole expand as one («боевые искусства»); their words lose their own
    # expansions («искусства» alone would bring the whole arts catalogue).
    phrase_synonyms: dict[int, frozenset[str]] = {}
    phrase_stems = [stem(vocabulary.complete(t.word) or t.word) if t.prefix else t.stem for t in wanted]
    i = 0
    while i < len(wanted):
        for length in range(min(thesaurus.max_phrase, MAX_PHRASE, len(wanted) - i), 1, -1):
            expansion = thesaurus.expand_phrase(phrase_stems[i : i + length])
            if expansion is not None:
                for j in range(i, i + length):
                    phrase_synonyms[j] = expansion
                i += length - 1
                break
        i += 1

    concepts: list[Concept] = []
    seen: set[frozenset[str]] = set()
    for position, token in enumerate(wanted):
        terms = _terms(token, vocabulary)
        if terms in seen:
            continue
        seen.add(terms)
        if position in phrase_synonyms:
            expansion = phrase_synonyms[position]
        elif token.prefix:
            completion = vocabulary.complete(token.word) if len(token.word) >= 4 else None
            expansion = thesaurus.expand(stem(completion)) if completion else frozenset()
        else:
            expansion = frozenset().union(*(thesaurus.expand(t) for t in terms))
        synonyms = frozenset(s for s in expansion if s not in terms and vocabulary.has_stem(s))
        concepts.append(Concept(token.word, terms, synonyms, token.prefix, token.corrected, token.optional))

    corrected_query = None
    if any(t.corrected for t in tokens):
        corrected_query = " ".join(t.shown for t in tokens if t.shown) or None
    return AnalyzedQuery(tuple(concepts), corrected_query, ages, free)
