"""Text normalisation shared by the gazetteer, the importer and (later) search."""

import re
import unicodedata

from django.utils.text import slugify

_SPACES = re.compile(r"\s+")

_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya",
    }
)  # fmt: skip


def fold(text: str) -> str:
    """Lower-case, ё→е, NFC, single spaces: the form every comparison uses."""
    text = unicodedata.normalize("NFC", text).lower().replace("ё", "е")
    return _SPACES.sub(" ", text).strip()


def russian_slug(text: str, max_length: int = 80) -> str:
    """A readable Latin slug for URLs (`/activities/12-shahmaty/`)."""
    slug = slugify(fold(text).translate(_TRANSLIT))
    return slug[:max_length].strip("-") or "item"
