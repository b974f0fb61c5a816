"""SQLite: an FTS5 table over SearchDocument's analyzed text, kept in step by triggers.

External content (the text lives once, in search_searchdocument) and triggers mean every write
to a document updates the full-text index in the same statement, so in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from kruzhok.search.backends import Field, Lookup, ids_from_text, safe_terms

# Table names are constants and user words travel as parameters: the f-strings below only
# assemble trusted identifiers (hence the S608 exceptions).
TABLE = "search_searchdocument"
FTS = "search_fts"
_COLUMNS = {"strong": "{text_strong}", "weak": "{text_weak}", "any": "{text_strong text_weak}"}

_INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(
        text_strong, text_weak, content='{TABLE}', content_rowid='activity_id',
        tokenize='unicode61 remove_diacritics 0', prefix='2 3 4', detail='column')""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS}(rowid, text_strong, text_weak)
        VALUES (new.activity_id, new.text_strong, new.text_weak); END""",  # noqa: S608 (table names are constants)  # nosec B608
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, text_strong, text_weak)
        VALUES ('delete', old.activity_id, old.text_strong, old.text_weak); END""",  # noqa: S608 (table names are constants)  # nosec B608
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE OF text_strong, text_weak ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, text_strong, text_weak)
        VALUES ('delete', old.activity_id, old.text_strong, old.text_weak);
        INSERT INTO {FTS}(rowid, text_strong, text_weak)
        VALUES (new.activity_id, new.text_strong, new.text_weak); END""",  # noqa: S608 (table names are constants)  # nosec B608
]


class SqliteBackend:
    vendor = "sqlite"

    def install(self, conn: BaseDatabaseWrapper) -> None:
        with conn.cursor() as cursor:
            for statement in _INSTALL:
                cursor.execute(statement)

    def upgrade(self, conn: BaseDatabaseWrapper) -> None:
        """Migration 0002 (PostgreSQL's storage changed; FTS5's did not)."""

    def uninstall(self, conn: BaseDatabaseWrapper) -> None:
        with conn.cursor() as cursor:
            for suffix in ("ai", "ad", "au"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {FTS}_{suffix}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS}")

    def match(
        self, terms: Iterable[str], *, prefixes: Iterable[str] = (), field: Field = "any"
    ) -> np.ndarray:
        return self.match_many([Lookup(frozenset(terms), frozenset(prefixes), field)])[0]

    def match_many(self, lookups: Sequence[Lookup]) -> list[np.ndarray]:
        """Several lookups in one statement: one round trip for a query word's fields."""
        expressions: list[str | None] = []
        for lookup in lookups:
            words = [f'"{t}"' for t in safe_terms(lookup.terms)] + [
                f'"{p}"*' for p in safe_terms(lookup.prefixes)
            ]
            expressions.append(f"{_COLUMNS[lookup.field]} : ({' OR '.join(words)})" if words else None)
        wanted = [e for e in expressions if e is not None]
        if not wanted:
            return [np.empty(0, dtype=np.int64) for _ in lookups]
        select = f"(SELECT group_concat(rowid) FROM {FTS} WHERE {FTS} MATCH %s)"  # noqa: S608 (table name is a constant, the query is a parameter)  # nosec B608
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([select] * len(wanted)), wanted)
            row = list(cursor.fetchone() or [])
        found = iter(row)
        return [
            ids_from_text(next(found)) if e is not None else np.empty(0, dtype=np.int64) for e in expressions
        ]

    def after_bulk_load(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")  # noqa: S608 (table name is a constant)  # nosec B608
