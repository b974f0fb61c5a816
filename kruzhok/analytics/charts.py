"""Charts as server-rendered SVG: no JavaScript, no chart library, nothing for CSP to refuse.

Every chart is `role="img"` named by its <title> and summarised by its <desc>; the numbers are
in the table next to it. Colours and fonts come from classes in site.css («chart-*»), never from
style attributes. The drawing is 400 units wide and scales with the page: at a phone's width a
unit is about a pixel, so 12-unit labels stay readable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 400
LABEL_MAX = 38
_ids = count(1)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]


def axis(value: int) -> tuple[int, int]:
    """A round top for the y axis and its number of steps (4 or 5), each step a whole
    1, 2, 2.5 or 5 × 10^n: 205 → 250 in steps of 50, 1 → 4 in steps of 1."""
    if value <= 4:
        return 4, 4
    steps = sorted(
        {int(m * 10**e) for e in range(13) for m in (1, 2, 2.5, 5) if float(m * 10**e).is_integer()}
    )
    best = min(
        ((next(step for step in steps if step * parts >= value) * parts, parts) for parts in (4, 5)),
        key=lambda top_parts: (top_parts[0], top_parts[1]),
    )
    return best


def _short(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def number(value: int | float) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _open(title: str, desc: str, height: int, css: str) -> tuple[str, list[str]]:
    uid = f"chart-{next(_ids)}"
    head = (
        f'<svg class="chart {css}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{uid}-t" aria-describedby="{uid}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
    )
    return uid, [head]


def daily_chart(title: str, days: Sequence[date], series: Sequence[Series]) -> SafeString:
    """Bars for the first series, a line with dots for a second one; a day axis with a label every
    few days and a y axis with four round steps."""
    height, left, right, top, bottom = 230, 46, 10, 14, 34
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    peak = max((max(s.values, default=0) for s in series), default=0)
    y_max, divisions = axis(peak)
    summary = "; ".join(
        _("%(label)s: всего %(total)s, больше всего %(peak)s (%(day)s)")
        % {
            "label": s.label,
            "total": number(sum(s.values)),
            "peak": number(max(s.values, default=0)),
            "day": days[s.values.index(max(s.values))].strftime("%d.%m") if s.values and days else "—",
        }
        for s in series
    )
    _uid, parts = _open(title, summary, height, "chart-daily")
    for step in range(divisions + 1):
        y = top + plot_h - plot_h * step / divisions
        parts.append(f'<line class="chart-grid" x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="chart-axis" x="{left - 5}" y="{y + 4:.1f}" text-anchor="end">'
            f"{number(y_max * step // divisions)}</text>"
        )
    n = max(len(days), 1)
    slot = plot_w / n
    every = max(1, math.ceil(n / 6))
    for i, day in enumerate(days):
        if i % every == 0:
            x = min(left + slot * (i + 0.5), WIDTH - 20)
            parts.append(
                f'<text class="chart-axis" x="{x:.1f}" y="{height - bottom + 19}" text-anchor="middle">'
                f"{day.strftime('%d.%m')}</text>"
            )
    if series:
        bar_w = max(slot * 0.7, 1)
        for i, value in enumerate(series[0].values):
            h = plot_h * value / y_max
            x = left + slot * i + (slot - bar_w) / 2
            parts.append(
                f'<rect class="chart-bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}"/>'
            )
    for s in series[1:2]:
        points = [
            (left + slot * (i + 0.5), top + plot_h - plot_h * value / y_max)
            for i, value in enumerate(s.values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline class="chart-line" points="{path}"/>')
        if len(points) <= 31:
            parts.extend(f'<circle class="chart-dot" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>' for x, y in points)
    parts.append(
        f'<line class="chart-axis-line" x1="{left}" x2="{WIDTH - right}" y1="{top + plot_h}" y2="{top + plot_h}"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()  # nosec B308, B703


def bar_chart(
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    wholes: Sequence[int | None] | None = None,
    shares: bool = False,
    unit: str = "",
) -> SafeString:
    """Horizontal bars, one per item: its label (wrapped onto two lines at most), the bar under
    it, the number after the bar. With `wholes`, each bar is a part of its whole: a light track
    for the whole, the filled part, and «part из whole · N %» (a None whole: a plain bar); with
    `shares` too, every track is the full width, so the bars compare shares rather than sizes."""
    top, line_h, bar_h = 4, 18, 13
    whole_of = list(wholes) if wholes is not None else [None] * len(items)
    present = [whole for whole in whole_of if whole is not None]
    scale_max = max([*present, *(value for _label, value in items)], default=0) or 1
    value_room = 132 if present else 64
    bar_room = WIDTH - value_room
    summary = "; ".join(
        f"{label}: {_value_text(value, whole_of[i], unit)}" for i, (label, value) in enumerate(items)
    )
    labels = [_wrap(label) for label, _value in items]
    height = top + sum(line_h * len(lines) + bar_h + 10 for lines in labels) + 4
    _uid, parts = _open(title, summary or _("нет данных"), max(height, 28), "chart-bars")
    if not items:
        parts.append(f'<text class="chart-label" x="0" y="{top + 16}">{escape(_("нет данных"))}</text>')
    y = top
    for i, (_label, value) in enumerate(items):
        for line in labels[i]:
            parts.append(f'<text class="chart-label" x="0" y="{y + 14}">{escape(line)}</text>')
            y += line_h
        whole = whole_of[i]
        if whole is not None and shares:
            track = float(bar_room) if whole else 0.0
            w = bar_room * min(value / whole, 1) if whole else 0.0
        else:
            track = 0.0 if whole is None else bar_room * whole / scale_max
            w = bar_room * value / scale_max
        if whole is not None:
            parts.append(
                f'<rect class="chart-track" x="0" y="{y + 1}" width="{track:.1f}" height="{bar_h}" rx="2"/>'
            )
        parts.append(f'<rect class="chart-bar" x="0" y="{y + 1}" width="{w:.1f}" height="{bar_h}" rx="2"/>')
        parts.append(
            f'<text class="chart-value" x="{max(w, track) + 5:.1f}" y="{y + 12}">'
            f"{escape(_value_text(value, whole, unit))}</text>"
        )
        y += bar_h + 10
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()  # nosec B308, B703


def _wrap(text: str, width: int = LABEL_MAX) -> list[str]:
    """At most two lines of about `width` characters, broken between words; the rest is «…»."""
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    lines = [_short(line, width) for line in lines]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1].rstrip("…") + "…"]
    return lines


def _value_text(value: int, whole: int | None, unit: str) -> str:
    if whole is None:
        return f"{number(value)}{unit}"
    share = f" · {round(100 * value / whole)} %" if whole else ""
    return _("%(part)s из %(whole)s") % {"part": number(value), "whole": number(whole)} + share
