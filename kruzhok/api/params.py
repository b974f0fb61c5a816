"""Query parameters of the API: declared for the OpenAPI schema, read by hand.

Every parameter reaches a view as text and is read here or by the search page's `parse_params`,
so the page and the API accept and reject the same input with the same words, and every
problem of a request is reported at once (422 with `parameters`), not only the first.
The declarations below only tell clients (and schemathesis) the type and range to send.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema, Status
from pydantic import WithJsonSchema

from kruzhok.api import errors
from kruzhok.catalog.models import AGE_MAX, AGE_MIN
from kruzhok.events.recurrence import local_zone
from kruzhok.search.params import (
    MAX_PAGE,
    PAGE_SIZE,
    WEEKDAY_CODES,
    ParamError,
    SearchParams,
    parse_params,
)

MAX_PAGE_SIZE = 100
# Primary keys are 64-bit: a larger number cannot name a row, and the database would refuse it.
MAX_ID = 2**63 - 1
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
# Dates outside these years are typing mistakes, not queries (the events page keeps the same range).
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2100, 1, 1)


def declared(schema: dict[str, Any]) -> Any:
    """A parameter read as text but shown in the schema with the type a client should send."""
    return WithJsonSchema(schema)


HH_MM = r"^([01]?\d|2[0-3]):[0-5]\d$"
Flag = Annotated[str | None, declared({"type": "boolean"})]
Text = Annotated[str | None, declared({"type": "string"})]
Id = Annotated[str | None, declared({"type": "integer", "minimum": 1, "maximum": MAX_ID})]
Repeated = Annotated[list[str], declared({"type": "array", "items": {"type": "string"}})]


class PageQuery(Schema):
    page: Annotated[
        str | None, declared({"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1})
    ] = Field(None, description="номер страницы с 1 / page number from 1")
    page_size: Annotated[
        str | None,
        declared({"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE}),
    ] = Field(None, description=f"записей на странице, 1–{MAX_PAGE_SIZE} / items per page")


class TaxonomyQuery(Schema):
    """The filters activities and events share with the search."""

    age: Annotated[str | None, declared({"type": "integer", "minimum": AGE_MIN, "maximum": AGE_MAX})] = Field(
        None,
        description=(
            "возраст ребёнка, полных лет: подходит, если диапазон его включает / the child's age in years: "
            "matches when the age range includes it"
        ),
    )
    direction: Text = Field(
        None,
        description=(
            "слаг направленности: technical, science, sport, arts, tourism, social / direction slug"
        ),
    )
    category: Repeated = Field(
        [],
        description=(
            "слаг категории (football, chess, robotics…); можно несколько — подходит любая / category "
            "slug; repeatable, any of them matches"
        ),
    )
    district: Text = Field(None, description="округ: название или слаг / okrug: its name or slug")
    free: Flag = Field(None, description="1 — только бесплатные / 1 = free ones only")


class ActivityFilterQuery(TaxonomyQuery):
    """The search's filters that a list of activities understands too."""

    ovz: Flag = Field(None, description="1 — для детей с ОВЗ / 1 = adapted for children with disabilities")
    open: Flag = Field(None, description="1 — набор открыт / 1 = enrollment open")
    day: Annotated[
        list[str], declared({"type": "array", "items": {"type": "string", "enum": list(WEEKDAY_CODES)}})
    ] = Field(
        [],
        description=(
            "день недели mon…sun; можно несколько — подходит любой / weekday mon…sun; repeatable, any "
            "of them matches"
        ),
    )
    after: Annotated[str | None, declared({"type": "string", "pattern": HH_MM})] = Field(
        None,
        description=(
            "ЧЧ:ММ — занятие начинается не раньше (время Омска) / HH:MM, a session starts at or after "
            "(Omsk time)"
        ),
    )
    before: Annotated[str | None, declared({"type": "string", "pattern": HH_MM})] = Field(
        None,
        description="ЧЧ:ММ — то же занятие кончается не позже / HH:MM, the same session ends at or before",
    )


def path_id(what: str) -> Any:
    """The `{id}` of a record in the path, described; a number that names nothing is a 404."""
    return Path(..., description=what)


UPDATED_SINCE_FIELD: Any = Field(
    None,
    description=(
        "только изменённые с этого момента: ГГГГ-ММ-ДД или дата и время ISO 8601 (без пояса — время "
        "Омска) / only those changed since: YYYY-MM-DD or an ISO 8601 date-time (without an offset, Omsk "
        "time)"
    ),
)
UpdatedSince = Annotated[str | None, declared({"type": "string", "format": "date-time"})]


