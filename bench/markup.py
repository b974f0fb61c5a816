"""Time the user-text renderer (kruzhok.core.markup) on typical and adversarial input.

    .venv/bin/python bench/markup.py [--repeat 5]

Needs no database. Prints the median time per render for each input and its size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INPUTS = {
    "comment (600 chars)": "Сын ходит второй год, **очень** доволен. Тренер — *молодец*.\n\n- техника\n- игра\n"
    * 8,
    "limit comment (4,000 chars)": (
        "Отличный кружок, [сайт](https://example.org/x) и **жирный** текст. " * 60
    )[:4000],
    "unbalanced markers (100 kB)": ("**" + "a" * 50 + " ") * 2000
    + "[x](https://example.org/"
    + "*" * 400
    + ")",
    "nested brackets (20 kB)": "[" * 10_000 + "](" * 5_000,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
    import django

    django.setup()
    from kruzhok.core.markup import render_user_text

    print(f"{'input':32} {'size':>9} {'median ms':>10}")
    for name, text in INPUTS.items():
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            render_user_text(text)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{name:32} {len(text):>9,} {statistics.median(times):>10.2f}")


if __name__ == "__main__":
    main()
