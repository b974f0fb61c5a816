"""The simulated people of bench/load.py: a locustfile, run by locust in its own process.

Reads what to request from the JSON file named by KRUZHOK_LOAD_PLAN (written by bench/load.py:
search URLs, activity, organization, listing and event pages, the writers' accounts, think
times) and writes every request it made to KRUZHOK_LOAD_OUT when locust quits: start time, kind,
milliseconds, outcome (ok | refused | 5xx | connection | 4xx | other) and status, plus the
writes that landed, so bench/load.py can check them against the database.

Each person comes from an address of their own (X-Forwarded-For, the site trusting 127.0.0.1 as
its proxy, as behind nginx), so the per-address limits see 200 people rather than one.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
from html import unescape
from html.parser import HTMLParser
from http.cookiejar import Cookie
from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task

with open(os.environ["KRUZHOK_LOAD_PLAN"], encoding="utf-8") as _handle:
    PLAN: dict[str, Any] = json.load(_handle)

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
# The answers that say a per-person or per-address limit refused the write (their texts in
# community/services.py, notifications/views.py); 429 is the shared «too many» page.
LIMIT_TEXTS = ("Слишком много отзывов за час", "слишком много отзывов", "слишком много подписок")

RECORDS: list[tuple[float, str, float, str, int]] = []
WRITES: list[dict[str, Any]] = []
ATTEMPTS: dict[str, int] = {}  # writes sent, answered or not (one may land after the client gave up)
SAMPLES: dict[str, list[str]] = {}
_lock = threading.Lock()
_addresses = itertools.count(1)
_accounts = itertools.count()


def _think(name: str) -> Any:
    low, high = PLAN["think"][name]
    return between(low, high)


class FormParser(HTMLParser):
    """The fields of the first form whose action or class contains `marker`, as a browser would send them."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and self.marker in a.get("action", "") + " " + a.get("class", ""):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = name
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A textarea's content starts after one leading newline, as in a browser.
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self.inside = False
            self.done = True


def form_fields(html: str, marker: str) -> list[tuple[str, str]]:
    parser = FormParser(marker)
    parser.feed(html)
    return parser.fields


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    return unescape(found.group(1)) if found else ""


def session_cookie(value: str) -> Cookie:
    return Cookie(
        version=0,
        name="sessionid",
        value=value,
        port=None,
        port_specified=False,
        domain="127.0.0.1",
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={"HttpOnly": ""},
    )


