"""PostgreSQL: generated tsvector columns over SearchDocument's analyzed text, with GIN indexes.

The analyzer has already stemmed the text, so the 'simple' configuration only splits on spaces;
generated columns are recomputed by PostgreSQL in the statement that changes the text.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from kruzhok.search.backends import Field, ids_from_text, safe_terms

TABLE = "search_searchdocument"

_INSTALL = [
    f"""ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS tsv_strong tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, text_strong)) STORED""",
    f"""ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS tsv_weak tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, text_weak)) STORED""",
    f"CREATE INDEX IF NOT EXISTS search_tsv_strong ON {TABLE} USING gin (tsv_strong)",
    f"CREATE INDEX IF NOT EXISTS search_tsv_weak ON {TABLE} USING gin (tsv_weak)",
]


class PostgresBackend:
    vendor = "postgresql"

    def install(self, conn: BaseDatabaseWrapper) -> None:
        with conn.cursor() as cursor:
            for statement in _INSTALL:
                cursor.execute(statement)

    def uninstall(self, conn: BaseDatabaseWrapper) -> None:
        with conn.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_tsv_strong")
            cursor.execute("DROP INDEX IF EXISTS search_tsv_weak")
            cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS tsv_strong")
            cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS tsv_weak")

    def match(
        self, terms: Iterable[str], *, prefixes: Iterable[str] = (), field: Field = "any"
    ) -> np.ndarray:
        words = safe_terms(terms) + [f"{p}:*" for p in safe_terms(prefixes)]
        if not words:
            return np.empty(0, dtype=np.int64)
        query = " | ".join(words)
        if field == "any":
            condition = (
                "(tsv_strong @@ to_tsquery('simple'::regconfig, %s) "
                "OR tsv_weak @@ to_tsquery('simple'::regconfig, %s))"
            )
            args = [query, query]
        else:
            condition = f"tsv_{field} @@ to_tsquery('simple'::regconfig, %s)"
            args = [query]
        with connection.cursor() as cursor:
            # Constant table and column names; the words are a parameter.
            cursor.execute(f"SELECT string_agg(activity_id::text, ',') FROM {TABLE} WHERE {condition}", args)  # noqa: S608
            row = cursor.fetchone()
        return ids_from_text(row[0] if row else None)

    def after_bulk_load(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
