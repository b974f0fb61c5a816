"""A real `manage.py deliver_mail` process killed with SIGKILL in the middle of a batch: after the
restart (two sweeps at once) nothing is lost, and nothing is sent twice except the one mail that was
on the wire when the worker died — the documented at-least-once window."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from email.utils import make_msgid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from kruzhok.notifications.models import OutboxMail

# serialized_rollback like every other transactional test here: a flush without it re-creates the
# content types that the next serialized test restores (UNIQUE constraint failed).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LEASE_S = 2
MAILS = 6


class WorkerDatabase:
    """The test database as a subprocess can reach it: PostgreSQL's test database by its URL, or
    the in-memory SQLite test database copied to a file and copied back once the workers are done."""

    def __init__(self, tmp_path: Path) -> None:
        self.sqlite_file = tmp_path / "outbox.sqlite3" if connection.vendor == "sqlite" else None

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        if self.sqlite_file is not None:
            connection.ensure_connection()
            with sqlite3.connect(self.sqlite_file) as target:
                connection.connection.backup(target)
            env["SQLITE_PATH"] = str(self.sqlite_file)
        else:
            db = connection.settings_dict
            password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
            env["DATABASE_URL"] = (
                f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
            )
        return env

    def statuses(self) -> dict[str, str]:
        sql = "SELECT headers, status FROM notifications_outboxmail"
        if self.sqlite_file is not None:
            with sqlite3.connect(self.sqlite_file) as db:
                rows = db.execute(sql).fetchall()
            return {json.loads(headers)["Message-ID"]: status for headers, status in rows}
        return {mail.headers["Message-ID"]: mail.status for mail in OutboxMail.objects.all()}

    def copy_back(self) -> None:
        if self.sqlite_file is not None:
            with sqlite3.connect(self.sqlite_file) as source:
                source.backup(connection.connection)


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver_mail", "--once"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_worker_killed_mid_batch_loses_nothing_and_resends_only_the_mail_on_the_wire(smtp_server, tmp_path):
    ids = []
    for n in range(MAILS):
        message_id = make_msgid(domain="kruzhok.example")
        ids.append(message_id)
        OutboxMail.objects.create(
            key=f"batch:{n}",
            recipient=f"p{n}@example.org",
            from_email="noreply@kruzhok.example",
            subject=f"Письмо {n}",
            body_text=f"Текст {n}\n",
            body_html=f"<p>Текст {n}</p>",
            headers={"Message-ID": message_id},
            next_attempt_at=timezone.now(),
        )
    smtp_server.recorder.delay = 0.4
    database = WorkerDatabase(tmp_path)
    env = database.env() | {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_TIMEOUT_S": "5",
        "OUTBOX_LEASE_S": str(LEASE_S),
    }

    worker = _worker(env)
    deadline = time.monotonic() + 60
    while len(smtp_server.recorder.message_ids()) < 2:
        assert worker.poll() is None, worker.communicate()
        assert time.monotonic() < deadline, "the worker sent nothing"
        time.sleep(0.02)
    time.sleep(0.1)  # into the next mail's SMTP conversation
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=10)
    assert worker.returncode == -signal.SIGKILL

    at_kill = database.statuses()
    in_flight = {key for key, status in at_kill.items() if status == OutboxMail.Status.SENDING}
    counts = Counter(at_kill.values())
    # The kill landed mid-batch: some mails sent, one on the wire, the rest still queued.
    assert counts[OutboxMail.Status.SENT] >= 1 and counts[OutboxMail.Status.QUEUED] >= 1
    assert len(in_flight) == 1

    # Restart once the dead worker's lease has run out, twice at the same time (cron overlapping
    # a worker started by hand).
    time.sleep(LEASE_S + 0.5)
    workers = [_worker(env), _worker(env)]
    for restarted in workers:
        out, err = restarted.communicate(timeout=120)
        assert restarted.returncode == 0, err.decode()

    delivered = Counter(smtp_server.recorder.message_ids())
    assert set(delivered) == set(ids)  # nothing lost
    twice = {key for key, count in delivered.items() if count > 1}
    assert twice <= in_flight and max(delivered.values()) <= 2  # only the mail on the wire, once more
    assert set(database.statuses().values()) == {OutboxMail.Status.SENT}
    database.copy_back()
    assert OutboxMail.objects.filter(status=OutboxMail.Status.SENT).count() == MAILS