class Person(FastHttpUser):
    abstract = True

    def on_start(self) -> None:
        number = next(_addresses)
        self.headers = {
            "User-Agent": BROWSER_UA,
            "X-Forwarded-For": f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}",
        }
        self.rng = random.Random(number)  # noqa: S311 (a load pattern, not a secret)  # nosec B311

    def call(
        self, method: str, url: str, kind: str, *, extra: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        """One request, timed and sorted: 5xx and connection errors are failures for locust too;
        an answer refused by a rate limit is a success for locust and «refused» here."""
        headers = {**self.headers, **(extra or {})}
        if "data" in kwargs:
            # Encoded here as a browser does (repeated names for a multiple select).
            kwargs["data"] = urlencode(kwargs["data"], doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.time()
        clock = time.perf_counter()
        with self.client.request(
            method, url, name=kind, headers=headers, catch_response=True, **kwargs
        ) as response:
            ms = (time.perf_counter() - clock) * 1000
            status = int(response.status_code or 0)
            expected = kwargs.get("allow_redirects", True) is False and method == "POST"
            if status == 0:
                outcome = "connection"
            elif status >= 500:
                outcome = "5xx"
            elif status == 429 or (
                status in (200, 400) and any(t in (response.text or "") for t in LIMIT_TEXTS)
            ):
                outcome = "refused"
            elif status >= 400:
                outcome = "4xx"
            elif expected and status != 302:
                outcome = "other"  # a write that neither landed (302) nor was refused
            else:
                outcome = "ok"
            if outcome in ("ok", "refused"):
                response.success()
            else:
                response.failure(f"{outcome} {status}")
                with _lock:
                    bucket = SAMPLES.setdefault(outcome, [])
                    if len(bucket) < 5:
                        bucket.append(
                            f"{status} {method} {url} {(response.text or str(response.error))[:300]!r}"
                        )
        with _lock:
            RECORDS.append((started, kind, ms, outcome, status))
        return response, outcome


class Browser(Person):
    """Search and browse: /search/ pages and htmx fragments, activities, listings, organizations."""

    weight = 80
    wait_time = _think("browse")

    @task(35)
    def search(self) -> None:
        self.call("GET", self.rng.choice(PLAN["search"]), "search")

    @task(20)
    def search_fragment(self) -> None:
        self.call("GET", self.rng.choice(PLAN["search"]), "search (htmx)", extra={"HX-Request": "true"})

    @task(25)
    def activity(self) -> None:
        self.call("GET", self.rng.choice(PLAN["activities"]), "activity")

    @task(10)
    def listing(self) -> None:
        self.call("GET", self.rng.choice(PLAN["listings"]), "direction/category/okrug")

    @task(10)
    def organization(self) -> None:
        self.call("GET", self.rng.choice(PLAN["organizations"]), "organization")


class Reader(Person):
    """The other pages: home, the events calendar, an event, open data, the API's search."""

    weight = 15
    wait_time = _think("browse")

    @task(30)
    def home(self) -> None:
        self.call("GET", "/", "home")

    @task(20)
    def calendar(self) -> None:
        self.call("GET", "/events/", "events")

    @task(20)
    def event(self) -> None:
        if PLAN["events"]:
            self.call("GET", self.rng.choice(PLAN["events"]), "event")
        else:
            self.call("GET", "/events/", "events")

    @task(10)
    def open_data(self) -> None:
        self.call("GET", "/data/", "open data")

    @task(20)
    def api(self) -> None:
        self.call("GET", self.rng.choice(PLAN["api"]), "api search")


class Writer(Person):
    """A signed-in person who writes: a comment (with stars half the time), an edit suggestion,
    an alert subscription. Keeps under the per-person hourly limits by counting its own writes
    (a real person rarely writes more); signed in before the run (bench/load.py)."""

    fixed_count = int(PLAN["writers"])
    wait_time = _think("write")

    def on_start(self) -> None:
        super().on_start()
        accounts = PLAN["accounts"]
        number = next(_accounts)
        if number >= len(accounts):
            raise RuntimeError("more writers than accounts")
        self.email = accounts[number]
        self.budget = dict(PLAN["budget"])
        self.marker = f"{PLAN['tag']}-{number}"
        self.count = 0
        # Signed in by bench/load.py through the allauth form before the run: its session cookie.
        self.client.cookiejar.set_cookie(session_cookie(PLAN["sessions"][number]))
        self.signed_in = True

    def _pick(self) -> str | None:
        left = [kind for kind, n in self.budget.items() if n > 0]
        return self.rng.choice(left) if left else None

    @task
    def write(self) -> None:
        kind = self._pick() if self.signed_in else None
        url = self.rng.choice(PLAN["activities"])
        pk = int(url.split("/")[2].split("-")[0])
        page, outcome = self.call(
            "GET", url if kind != "suggestion" else f"/activities/{pk}/suggest/", "write form"
        )
        if kind is None or outcome != "ok":
            return
        html = page.text or ""
        self.count += 1
        text = f"Нагрузочный отзыв {self.marker}-{self.count}: занятие понравилось, тренер внимательный."
        if kind == "comment":
            data: Any = {"csrfmiddlewaretoken": csrf_token(html), "text": text}
            if self.rng.random() < 0.5:
                data["stars"] = str(self.rng.randint(3, 5))
            target = f"/activities/{pk}/comments/"
        elif kind == "suggestion":
            fields = [
                (k, v) for k, v in form_fields(html, "contribute-form") if k not in ("price_note", "note")
            ]
            data = [
                *fields,
                ("price_note", f"Первое занятие бесплатно ({self.marker}-{self.count})"),
                ("note", text),
            ]
            target = f"/activities/{pk}/suggest/"
        else:
            data = {"csrfmiddlewaretoken": csrf_token(html), "kind": "activity", "activity": str(pk)}
            target = "/subscriptions/new/"
        with _lock:
            ATTEMPTS[kind] = ATTEMPTS.get(kind, 0) + 1
        _response, outcome = self.call("POST", target, f"write: {kind}", data=data, allow_redirects=False)
        self.budget[kind] -= 1
        if outcome == "ok":
            with _lock:
                WRITES.append(
                    {
                        "kind": kind,
                        "email": self.email,
                        "activity": pk,
                        "marker": f"{self.marker}-{self.count}",
                    }
                )


@events.user_error.add_listener
def _task_failed(user_instance: Any, exception: BaseException, tb: Any, **_kwargs: Any) -> None:
    """A task that raised (the bench's own bug or an answer it could not read): an error too."""
    with _lock:
        RECORDS.append((time.time(), f"task of {type(user_instance).__name__}", 0.0, "exception", 0))
        bucket = SAMPLES.setdefault("exception", [])
        if len(bucket) < 5:
            bucket.append(repr(exception)[:300])


@events.quitting.add_listener
def _dump(environment: Any, **_kwargs: Any) -> None:
    with _lock:
        data = {"records": RECORDS, "writes": WRITES, "attempts": ATTEMPTS, "samples": SAMPLES}
    with open(os.environ["KRUZHOK_LOAD_OUT"], "w", encoding="utf-8") as handle:
        json.dump(data, handle)
