"""Backups of the live database while the site keeps writing to it, and restores of them.

SQLite: the online backup API copies the pages inside one read transaction of the source, so the
copy is the database as of that instant (WAL lets writers go on meanwhile), then the copy is
checked with `PRAGMA integrity_check` and renamed into place. PostgreSQL: `pg_dump -Fc` of a
snapshot exported by a REPEATABLE READ transaction, in which the row counts are taken too, so the
summary describes exactly the rows in the file. Restores check the file first (kind, completeness,
that it is a Kruzhok database) and change nothing when it is refused.

Uploaded media (MEDIA_ROOT) are files, not rows: `archive_media` tars them next to the dump.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 — pg_dump / pg_restore, with argument lists and no shell  # nosec B404
import tarfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
EXTENSIONS = {"sqlite": "sqlite3", "postgresql": "dump", "media": "tar.gz"}
# Pages copied per step of the SQLite backup API (4 MiB at the default page size).
SQLITE_PAGES_PER_STEP = 1024
PROGRESS_EVERY_S = 2.0

Progress = Callable[[str], None]


class BackupError(Exception):
    """An expected failure, with a message that says what to do."""


def _quiet(_message: str) -> None:
    return None


def vendor_of(settings_dict: Mapping[str, Any]) -> str:
    engine = str(settings_dict["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Копии умеют только SQLite и PostgreSQL, а база настроена на {engine}.")


def main_tables() -> dict[str, str]:
    """Label → table of the tables whose row counts the summaries print."""
    from django.contrib.auth import get_user_model

    from kruzhok.catalog.models import Activity, Organization
    from kruzhok.events.models import Event

    return {
        "activities": Activity._meta.db_table,
        "organizations": Organization._meta.db_table,
        "events": Event._meta.db_table,
        "users": get_user_model()._meta.db_table,
    }


def _search_state_table() -> str:
    from kruzhok.search.models import SearchState

    return SearchState._meta.db_table


def _count(cursor: Any, tables: Mapping[str, str]) -> dict[str, int]:
    counts = {}
    for label, table in tables.items():
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 — table names from the models  # nosec B608
        counts[label] = int(cursor.fetchone()[0])
    return counts


def format_counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{label} {n}" for label, n in counts.items())


def default_path(directory: Path, vendor: str, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return directory / f"kruzhok-{vendor}-{stamp}.{EXTENSIONS[vendor]}"


def ensure_private_dir(directory: Path) -> None:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    seconds: float
    counts: dict[str, int]


@dataclass(frozen=True)
class RestoreResult:
    seconds: float
    counts: dict[str, int]


def backup(settings_dict: Mapping[str, Any], path: Path, *, progress: Progress = _quiet) -> BackupResult:
    """Write a consistent copy of the database to `path` (via a temporary name, renamed at the end)."""
    vendor = vendor_of(settings_dict)
    path = Path(path)
    if path.exists():
        raise BackupError(
            f"Файл {path} уже есть: укажите другое имя, существующая копия не перезаписывается."
        )
    if not path.parent.is_dir():
        raise BackupError(f"Каталога {path.parent} нет: создайте его или укажите --dir.")
    partial = path.with_name(path.name + ".part")
    started = time.monotonic()
    try:
        if vendor == "sqlite":
            counts = _sqlite_backup(settings_dict, partial, progress)
        else:
            counts = _pg_backup(settings_dict, partial, progress)
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    except (sqlite3.Error, _pg_error()) as error:
        raise BackupError(
            f"Копия не сделана, ошибка базы: {error}. Проверьте настройки базы и что выполнен migrate."
        ) from error
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path, path.stat().st_size, time.monotonic() - started, counts)


def _sqlite_timeout(settings_dict: Mapping[str, Any]) -> float:
    return float(settings_dict.get("OPTIONS", {}).get("timeout", 20))


def _sqlite_backup(settings_dict: Mapping[str, Any], partial: Path, progress: Progress) -> dict[str, int]:
    name = str(settings_dict["NAME"])
    if not Path(name).is_file():
        raise BackupError(f"Базы SQLite {name} нет: копировать нечего.")
    source = _sqlite_connect(name, timeout=_sqlite_timeout(settings_dict), isolation_level=None)
    target = _sqlite_connect(partial, isolation_level=None)
    try:
        # One read transaction for the whole copy: every step reads the same snapshot, so writers
        # (WAL) neither wait for the backup nor make it start over.
        source.execute("BEGIN")
        counts = _count(source.cursor(), main_tables())
        last = [0.0]
        steps = 0

        def step(_status: int, remaining: int, total: int) -> None:
            nonlocal steps
            steps += 1
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY_S or remaining == 0:
                last[0] = now
                progress(f"  скопировано страниц: {total - remaining} из {total} (шагов: {steps})")

        source.backup(target, pages=SQLITE_PAGES_PER_STEP, progress=step)
        source.execute("ROLLBACK")
        # A single self-contained file, without a -wal beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        problems = _sqlite_integrity(target)
        if problems:
            raise BackupError(
                f"Копия не прошла проверку целостности: {problems}. Повторите резервное копирование."
            )
        copied = _count(target.cursor(), main_tables())
        if copied != counts:
            raise BackupError(
                f"В копии другие числа строк ({copied}, в базе {counts}); повторите копирование."
            )
    finally:
        source.close()
        target.close()
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    return counts


def _sqlite_connect(database: str | Path, **kwargs: Any) -> sqlite3.Connection:
    """A plain connection with Django's SQL functions, which CHECK constraints call (REGEXP…)."""
    from django.db.backends.sqlite3._functions import register

    connection = sqlite3.connect(database, **kwargs)
    register(connection)
    return connection


