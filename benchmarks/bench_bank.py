"""Speed of loading the question bank and drawing a session (prints medians).

    .venv/bin/python benchmarks/bench_bank.py
"""

from __future__ import annotations

import statistics
import time

from interview import bank as bank_module
from interview.bank import load_bank
from interview.draw import draw
from interview.profile import make_profile


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def cold_load():
    bank_module._CACHE.clear()
    return load_bank()


def main() -> None:
    bank = load_bank()
    profile = make_profile(name="Prairie FM", country="ca", specialty="family_medicine",
                           mission="Rural and remote care with return of service.")
    print(f"questions: {len(bank)}")
    print(f"load_bank, cold (parse + validate + test-render): {median_ms(cold_load, 7):.1f} ms")
    print(f"load_bank, cached:                               {median_ms(load_bank, 50):.2f} ms")
    print(f"draw 10 questions:                               {median_ms(lambda: draw(profile, 10, seed=1), 50):.2f} ms")


if __name__ == "__main__":
    main()
