"""PostgreSQL: tsvectors of SearchDocument's analyzed text in two narrow side tables, with GIN.

The analyzer has already stemmed the text, so the 'simple' configuration only splits on spaces,
and positions are stripped: matching needs none (ranking is ours), and without them the
description table is a third of the size, so its heap pages stay in shared buffers (a word in
50,000 descriptions: 150 ms → 40 ms).
A trigger on search_searchdocument keeps the side tables in step in the same statement, so in
the same transaction. Why side tables: PostgreSQL must visit the heap for every row a GIN index
finds; with the tsvector on the wide document row (card JSON, text) 8,000 matches touched 2,700
pages (16 ms); a narrow table stays in shared buffers and packs ~40 rows per page.
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
SIDE = {"strong": "search_pg_strong", "weak": "search_pg_weak"}

_INSTALL = [
    f"""CREATE TABLE IF NOT EXISTS {SIDE["strong"]} (
        activity_id integer PRIMARY KEY, tsv tsvector NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS {SIDE["weak"]} (
        activity_id integer PRIMARY KEY, tsv tsvector NOT NULL)""",
    f"CREATE INDEX IF NOT EXISTS search_pg_strong_tsv ON {SIDE['strong']} USING gin (tsv)",
    f"CREATE INDEX IF NOT EXISTS search_pg_weak_tsv ON {SIDE['weak']} USING gin (tsv)",
    f"""CREATE OR REPLACE FUNCTION search_pg_sync() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM {SIDE["strong"]} WHERE activity_id = OLD.activity_id;
            DELETE FROM {SIDE["weak"]} WHERE activity_id = OLD.activity_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO {SIDE["strong"]} VALUES (NEW.activity_id, strip(to_tsvector('simple'::regconfig, NEW.text_strong)));
            INSERT INTO {SIDE["weak"]} VALUES (NEW.activity_id, strip(to_tsvector('simple'::regconfig, NEW.text_weak)));
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",  # noqa: S608 (table names are constants)  # nosec B608
    f"DROP TRIGGER IF EXISTS search_pg_sync ON {TABLE}",
    f"""CREATE TRIGGER search_pg_sync AFTER INSERT OR DELETE OR UPDATE OF text_strong, text_weak
        ON {TABLE} FOR EACH ROW EXECUTE FUNCTION search_pg_sync()""",
]


class PostgresBackend:
    vendor = "postgresql"

    def install(self, conn: BaseDatabaseWrapper) -> None:
        with conn.cursor() as cursor:
            for statement in _INSTALL:
                cursor.execute(statement)

    def upgrade(self, conn: BaseDatabaseWrapper) -> None:
        """Migration 0002: the trigger that strips positions, and the rows written before it."""
        self.install(conn)
        with conn.cursor() as cursor:
            for table in SIDE.values():
                cursor.execute(f"UPDATE {table} SET tsv = strip(tsv) WHERE length(tsv) > 0")  # noqa: S608 (table names are constants)  # nosec B608

    def uninstall(self, conn: BaseDatabaseWrapper) -> None:
        with conn.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS search_pg_sync ON {TABLE}")
            cursor.execute("DROP FUNCTION IF EXISTS search_pg_sync()")
            for table in SIDE.values():
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def match(
        self, terms: Iterable[str], *, prefixes: Iterable[str] = (), field: Field = "any"
    ) -> np.ndarray:
        return self.match_many([Lookup(frozenset(terms), frozenset(prefixes), field)])[0]

    def match_many(self, lookups: Sequence[Lookup]) -> list[np.ndarray]:
        """Several lookups in one statement: one round trip and one planning for a query word."""
        selects: list[str] = []
        args: list[str] = []
        present: list[bool] = []
        for lookup in lookups:
            words = safe_terms(lookup.terms) + [f"{p}:*" for p in safe_terms(lookup.prefixes)]
            present.append(bool(words))
            if not words:
                continue
            query = " | ".join(words)
            tables = [SIDE["strong"], SIDE["weak"]] if lookup.field == "any" else [SIDE[lookup.field]]
            union = " UNION ".join(
                f"SELECT activity_id FROM {table} WHERE tsv @@ to_tsquery('simple'::regconfig, %s)"  # noqa: S608 (table names are constants, words are parameters)  # nosec B608
                for table in tables
            )
            selects.append(f"(SELECT string_agg(activity_id::text, ',') FROM ({union}) AS found)")  # noqa: S608 (built from constants above)  # nosec B608
            args += [query] * len(tables)
        if not selects:
            return [np.empty(0, dtype=np.int64) for _ in lookups]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(selects), args)
            row = list(cursor.fetchone() or [])
        found = iter(row)
        return [ids_from_text(next(found)) if ok else np.empty(0, dtype=np.int64) for ok in present]

    def after_bulk_load(self) -> None:
        with connection.cursor() as cursor:
            for table in (TABLE, *SIDE.values()):
                cursor.execute(f"ANALYZE {table}")
