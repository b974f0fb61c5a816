"""The `sort=best` score; the formula and its reasons are in the package docstring.

Filter-only searches and common words match most of the catalog, so the score is computed over
up to every document: the parts that do not depend on the query (quality, freshness, rating,
the timetable bonus, the age range's centre and width) are columns the store keeps per day
(`Ranking`), and the rest runs in float32. Computed whole in float64 it took 20 ms at 200,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kruzhok.search.store import Store

W_TEXT, W_DISTANCE, W_AGE, W_SCHEDULE, W_QUALITY = 0.50, 0.20, 0.12, 0.08, 0.10
DISTANCE_SCALE_KM = 2.5
FRESH_DAYS, STALE_DAYS = 180.0, 730.0


@dataclass(frozen=True)
class Ranking:
    """Per-document parts of the score that only change with the data (and the day)."""

    day: int
    static: np.ndarray  # W_QUALITY · quality, float32
    timetable: np.ndarray  # W_SCHEDULE · (1 with a timetable, 0.6 without), float32
    age_mid: np.ndarray  # centre of the age range
    age_inv_half: np.ndarray  # 1 / (half the range + 0.5)
    age_narrow: np.ndarray  # 0.4 · how narrow the range is


def _ranking(store: Store, now_days: float) -> Ranking:
    day = int(now_days)
    found = store.ranking
    if isinstance(found, Ranking) and found.day == day:
        return found
    age_days = float(day) - store.verified
    fresh = np.nan_to_num(np.clip(1 - (age_days - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS), 0, 1), nan=0.0)
    rating = np.nan_to_num(store.rating / 5.0, nan=0.6)
    quality = 0.45 * store.quality + 0.30 * fresh + 0.15 * rating + 0.10 * store.open
    low = store.age_min.astype(np.float32)
    high = store.age_max.astype(np.float32)
    ranking = Ranking(
        day=day,
        static=(W_QUALITY * quality).astype(np.float32),
        timetable=np.where(store.has_slots, np.float32(W_SCHEDULE), np.float32(0.6 * W_SCHEDULE)),
        age_mid=(low + high) / 2,
        age_inv_half=1 / ((high - low) / 2 + 0.5),
        age_narrow=(0.4 * (1 - (high - low) / 18)).astype(np.float32),
    )
    store.ranking = ranking
    return ranking


def best_score(
    store: Store,
    positions: np.ndarray,
    *,
    text: np.ndarray | None,
    distances: np.ndarray | None,
    age: int | None,
    schedule_share: np.ndarray | None,
    now_days: float,
) -> np.ndarray:
    parts = _ranking(store, now_days)
    score = parts.static[positions]
    constant = 0.0
    if text is None:
        constant += W_TEXT
    else:
        score += np.float32(W_TEXT) * text.astype(np.float32)
    if distances is None:
        constant += W_DISTANCE
    else:
        near = np.nan_to_num(distances, nan=1e3).astype(np.float32)
        near *= np.float32(-1 / DISTANCE_SCALE_KM)
        score += np.float32(W_DISTANCE) * np.exp(near)
    if age is None:
        constant += W_AGE
    else:
        central = np.abs(parts.age_mid[positions] - np.float32(age))
        central *= parts.age_inv_half[positions]
        np.clip(np.float32(1) - central, 0, 1, out=central)
        central *= np.float32(0.6)
        central += parts.age_narrow[positions]
        score += np.float32(W_AGE) * central
    if schedule_share is not None:
        score += np.float32(W_SCHEDULE) * schedule_share.astype(np.float32)
    else:
        score += parts.timetable[positions]
    score += np.float32(constant)
    return score
