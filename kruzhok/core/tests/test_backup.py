"""manage.py backup / restore on the database the suite runs on (SQLite or PostgreSQL).

The test database of pytest-django is never backed up or restored over: each test makes its own
scratch databases (a file for SQLite, `CREATE DATABASE` for PostgreSQL), migrated and written to
by `manage.py` subprocesses with the real settings, exactly as on a server.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from kruzhok.core import backups

ROOT = Path(settings.BASE_DIR)
SUITE = settings.DATABASES["default"]
VENDOR = backups.vendor_of(SUITE)
# Each test makes its own database of the suite's kind, outside pytest-django's fixtures.
pytestmark = pytest.mark.database
ORGS = "catalog_organization"

WRITER = """
import os
import re
from kruzhok.catalog.models import Organization
from kruzhok.catalog.tests import factories
stop, n = os.environ["KRUZHOK_TEST_STOP_FILE"], 0
while not os.path.exists(stop):
    n += 1
    if n % 10 == 0:
        factories.activity(title=f"Кружок №{n}")
    else:
        Organization.objects.create(name=f"Пишущий центр №{n}")
"""

SEED = """
from kruzhok.catalog.tests import factories
for n in range(5):
    factories.activity(title=f"Секция футбола №{n}")
factories.activity(title="Шахматный клуб «Ладья»", description="Шахматы для начинающих и турниры.")
"""

SEARCH = """
from kruzhok.search.params import parse_params
from kruzhok.search.selectors import search
params, _errors = parse_params({"q": "шахматы"})
print("FOUND", [card.title for card in search(params).results])
"""


class Scratch:
    """A database of the suite's kind, outside pytest-django's hands."""

    def __init__(self, tmp: Path, label: str) -> None:
        self.name = f"{SUITE.get('TEST', {}).get('NAME') or 'test'}_bk_{label}_{uuid.uuid4().hex[:6]}"
        if VENDOR == "sqlite":
            self.settings: dict[str, Any] = {
                "ENGINE": SUITE["ENGINE"],
                "NAME": str(tmp / f"{self.name}.sqlite3"),
                "OPTIONS": {"timeout": 20},
            }
        else:
            self.settings = {**SUITE, "NAME": self.name}
            self._admin(f'CREATE DATABASE "{self.name}"')

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            dbname="postgres",
            host=SUITE.get("HOST") or None,
            port=SUITE.get("PORT") or None,
            user=SUITE.get("USER") or None,
            password=SUITE.get("PASSWORD") or None,
            autocommit=True,
        ) as connection:
            connection.execute(sql)

    def drop(self) -> None:
        if VENDOR == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
        env["PYTHONWARNINGS"] = "ignore"
        if VENDOR == "sqlite":
            env["SQLITE_PATH"] = self.settings["NAME"]
        else:
            auth = SUITE.get("USER") or ""
            if SUITE.get("PASSWORD"):
                auth += f":{SUITE['PASSWORD']}"
            env["DATABASE_URL"] = (
                f"postgres://{auth}@{SUITE.get('HOST') or '127.0.0.1'}:{SUITE.get('PORT') or 5432}/{self.name}"
            )
        return env

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            stdin=subprocess.DEVNULL,  # never a terminal: restore would ask instead of refusing
            text=True,
            check=check,
            timeout=120,
        )

    def popen(self, *args: str, **extra_env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603 (our own manage.py, fixed arguments)
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env={**self.env(), **extra_env},
            text=True,
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if VENDOR == "sqlite":
            with closing(backups._sqlite_connect(self.settings["NAME"])) as connection:
                return list(connection.execute(sql))
        import psycopg

        with psycopg.connect(**self._params()) as connection:
            return list(connection.execute(sql))  # type: ignore[call-overload]

    def _params(self) -> dict[str, Any]:
        params = {
            "dbname": self.name,
            "host": SUITE.get("HOST") or None,
            "port": SUITE.get("PORT") or None,
            "user": SUITE.get("USER") or None,
            "password": SUITE.get("PASSWORD") or None,
        }
        return {k: v for k, v in params.items() if v is not None}

    def org_ids(self) -> set[int]:
        return {row[0] for row in self.query(f"SELECT id FROM {ORGS}")}  # noqa: S608 (a constant table name)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scratch]:
    """A migrated database with a small catalog, made once; tests copy it or back it up."""
    scratch = Scratch(tmp_path_factory.mktemp("backup-template"), "tpl")
    scratch.manage("migrate", "-v0")
    scratch.manage("shell", "-c", SEED)
    yield scratch
    scratch.drop()


@pytest.fixture
def make_scratch(tmp_path: Path) -> Iterator[Any]:
    made: list[Scratch] = []

    def make(label: str) -> Scratch:
        scratch = Scratch(tmp_path, label)
        made.append(scratch)
        return scratch

    yield make
    for scratch in made:
        scratch.drop()


@pytest.fixture
def live(template: Scratch, make_scratch: Any, tmp_path: Path) -> Scratch:
    """The «site's» database: a copy of the template, restored through the code under test."""
    seed = tmp_path / f"seed.{backups.EXTENSIONS[VENDOR]}"
    if not seed.exists():
        backups.backup(template.settings, seed)
    scratch = make_scratch("live")
    backups.restore(scratch.settings, seed)
    return scratch


