"""Directions, categories and okrugs as search sees them: small, read often, cached briefly."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from kruzhok.core.text import fold

# The taxonomy changes through the admin a few times a year; a minute of staleness is harmless.
TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Taxonomy:
    directions: dict[str, tuple[int, str, str]]  # slug -> (id, name_ru, name_en)
    categories: dict[str, tuple[int, str, str, str]]  # slug -> (id, name_ru, name_en, direction slug)
    category_rows: list[tuple[str, str, list[str]]]  # (name_ru, name_en, synonyms) for the thesaurus
    category_synonyms: dict[int, list[str]]  # category id -> synonyms
    okrugs: dict[str, int]  # okrug name -> District id
    okrug_keys: dict[str, str]  # folded name or slug -> name


_cache: tuple[float, Taxonomy] | None = None


def load() -> Taxonomy:
    global _cache
    now = time.monotonic()
    if _cache is not None and now - _cache[0] < TTL_SECONDS:
        return _cache[1]
    from kruzhok.catalog.models import Category, Direction
    from kruzhok.places.models import District

    directions = {d.slug: (d.pk, d.name_ru, d.name_en) for d in Direction.objects.all()}
    by_id = {pk: slug for slug, (pk, _ru, _en) in directions.items()}
    categories = {}
    rows = []
    synonyms = {}
    for c in Category.objects.all():
        categories[c.slug] = (c.pk, c.name_ru, c.name_en, by_id.get(c.direction_id, ""))
        synonyms[c.pk] = [str(s) for s in c.synonyms or []]
        rows.append((c.name_ru, c.name_en, synonyms[c.pk]))
    okrugs = {}
    keys = {}
    for d in District.objects.filter(kind=District.Kind.OKRUG, city=settings.CITY_NAME):
        okrugs[d.name] = d.pk
        keys[fold(d.name)] = d.name
        keys[fold(d.slug)] = d.name
    taxonomy = Taxonomy(directions, categories, rows, synonyms, okrugs, keys)
    _cache = (now, taxonomy)
    return taxonomy


def clear() -> None:
    global _cache
    _cache = None


def direction_slugs() -> set[str]:
    return set(load().directions)


def category_slugs() -> set[str]:
    return set(load().categories)


def okrug_name(text: str) -> str | None:
    """The okrug a parameter names, by name or slug, case- and ё-insensitively."""
    from kruzhok.places import gazetteer

    keys = load().okrug_keys
    folded = fold(text)
    return keys.get(folded) or keys.get(fold(gazetteer.okrug_named(text, settings.CITY_NAME) or ""))