def _sqlite_integrity(connection: sqlite3.Connection) -> str:
    rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    return "" if rows == ["ok"] else "; ".join(rows[:5])


def _pg_env(settings_dict: Mapping[str, Any], dbname: str | None = None) -> dict[str, str]:
    """libpq's environment: the password never appears on a command line (`ps` shows those)."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
    for key, value in _libpq_options(settings_dict).items():
        env[_LIBPQ_ENV[key]] = str(value)
    env["PGDATABASE"] = dbname or str(settings_dict["NAME"])
    return env


# Connection options from DATABASE_URL (?sslmode=require …) that pg_dump must use as Django does.
_LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}


def _libpq_options(settings_dict: Mapping[str, Any]) -> dict[str, Any]:
    options = settings_dict.get("OPTIONS") or {}
    return {key: value for key, value in options.items() if key in _LIBPQ_ENV and value}


def _pg_connect(settings_dict: Mapping[str, Any]) -> Any:
    import psycopg

    params = {
        "dbname": settings_dict["NAME"],
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    params.update(_libpq_options(settings_dict))
    try:
        return psycopg.connect(**{k: v for k, v in params.items() if v is not None})
    except psycopg.Error as error:
        raise BackupError(
            f"Нет соединения с PostgreSQL ({settings_dict['NAME']}): {error}".strip()
        ) from error


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"Не найдена программа {name}: установите postgresql-client той же версии, что сервер."
        )
    return found


def _pg_backup(settings_dict: Mapping[str, Any], partial: Path, progress: Progress) -> dict[str, int]:
    import psycopg

    pg_dump = _tool("pg_dump")
    connection = _pg_connect(settings_dict)
    try:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.cursor() as cursor:
            # pg_dump reads this very snapshot, so the counts below describe the file exactly.
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
            counts = _count(cursor, main_tables())
        command = [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}"]
        with subprocess.Popen(  # noqa: S603 — fixed program, arguments from settings  # nosec B603
            command, env=_pg_env(settings_dict), stderr=subprocess.PIPE, text=True
        ) as process:
            while True:
                try:
                    process.wait(timeout=2)
                    break
                except subprocess.TimeoutExpired:  # every 2 s while pg_dump runs
                    size = partial.stat().st_size if partial.exists() else 0
                    progress(f"  записано {size / 1e6:.1f} МБ")
            errors = process.stderr.read() if process.stderr else ""
        if process.returncode != 0:
            raise BackupError(f"pg_dump завершился с ошибкой: {errors.strip()}")
    finally:
        connection.close()
    _pg_check_readable(partial)
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    return counts


def _pg_check_readable(path: Path) -> None:
    """Read the whole archive (a truncated one fails here, not half-way through a restore)."""
    result = subprocess.run(  # noqa: S603 (fixed program, arguments from settings)  # nosec B603
        [_tool("pg_restore"), "--file=/dev/null", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            f"Файл {path} — неполная или повреждённая копия PostgreSQL ({result.stderr.strip()}). "
            "Возьмите другую копию."
        )


def _kind(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return ""


def check_file(settings_dict: Mapping[str, Any], path: Path) -> None:
    """Refuse, with a message naming the file, anything that is not a whole backup of this kind."""
    vendor = vendor_of(settings_dict)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Файла {path} нет: укажите путь к копии (их список — в BACKUP_DIR).")
    kind = _kind(path)
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    hints = {"sqlite": "без DATABASE_URL, файл базы в SQLITE_PATH", "postgresql": "DATABASE_URL=postgres://…"}
    if not kind:
        raise BackupError(
            f"Файл {path} — не резервная копия Кружка (ни SQLite, ни pg_dump -Fc). Укажите файл, "
            "сделанный командой manage.py backup."
        )
    if kind != vendor:
        raise BackupError(
            f"Файл {path} — копия {names[kind]}, а сайт работает на {names[vendor]}. Возьмите копию "
            f"{names[vendor]} или восстановите эту там, где сайт работает на {names[kind]} ({hints[kind]})."
        )
    activity_table = main_tables()["activities"]
    if kind == "sqlite":
        try:
            copy = _sqlite_connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                problems = _sqlite_integrity(copy)
                tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            finally:
                copy.close()
        except sqlite3.DatabaseError as error:
            problems, tables = str(error), set()
        if problems:
            raise BackupError(
                f"Файл {path} повреждён или обрезан (проверка целостности: {problems}). Возьмите другую копию."
            )
        if activity_table not in tables or "django_migrations" not in tables:
            raise BackupError(f"Файл {path} — база SQLite, но не Кружка: в ней нет таблиц сайта.")
    else:
        _pg_check_readable(path)
        listing = subprocess.run(  # noqa: S603 (fixed program, arguments from settings)  # nosec B603
            [_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False
        ).stdout
        if f" TABLE public {activity_table} " not in listing:
            raise BackupError(f"Файл {path} — копия PostgreSQL, но не Кружка: в ней нет таблиц сайта.")


def _search_state(cursor: Any) -> tuple[int, int]:
    try:
        cursor.execute(f'SELECT seq, generation FROM "{_search_state_table()}" WHERE id = 1')  # noqa: S608 (table name from the model)  # nosec B608
        row = cursor.fetchone()
    except (sqlite3.DatabaseError, _pg_error()):
        return 0, 0
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _pg_error() -> type[Exception]:
    try:
        import psycopg
    except ImportError:  # pragma: no cover — SQLite-only installs
        return sqlite3.DatabaseError
    return psycopg.Error


def _renumber_search(cursor: Any, before: tuple[int, int]) -> None:
    """Past every number the old and the restored database used: each process then reloads its
    in-memory search copy whole, and no cached result page keyed by (generation, seq) is reused."""
    restored = _search_state(cursor)
    seq, generation = max(before[0], restored[0]) + 1, max(before[1], restored[1]) + 1
    cursor.execute(
        f'UPDATE "{_search_state_table()}" SET seq = %s, generation = %s WHERE id = 1'  # noqa: S608 (table name from the model)  # nosec B608
        if not isinstance(cursor, sqlite3.Cursor)
        else f'UPDATE "{_search_state_table()}" SET seq = ?, generation = ? WHERE id = 1',  # noqa: S608 (table name from the model)  # nosec B608
        (seq, generation),
    )


def restore(settings_dict: Mapping[str, Any], path: Path, *, progress: Progress = _quiet) -> RestoreResult:
    """Replace the database's contents with the backup at `path` (checked first; refused → untouched)."""
    check_file(settings_dict, path)
    started = time.monotonic()
    try:
        if vendor_of(settings_dict) == "sqlite":
            counts = _sqlite_restore(settings_dict, Path(path), progress)
        else:
            counts = _pg_restore(settings_dict, Path(path), progress)
    except (sqlite3.Error, _pg_error()) as error:
        raise BackupError(f"Ошибка базы при восстановлении из {path}: {error}.") from error
    return RestoreResult(time.monotonic() - started, counts)