# --- reading -----------------------------------------------------------------------------------


def is_malformed(request: HttpRequest) -> bool:
    """Not UTF-8, or a control character (NUL, tab, line breaks…) anywhere: no parameter holds
    one, and Django would silently keep or replace such bytes."""
    raw = request.META.get("QUERY_STRING", "")
    try:
        data = raw.encode("iso-8859-1")  # WSGI hands the raw bytes over as latin-1 text
    except UnicodeEncodeError:
        data = raw.encode("utf-8")
    decoded = unquote_to_bytes(data.replace(b"+", b" "))
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return _CONTROL.search(decoded) is not None


def _last(request: HttpRequest, name: str) -> str:
    """A single-valued parameter: the last one wins, as in the search."""
    values = request.GET.getlist(name)
    return values[-1].strip() if values else ""


def page_size(request: HttpRequest, problems: list[ParamError]) -> int:
    text = _last(request, "page_size")
    if not text:
        return PAGE_SIZE
    if not (text.isascii() and text.isdigit() and len(text) <= 4) or not 1 <= int(text) <= MAX_PAGE_SIZE:
        problems.append(
            ParamError(
                "page_size", _("Размер страницы — целое число от 1 до %(max)d.") % {"max": MAX_PAGE_SIZE}
            )
        )
        return PAGE_SIZE
    return int(text)


def shared(request: HttpRequest, names: Iterable[str]) -> tuple[SearchParams, list[ParamError]]:
    """The search parameters among `names`, read by the search's own parser (others are ignored)."""
    subset = {name: request.GET.getlist(name) for name in names if name in request.GET}
    params, problems = parse_params(subset)
    return params, list(problems)


def object_id(request: HttpRequest, name: str, problems: list[ParamError]) -> int | None:
    text = _last(request, name)
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 19 and 1 <= int(text) <= MAX_ID:
        return int(text)
    problems.append(ParamError(name, _("Нужен id — целое число от 1.")))
    return None


def _parse_date(text: str) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_DATE <= day <= LAST_DATE else None


def day(request: HttpRequest, name: str, problems: list[ParamError]) -> date | None:
    text = _last(request, name)
    if not text:
        return None
    found = _parse_date(text) if len(text) == 10 else None
    if found is None:
        problems.append(
            ParamError(name, _("Дата — в виде ГГГГ-ММ-ДД, с 2000 по 2100 год, например 2026-09-01."))
        )
    return found


def moment(request: HttpRequest, name: str, problems: list[ParamError]) -> datetime | None:
    """A date (its first moment in Omsk) or an ISO 8601 date-time (Omsk time without an offset)."""
    text = _last(request, name)
    if not text:
        return None
    found: datetime | None = None
    if len(text) == 10:
        day_ = _parse_date(text)
        found = datetime.combine(day_, time(0), tzinfo=local_zone()) if day_ else None
    else:
        try:
            # An unencoded «+06:00» arrives as « 06:00».
            text = re.sub(r" (\d\d:?\d\d)$", r"+\1", text)
            parsed = datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            parsed = None
        if parsed is not None and FIRST_DATE <= parsed.date() <= LAST_DATE:
            found = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=local_zone())
    if found is None:
        problems.append(
            ParamError(
                name,
                _("Момент — ГГГГ-ММ-ДД или ГГГГ-ММ-ДДTЧЧ:ММ:СС, можно с поясом (+06:00, Z)."),
            )
        )
    return found


# --- answering -----------------------------------------------------------------------------------


def malformed() -> Status[dict[str, Any]]:
    return Status(
        400,
        errors.error_body(
            errors.MALFORMED_REQUEST,
            _(
                "Параметры запроса должны быть в UTF-8 и без управляющих символов (нулевых, табуляций, переводов строки)."
            ),
        ),
    )


def invalid(problems: list[ParamError]) -> Status[dict[str, Any]]:
    """422 naming every bad parameter, in the order they were read."""
    return Status(
        422,
        errors.error_body(
            errors.INVALID_PARAMETER,
            " ".join(f"{p.field}: {p.message}" for p in problems),
            parameters=[{"name": p.field, "detail": p.message} for p in problems],
        ),
    )
