"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the outbox tests, and the settings that point the
SMTP backend at it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    """Keeps every message the server accepted; `delay` seconds of thought before each 250 reply
    make a worker's batch slow enough to be killed in the middle."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.received: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.received.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(message["Message-ID"]) for message in self.received]


class SMTPServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.recorder = Recorder()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[EmailMessage]:
        return self.recorder.received


@pytest.fixture
def smtp_server(settings):
    server = SMTPServer()
    server.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    settings.OUTBOX_RETRY_BASE_S = 60
    settings.OUTBOX_MAX_ATTEMPTS = 8
    settings.OUTBOX_LEASE_S = 300
    yield server
    server.stop()