def _sqlite_restore(settings_dict: Mapping[str, Any], path: Path, progress: Progress) -> dict[str, int]:
    name = Path(str(settings_dict["NAME"]))
    name.parent.mkdir(parents=True, exist_ok=True)
    source = _sqlite_connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    # The backup API in reverse, not a file copy: a copy under a live -wal file would be corrupted
    # by it; this goes through SQLite's locks and the WAL like any other write.
    target = _sqlite_connect(name, timeout=_sqlite_timeout(settings_dict), isolation_level=None)
    try:
        before = _search_state(target.cursor())
        progress(f"  копирование {path} → {name}")
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        problems = _sqlite_integrity(target)
        if problems:
            raise BackupError(f"После восстановления база не прошла проверку целостности: {problems}.")
        cursor = target.cursor()
        _renumber_search(cursor, before)
        return _count(cursor, main_tables())
    finally:
        source.close()
        target.close()


def _pg_restore(settings_dict: Mapping[str, Any], path: Path, progress: Progress) -> dict[str, int]:
    connection = _pg_connect(settings_dict)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            before = _search_state(cursor)
    finally:
        connection.close()
    progress(f"  pg_restore {path} → {settings_dict['NAME']}")
    # One transaction: a restore that fails half-way leaves the database as it was.
    command = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        f"--dbname={settings_dict['NAME']}",
        str(path),
    ]
    result = subprocess.run(  # noqa: S603 (fixed program, arguments from settings)  # nosec B603
        command, env=_pg_env(settings_dict), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            f"pg_restore не смог восстановить {path}; база осталась как была. Ошибка: {result.stderr.strip()}"
        )
    connection = _pg_connect(settings_dict)
    try:
        with connection.cursor() as cursor:
            _renumber_search(cursor, before)
            counts = _count(cursor, main_tables())
        connection.commit()
    finally:
        connection.close()
    return counts


def prune(directory: Path, vendor: str, keep: int, *, prefix: str = "kruzhok") -> list[Path]:
    """Delete all but the `keep` newest backups of this kind in `directory`; returns the deleted."""
    pattern = f"{prefix}-{vendor}-*.{EXTENSIONS[vendor]}"
    found = sorted(directory.glob(pattern), key=lambda p: p.name, reverse=True)
    doomed = found[keep:]
    for old in doomed:
        old.unlink()
    return doomed


def archive_media(media_root: Path, path: Path) -> int:
    """Tar MEDIA_ROOT (uploaded photos and ad images) to `path`; returns the number of files."""
    partial = path.with_name(path.name + ".part")
    files = 0
    try:
        with tarfile.open(partial, "w:gz") as archive:
            if media_root.is_dir():
                for item in sorted(media_root.rglob("*")):
                    if item.is_file() and not item.is_symlink():
                        archive.add(item, arcname=str(item.relative_to(media_root)), recursive=False)
                        files += 1
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return files
