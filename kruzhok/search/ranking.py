"""The `sort=best` score; the formula and its reasons are in the package docstring."""

from __future__ import annotations

import numpy as np

from kruzhok.search.store import Store

W_TEXT, W_DISTANCE, W_AGE, W_SCHEDULE, W_QUALITY = 0.50, 0.20, 0.12, 0.08, 0.10
DISTANCE_SCALE_KM = 2.5
FRESH_DAYS, STALE_DAYS = 180.0, 730.0


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
    n = positions.shape[0]
    score = np.full(n, W_TEXT, np.float64) if text is None else W_TEXT * text.astype(np.float64)
    if distances is None:
        score += W_DISTANCE
    else:
        score += W_DISTANCE * np.exp(-np.nan_to_num(distances, nan=1e3) / DISTANCE_SCALE_KM)
    if age is None:
        score += W_AGE
    else:
        low = store.age_min[positions].astype(np.float64)
        high = store.age_max[positions].astype(np.float64)
        half = (high - low) / 2 + 0.5
        central = np.clip(1 - np.abs(age - (low + high) / 2) / half, 0, 1)
        narrow = 1 - (high - low) / 18
        score += W_AGE * (0.6 * central + 0.4 * narrow)
    if schedule_share is not None:
        score += W_SCHEDULE * schedule_share
    else:
        score += W_SCHEDULE * np.where(store.has_slots[positions], 1.0, 0.6)
    age_days = now_days - store.verified[positions]
    fresh = np.clip(1 - (age_days - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS), 0, 1)
    fresh = np.nan_to_num(fresh, nan=0.0)
    rating = np.nan_to_num(store.rating[positions] / 5.0, nan=0.6)
    quality = 0.45 * store.quality[positions] + 0.30 * fresh + 0.15 * rating + 0.10 * store.open[positions]
    return score + W_QUALITY * quality
