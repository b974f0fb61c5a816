"""A catalog file waiting between its preview and the confirmation.

The bytes go to the media storage (Django's storage API: MEDIA_ROOT/uploads/ on the filesystem, or
the S3 bucket every app machine shares, since the confirmation may reach another machine than the
preview) under a random name that reveals nothing; what the file is
and whose it is (original name, scope, source) is kept in the uploader's session under that
name, so another person (or another browser) cannot confirm it even knowing the key. Files are
deleted when imported, when a new one replaces them, and by `uploads_purge` after
IMPORT_UPLOAD_KEEP_HOURS (each new upload sweeps the folder, so abandoned previews do not pile up).
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

SESSION_KEY = "catalog_uploads"
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_PENDING = 5
FOLDER = "uploads"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingUpload:
    key: str
    name: str
    scope: str  # "department:<slug>" or "organization:<pk>"
    source: str
    created: float

    @property
    def storage_name(self) -> str:
        return storage_name(self.key)


def storage_name(key: str) -> str:
    return f"{FOLDER}/{key}"


def waiting_names() -> list[str]:
    """The storage names of every waiting file, of every session."""
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:  # nothing uploaded yet on this filesystem
        return []
    return sorted(storage_name(name) for name in files)


def _keep_seconds() -> int:
    return settings.IMPORT_UPLOAD_KEEP_HOURS * 3600


def _pending(session: SessionBase) -> dict[str, dict[str, Any]]:
    value = session.get(SESSION_KEY)
    return value if isinstance(value, dict) else {}


def _clean_name(name: str) -> str:
    """The name shown back in the report: the last path part, printable, at most 120 characters."""
    base = Path(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "upload.csv"
    return base[-120:]


def uploads_purge(*, now: float | None = None) -> int:
    """Delete waiting files older than the keep period; returns how many went."""
    cutoff = datetime.fromtimestamp((now or time.time()) - _keep_seconds(), tz=UTC)
    removed = 0
    # Housekeeping on the way to an upload: a file another process swept first, or a storage that
    # errs for a moment (S3 raises its own errors, not OSError), must not fail the upload itself.
    try:
        names = waiting_names()
    except Exception:
        logger.warning("Could not list waiting uploads to purge them", exc_info=True)
        return 0
    for name in names:
        try:
            if default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
                removed += 1
        except Exception:
            logger.info("Waiting upload %s not purged this time", name, exc_info=True)
    return removed


def upload_store(*, session: SessionBase, data: bytes, name: str, scope: str, source: str) -> PendingUpload:
    """Keep `data` for this session's confirmation; returns the pending upload."""
    uploads_purge()
    key = secrets.token_urlsafe(24)
    pending = PendingUpload(key=key, name=_clean_name(name), scope=scope, source=source, created=time.time())
    saved = default_storage.save(pending.storage_name, ContentFile(data))
    if saved != pending.storage_name:  # a 32-character random key taken: never, but never guess
        default_storage.delete(saved)
        raise RuntimeError("upload key collision")
    entries = _pending(session)
    # A session holds a few previews at most; the oldest beyond that are dropped with their files.
    for old in sorted(entries, key=lambda k: entries[k].get("created", 0))[
        : max(0, len(entries) - MAX_PENDING + 1)
    ]:
        upload_discard(session=session, key=old)
        entries.pop(old, None)
    entries[key] = {"name": pending.name, "scope": scope, "source": source, "created": pending.created}
    session[SESSION_KEY] = entries
    return pending


def upload_get(*, session: SessionBase, key: str, scope: str) -> PendingUpload | None:
    """This session's waiting upload `key` for `scope`, if it is still there and not too old."""
    if not KEY_RE.match(key or ""):
        return None
    entry = _pending(session).get(key)
    if not entry or entry.get("scope") != scope:
        return None
    pending = PendingUpload(
        key=key,
        name=str(entry.get("name", "")),
        scope=scope,
        source=str(entry.get("source", "")),
        created=float(entry.get("created", 0)),
    )
    if time.time() - pending.created > _keep_seconds() or not default_storage.exists(pending.storage_name):
        upload_discard(session=session, key=key)
        return None
    return pending


def upload_open(pending: PendingUpload) -> IO[bytes]:
    """The waiting file as the importer reads an upload: bytes with the original name."""
    with default_storage.open(pending.storage_name, "rb") as stored:
        handle = io.BytesIO(stored.read())
    handle.name = pending.name
    return handle


def upload_discard(*, session: SessionBase, key: str) -> None:
    if not KEY_RE.match(key or ""):
        return
    default_storage.delete(storage_name(key))
    entries = _pending(session)
    if key in entries:
        entries.pop(key)
        session[SESSION_KEY] = entries
