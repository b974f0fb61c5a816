"""Time the gazetteer (kruzhok.places.gazetteer.geocode) the way an import uses it.

    .venv/bin/python bench/geocode.py [--repeat 5]

Needs no database (the gazetteer ships as a file). Prints the median time per address, uncached, for clean,
misspelt and house-with-building addresses, and for one address buried in 10 kB of junk.
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

SETS = {
    "clean (ул. Лукашевича, N)": [f"ул. Лукашевича, {n}" for n in range(1, 200)],
    "misspelt (Лукашевеча N)": [f"Лукашевеча {n}" for n in range(1, 200)],
    "with building (пр. Мира NкM)": [f"пр. Мира {n}к{n % 3 + 1}" for n in range(1, 200)],
    "10 kB of junk around one": ["ул. Лукашевича, 10 " + "ж" * 10_000],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kruzhok.settings")
    import django

    django.setup()
    from kruzhok.places.gazetteer import _geocode, geocode

    geocode("ул. Лукашевича, 1")  # load the gazetteer once, as a long-running process has
    print(f"{'addresses':32} {'n':>5} {'median ms per address':>22}")
    for name, texts in SETS.items():
        times = []
        for _ in range(args.repeat):
            _geocode.cache_clear()  # each address is new to the process, as in an import
            started = time.perf_counter()
            for text in texts:
                geocode(text)
            times.append((time.perf_counter() - started) * 1000 / len(texts))
        print(f"{name:32} {len(texts):>5} {statistics.median(times):>22.3f}")


if __name__ == "__main__":
    main()
