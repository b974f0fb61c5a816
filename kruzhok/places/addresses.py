"""How Russians write street addresses, reduced to comparable keys.

The same functions normalize OpenStreetMap names when the gazetteer is built and user text when it
is geocoded, so «ул. Лукашевича, 10», «Лукашевича 10» and OSM's «улица Лукашевича» + «10» meet on
the keys `лукашевича` and `10`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kruzhok.core.text import fold

# Canonical street-type word -> every way it is written (folded, without the trailing dot).
STREET_TYPES: dict[str, tuple[str, ...]] = {
    "улица": ("улица", "ул"),
    "проспект": ("проспект", "просп", "пр-т", "прт", "пр-кт", "пркт", "пр"),
    "переулок": ("переулок", "пер", "пер-к"),
    "бульвар": ("бульвар", "б-р", "бр", "бул", "бульв"),
    "проезд": ("проезд", "пр-д", "прд", "пр"),
    "площадь": ("площадь", "пл"),
    "набережная": ("набережная", "наб"),
    "тракт": ("тракт", "тр-т"),
    "шоссе": ("шоссе", "ш"),
    "микрорайон": ("микрорайон", "мкр", "мкрн", "мр-н", "мкр-н"),
    "посёлок": ("поселок", "пос", "п", "пгт"),
    "дорога": ("дорога", "дор"),
    "городок": ("городок",),
    "аллея": ("аллея", "ал"),
    "тупик": ("тупик", "туп"),
}
_TYPE_OF_TOKEN: dict[str, frozenset[str]] = {}
for _canonical, _forms in STREET_TYPES.items():
    for _form in _forms:
        _TYPE_OF_TOKEN[_form] = _TYPE_OF_TOKEN.get(_form, frozenset()) | {_canonical}

# Words that precede a surname in a street name and that people often leave out
# («улица Маршала Жукова» is «Жукова» to everyone).
NAME_PREFIXES = frozenset(
    "маршала академика генерала адмирала архиепископа героя профессора лизы карла василия "
    "владимира ивана богдана демьяна марка михаила петра сакена сергея сулеймана федора чокана "
    "ярослава арнольда олега имени им".split()
)
_NOISE_TOKENS = frozenset({"им", "имени", "д", "дом"})

_PUNCT = re.compile(r"[.,;:!?«»\"'()\[\]{}№#*_+=<>|\\~`^$%&@]")
_LETTER_DIGIT = re.compile(r"(?<=[а-яa-z])(?=\d)")
_ORDINAL = re.compile(r"^(\d{1,3})-?(?:я|й|ий|ый|ая|ой|е|го|ого|ье|ья|ым|ом)$")
_ANNIVERSARY = re.compile(r"^(\d{1,3})-?летия$")  # «50-летия ВЛКСМ» is also written «50 лет ВЛКСМ»

# A house number at the end of an address: «д. 10», «10а», «10 А», «10/1», «10 к2», «10 корп. 2».
HOUSE_TAIL = re.compile(
    r"(?:^|\s)(?:(?:д|дом)\s*)?"
    r"(?P<num>\d{1,4})\s*-?\s*(?P<letter>[а-ик-щэю](?![а-я])(?!\s*\d))?"
    r"(?:\s*/\s*(?P<slash>\d{1,4})\s*(?P<slash_letter>[а-я](?![а-я]))?)?"
    r"(?:\s*(?:к|корп|корпус|кор)\s*(?P<korp>\d{1,3}(?:/\d{1,3})?|[а-я](?![а-я])))?"
    r"(?:\s*(?:стр|строение|с)\s*(?P<building>\d{1,3}))?"
    r"(?:\s*(?:лит|литер|литера)\s*(?P<lit>[а-я](?:\s*\d)?))?\s*$"
)


@dataclass(frozen=True)
class HouseNumber:
    num: int
    letter: str = ""
    slash: str = ""
    korp: str = ""
    building: str = ""
    lit: str = ""

    @property
    def key(self) -> str:
        """The comparable form: «10А», «10 а», «10-а» are all `10а`; «10 к2» and «д.10 корп.2» are `10к2`."""
        key = f"{self.num}{self.letter}"
        if self.slash:
            key += f"/{self.slash}"
        if self.korp:
            key += f"к{self.korp}"
        if self.building:
            key += f"с{self.building}"
        if self.lit:
            key += f"л{self.lit}"
        return key

    @property
    def display(self) -> str:
        """How an address book writes it: «10А», «10/1», «10 к2»."""
        text = f"{self.num}{self.letter.upper()}"
        if self.slash:
            text += f"/{self.slash}"
        if self.korp:
            text += f" к{self.korp.upper() if self.korp.isalpha() else self.korp}"
        if self.building:
            text += f" стр{self.building}"
        if self.lit:
            text += f" лит{self.lit.upper()}"
        return text


def _house_from_match(match: re.Match[str]) -> HouseNumber:
    letter = match["letter"] or ""
    slash = (match["slash"] or "") + (match["slash_letter"] or "")
    return HouseNumber(
        num=int(match["num"]),
        letter=letter,
        slash=slash,
        korp=match["korp"] or "",
        building=match["building"] or "",
        lit=(match["lit"] or "").replace(" ", ""),
    )


def clean(text: str) -> str:
    """fold() plus: punctuation to spaces, «Лукашевича10» split, hyphens kept only inside words."""
    text = fold(text)
    text = _PUNCT.sub(" ", text)
    text = _LETTER_DIGIT.sub(" ", text)
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"(?<!\w)-|-(?!\w)", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def parse_house(text: str) -> HouseNumber | None:
    """A house number written on its own («4А», «1 к4», «13/1», «д. 10 корп. 2»)."""
    match = HOUSE_TAIL.fullmatch(" " + clean(text))
    return _house_from_match(match) if match else None


def split_house(cleaned: str) -> tuple[str, HouseNumber | None]:
    """Split «лукашевича 10 к2» into («лукашевича», 10к2); the street part must keep a letter."""
    match = HOUSE_TAIL.search(cleaned)
    if match is None:
        return cleaned, None
    street = cleaned[: match.start()].strip()
    if not re.search(r"[а-яa-z]", street):
        return cleaned, None
    return street, _house_from_match(match)


@dataclass(frozen=True)
class StreetKey:
    core: str  # the name without its type word: «3 транспортная», «лукашевича», «10 лет октября»
    types: frozenset[str]  # canonical type words seen: {"улица"}; ambiguous «пр» gives two


def street_key(text: str) -> StreetKey:
    """Reduce a street name (OSM's or a user's, without the house) to its core and type words."""
    core: list[str] = []
    types: set[str] = set()
    for token in clean(text).split(" "):
        if not token:
            continue
        if token in _TYPE_OF_TOKEN:
            types |= _TYPE_OF_TOKEN[token]
            continue
        if token in _NOISE_TOKENS:
            continue
        ordinal = _ORDINAL.match(token)
        anniversary = _ANNIVERSARY.match(token)
        if ordinal:
            core.append(ordinal.group(1))
        elif anniversary:
            core += [anniversary.group(1), "лет"]
        elif len(token) == 1 and token.isalpha():
            continue  # an initial: «В.Иванова», «К. Маркса»
        else:
            core.append(token)
    return StreetKey(core=" ".join(core), types=frozenset(types))


def street_aliases(osm_name: str) -> list[str]:
    """Every core under which people look an OSM street up, the full core first."""
    key = street_key(osm_name)
    aliases = [key.core] if key.core else []
    words = key.core.split(" ")
    stripped = list(words)
    while len(stripped) > 1 and stripped[0] in NAME_PREFIXES:
        stripped = stripped[1:]
        aliases.append(" ".join(stripped))
    return list(dict.fromkeys(alias for alias in aliases if alias))
