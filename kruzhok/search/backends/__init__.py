"""Full-text matching, one class per database; everything else in search is shared.

A backend only answers "which documents contain any of these stems in this field", as a sorted
array of activity ids. Ranking, filters and facets run on the in-memory columns of
`kruzhok.search.store` for both databases, which is why SQLite ranks exactly as PostgreSQL does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

Field = Literal["strong", "weak", "any"]


@dataclass(frozen=True)
class Lookup:
    """Documents with any of `terms` (or a word starting with one of `prefixes`) in `field`."""

    terms: frozenset[str]
    prefixes: frozenset[str] = frozenset()
    field: Field = "any"


# The analyzer only emits these characters; anything else never reaches vendor SQL.
SAFE_TERM = re.compile(r"^[0-9a-zа-я]{1,60}$")


class Backend(Protocol):
    vendor: str

    def install(self, conn: BaseDatabaseWrapper) -> None: ...
    def upgrade(self, conn: BaseDatabaseWrapper) -> None: ...
    def uninstall(self, conn: BaseDatabaseWrapper) -> None: ...
    def match(
        self, terms: Iterable[str], *, prefixes: Iterable[str] = (), field: Field = "any"
    ) -> np.ndarray: ...
    def match_many(self, lookups: Sequence[Lookup]) -> list[np.ndarray]: ...
    def after_bulk_load(self) -> None: ...


def ids_from_text(text: str | None) -> np.ndarray:
    """Sorted ids from a comma-separated list: the database joins them in C, numpy parses them in
    C; fetching 70,000 one-column rows as Python tuples took ten times as long."""
    if not text:
        return np.empty(0, dtype=np.int64)
    ids = np.fromstring(text, dtype=np.int64, sep=",")
    ids.sort()
    return ids


def safe_terms(terms: Iterable[str]) -> list[str]:
    return sorted({t for t in terms if SAFE_TERM.match(t)})


def for_connection(conn: BaseDatabaseWrapper | None = None) -> Backend:
    conn = conn or connection
    if conn.vendor == "postgresql":
        from kruzhok.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    if conn.vendor == "sqlite":
        from kruzhok.search.backends.sqlite import SqliteBackend

        return SqliteBackend()
    raise NotImplementedError(f"No search backend for {conn.vendor}")
