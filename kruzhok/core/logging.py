"""JSON log lines for production: one object a line on stderr, which journald or a log shipper
can index without parsing free text.

Django's own request loggers (django.request, django.server, django.security) pass the request
and status on the record; their method and path (never the query string, the client address or
the user) become fields. Whatever looks like a token (password-reset keys, signed unsubscribe
links) is masked, in the path field and in the message.

Gunicorn's error log uses this formatter too (gunicorn.conf.py), so the module imports nothing
from Django at import time.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

# 16+ letters, digits, «_» or «:» with a digit among them: a key, a token or a signature (Django's
# signed values are base64 joined by «:»). Slugs are short words between hyphens, hashed static
# names (site.d7f3c2d7762e.css) have 12, so they stay readable.
_TOKEN = re.compile(r"(?=[A-Za-z_:]*\d)[A-Za-z0-9_:]{16,}")
MASK = "[token]"


def mask_tokens(text: str) -> str:
    return _TOKEN.sub(MASK, text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_tokens(record.getMessage()),
        }
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        method = getattr(request, "method", None)
        if isinstance(path, str):
            entry["path"] = mask_tokens(path)
        if isinstance(method, str):
            entry["method"] = method
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