def test_backup_during_writes_restores_every_row_committed_before_it(
    live: Scratch, make_scratch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many small steps, so the writer commits between them (SQLite's backup API would start over
    # on every commit if the copy did not hold one read snapshot throughout).
    monkeypatch.setattr(backups, "SQLITE_PAGES_PER_STEP", 4)
    monkeypatch.setattr(backups, "PROGRESS_EVERY_S", 0.0)
    steps: list[str] = []
    seen_during: list[int] = []

    def progress(line: str) -> None:
        steps.append(line)
        if VENDOR == "sqlite" and len(steps) in (1, 2):
            # Between the first and second steps, wait (bounded) until the writer has committed in
            # the middle of the copy: on a busy machine a fixed pause may not be enough.
            seen_during.append(len(live.org_ids()))
            deadline = time.monotonic() + 20
            while len(steps) == 1 and len(live.org_ids()) == seen_during[0] and time.monotonic() < deadline:
                time.sleep(0.02)

    stop = tmp_path / "stop"
    writer = live.popen("shell", "-c", WRITER, KRUZHOK_TEST_STOP_FILE=str(stop))
    try:
        started = live.org_ids()
        deadline = time.monotonic() + 60
        while len(live.org_ids()) < len(started) + 20:
            assert writer.poll() is None, "the writer died"
            assert time.monotonic() < deadline, "the writer wrote nothing"
            time.sleep(0.1)
        committed_before = max(live.org_ids())
        result = backups.backup(
            live.settings, tmp_path / f"during.{backups.EXTENSIONS[VENDOR]}", progress=progress
        )
        # The writer went on during the copy and goes on after it.
        grown = len(live.org_ids())
        deadline = time.monotonic() + 60
        while len(live.org_ids()) < grown + 5 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0
    if VENDOR == "sqlite":
        copied, total, taken = map(int, re.findall(r"\d+", steps[-1]))
        assert copied == total
        assert 1 < taken <= total // 4 + 1, "one pass over the pages, never started over"
        assert seen_during[-1] > seen_during[0], "rows were committed while the copy ran"
    assert max(live.org_ids()) > committed_before, "the site kept writing during and after the copy"

    restored = make_scratch("restored")
    outcome = backups.restore(restored.settings, result.path)

    expected = {pk for pk in live.org_ids() if pk <= committed_before}
    assert expected <= restored.org_ids()
    assert outcome.counts == result.counts
    assert result.counts["organizations"] == len(restored.org_ids()) >= len(expected)
    if VENDOR == "sqlite":
        assert restored.query("PRAGMA integrity_check") == [("ok",)]
    # The restored database is a working site database: Django's own consistency check passes.
    assert restored.manage("migrate", "--check", check=False).returncode == 0


def test_search_finds_an_activity_in_the_restored_database(
    template: Scratch, make_scratch: Any, tmp_path: Path
) -> None:
    made = backups.backup(template.settings, tmp_path / f"search.{backups.EXTENSIONS[VENDOR]}")
    restored = make_scratch("search")
    restored.manage("migrate", "-v0")  # a database in use, to be replaced
    run = restored.manage("restore", str(made.path), "--yes")
    assert "activities 6" in run.stdout
    found = restored.manage("shell", "-c", SEARCH).stdout
    assert "Шахматный клуб «Ладья»" in found
    # Past both the replaced and the restored index numbers: every running process reloads its
    # in-memory copy, and no cached result page keyed by (generation, seq) is served again.
    state = "SELECT seq, generation FROM search_searchstate WHERE id = 1"
    [(seq, generation)] = restored.query(state)
    [(backup_seq, backup_generation)] = template.query(state)
    assert seq > backup_seq
    assert generation > backup_generation


def _refused(live: Scratch, *args: str) -> str:
    before = (live.org_ids(), live.query("SELECT count(*) FROM catalog_activity"))
    run = live.manage("restore", *args, check=False)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert (live.org_ids(), live.query("SELECT count(*) FROM catalog_activity")) == before
    return run.stderr


def test_restore_without_yes_changes_nothing_and_says_how(live: Scratch, tmp_path: Path) -> None:
    made = backups.backup(live.settings, tmp_path / f"copy.{backups.EXTENSIONS[VENDOR]}")
    message = _refused(live, str(made.path))
    assert str(made.path) in message
    assert "--yes" in message


def test_restore_refuses_a_backup_of_the_other_database_kind(live: Scratch, tmp_path: Path) -> None:
    other = tmp_path / "other-kind.bin"
    if VENDOR == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 4000)
        expected = "копия PostgreSQL, а сайт работает на SQLite"
    else:
        with sqlite3.connect(other) as connection:
            connection.execute("CREATE TABLE catalog_activity (id integer)")
        expected = "копия SQLite, а сайт работает на PostgreSQL"
    message = _refused(live, str(other), "--yes")
    assert expected in message
    assert str(other) in message


def test_restore_refuses_a_truncated_backup(live: Scratch, tmp_path: Path) -> None:
    made = backups.backup(live.settings, tmp_path / f"whole.{backups.EXTENSIONS[VENDOR]}")
    cut = tmp_path / f"cut.{backups.EXTENSIONS[VENDOR]}"
    cut.write_bytes(made.path.read_bytes()[: made.size // 2])
    message = _refused(live, str(cut), "--yes")
    assert str(cut) in message
    assert "Возьмите другую копию" in message


def test_restore_refuses_a_file_that_is_not_a_backup(live: Scratch) -> None:
    readme = ROOT / "README.md"
    message = _refused(live, str(readme), "--yes")
    assert "не резервная копия" in message
    assert str(readme) in message


def test_backup_command_names_the_file_by_kind_and_keeps_the_newest(live: Scratch, tmp_path: Path) -> None:
    folder = tmp_path / "nightly"
    for _ in range(3):
        run = live.manage("backup", "--dir", str(folder), "--keep", "2")
        assert "activities 6, organizations" in run.stdout
        time.sleep(1.05)  # names carry the second
    kept = sorted(folder.iterdir())
    assert len(kept) == 2
    assert all(p.name.startswith(f"kruzhok-{VENDOR}-") for p in kept)
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert all(p.stat().st_mode & 0o077 == 0 for p in kept)


def test_backup_refuses_to_overwrite_an_existing_file(live: Scratch, tmp_path: Path) -> None:
    taken = tmp_path / "taken.bin"
    taken.write_bytes(b"precious")
    run = live.manage("backup", str(taken), check=False)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert taken.read_bytes() == b"precious"


def test_media_archive_holds_the_uploaded_files(tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "a.jpg").write_bytes(b"jpeg")
    archive = tmp_path / "media.tar.gz"
    assert backups.archive_media(media, archive) == 1
    import tarfile

    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["photos/a.jpg"]
