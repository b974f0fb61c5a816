"""Reads over places: which District row a name written by a person refers to."""

from __future__ import annotations

from kruzhok.core.text import fold
from kruzhok.places import gazetteer
from kruzhok.places.models import District


def district_for(name: str | None, kind: str = "okrug", city: str = "Омск") -> District | None:
    """The District meant by «Кировский», «Кировский округ», «кировский АО», «КАО», «мкр. Московка».

    The gazetteer knows the spellings of its own okrugs and microdistricts; districts of other
    cities (or added later by an editor) match on their folded name or slug.
    """
    if not isinstance(name, str) or not name.strip():
        return None
    if kind == District.Kind.OKRUG:
        canonical = gazetteer.okrug_named(name, city)
    else:
        canonical = gazetteer.microdistrict_named(name, city)
    districts = District.objects.filter(city=city, kind=kind)
    if canonical:
        found = districts.filter(name=canonical).first()
        if found:
            return found
    wanted = fold(canonical or name)
    # SQLite cannot compare Cyrillic case-insensitively, so the few rows are compared in Python.
    for row in districts:
        if fold(row.name) == wanted or row.slug == wanted:
            return row
    return None
