"""A small catalog that exercises every shape the OpenActive feeds publish, and a loopback HTTP
server that answers from the test's own database, for tools that need real URLs (the node
validators, the `openactive` Python package)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.test import Client

from kruzhok.accounts.tests import factories as account_factories
from kruzhok.catalog import services as catalog_services
from kruzhok.catalog.models import Activity, Status
from kruzhok.catalog.tests import factories
from kruzhok.events import services as event_services
from kruzhok.events.models import Event
from kruzhok.events.tests.factories import omsk


@dataclass
class Catalog:
    football: Activity
    chess: Activity
    ovz_swimming: Activity
    online: Activity
    archived: Activity
    deleted_id: int
    one_off: Event
    weekly: Event
    cancelled: Event
    chess_event: Event


def _event_data(**kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "День открытых дверей",
        "description": "Расскажем о группах и расписании.",
        "kind": Event.Kind.OPEN_DAY,
        "activity": None,
        "venue": None,
        "starts_at": omsk("2026-12-05T11:00"),
        "ends_at": omsk("2026-12-05T14:00"),
        "all_day": False,
        "rrule": "",
        "exdates": [],
        "age_min": 7,
        "age_max": 14,
        "price_rub": 0,
    }
    data.update(kw)
    return data


def build_catalog() -> Catalog:
    editor = account_factories.user(email="oa-editor@example.org", is_editor=True)
    football = factories.activity(title="Футбол для начинающих", categories=["football"], price_rub=1500)
    # Not a physical activity: outside OpenActive's scope, so a deleted item.
    chess = factories.activity(title="Шахматный клуб", categories=["chess"], direction_slug="sport")
    ovz_swimming = factories.activity(
        title="Плавание (ОВЗ)",
        categories=["swimming"],
        ovz=True,
        enrollment=Activity.Enrollment.WAITLIST,
        slots=[],
        price_rub=0,
    )
    online = factories.activity(
        title="ОФП онлайн", categories=["general-fitness"], format=Activity.Format.ONLINE
    )
    archived = factories.activity(title="Закрытая секция", categories=["judo"])
    Activity.objects.filter(pk=archived.pk).update(status=Status.ARCHIVED)
    archived.status = Status.ARCHIVED
    archived.save()  # through the ORM, so the search index (and the feed) learn of it
    doomed = factories.activity(title="Удалённая секция", categories=["boxing"])
    deleted_id = doomed.pk
    catalog_services.activities_delete(activities=[doomed], actor=editor)
    org = football.organization
    one_off = event_services.event_create(
        organization=org, actor=editor, data=_event_data(activity=football, venue=football.venue)
    )
    weekly = event_services.event_create(
        organization=org,
        actor=editor,
        data=_event_data(
            title="Мастер-класс по плаванию",
            kind=Event.Kind.MASTER_CLASS,
            venue=ovz_swimming.venue,
            activity=ovz_swimming,
            rrule="FREQ=WEEKLY;COUNT=4",
            starts_at=omsk("2026-12-01T17:00"),
            ends_at=omsk("2026-12-01T18:30"),
            price_rub=300,
        ),
    )
    # Two occurrences dropped by an edit: their items become tombstones.
    event_services.event_update(
        event=weekly,
        actor=editor,
        data=_event_data(
            title="Мастер-класс по плаванию",
            kind=Event.Kind.MASTER_CLASS,
            venue=ovz_swimming.venue,
            activity=ovz_swimming,
            rrule="FREQ=WEEKLY;COUNT=2",
            starts_at=omsk("2026-12-01T17:00"),
            ends_at=omsk("2026-12-01T18:30"),
            price_rub=300,
        ),
    )
    cancelled = event_services.event_create(
        organization=org,
        actor=editor,
        data=_event_data(
            title="Турнир", kind=Event.Kind.COMPETITION, all_day=True, venue=football.venue, activity=football,
            starts_at=omsk("2026-12-12T00:00"), ends_at=omsk("2026-12-14T00:00"),
        ),
    )  # fmt: skip
    event_services.event_cancel(event=cancelled, actor=editor)
    chess_event = event_services.event_create(
        organization=chess.organization,
        actor=editor,
        data=_event_data(
            title="Шахматный турнир", kind=Event.Kind.COMPETITION, activity=chess, venue=chess.venue
        ),
    )
    return Catalog(
        football, chess, ovz_swimming, online, archived, deleted_id, one_off, weekly, cancelled, chess_event
    )


@contextmanager
def loopback_site(client: Client) -> Iterator[tuple[str, Callable[[Callable[[], bool], float], None]]]:
    """An HTTP server on 127.0.0.1 whose requests are answered by `client` in the test's own
    thread, so they see the test's uncommitted data (no transactional test, no live server).
    Yields its base URL and `serve(done, timeout)`, which answers requests until `done()`."""
    inbox: queue.Queue[tuple[str, queue.Queue[tuple[int, dict[str, str], bytes]]]] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            reply: queue.Queue[tuple[int, dict[str, str], bytes]] = queue.Queue()
            inbox.put((self.path, reply))
            try:
                status, headers, body = reply.get(timeout=60)
            except queue.Empty:
                status, headers, body = 504, {}, b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(done: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError("the client of the loopback site did not finish in time")
            try:
                path, reply = inbox.get(timeout=0.02)
            except queue.Empty:
                continue
            response = client.get(path)
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
            reply.put((response.status_code, headers, response.content))

    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", serve
    finally:
        server.shutdown()
        server.server_close()
