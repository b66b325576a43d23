"""Benchmark: time to score one answer (target: under 50 ms), median over many runs.

Run: .venv/bin/python benchmarks/bench_scoring.py
Scores typed and timed answers of typical length with a program profile (every criterion
that can apply), after one warm-up call that loads the rubric and lexicon files.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interview.metrics import compute_metrics  # noqa: E402
from interview.profile import make_profile  # noqa: E402
from interview.scoring import score_answer  # noqa: E402
from interview.text import _split_cached  # noqa: E402
from interview.transcript import Segment, Transcript, Word  # noqa: E402

ANSWER = (
    "Um, so, during my externship in Miami, a night nurse and I disagreed about holding a patient's "
    "insulin. She felt I had not read her note in the EHR. I asked to talk privately, listened to her "
    "concern, and we reviewed the chart together. We agreed to add a safety note and to escalate to the "
    "senior resident when we disagree at night. I then used the I-PASS handoff to make the plan clear "
    "to the day team, and, like, the case manager joined us for discharge planning. Since then I always "
    "check nursing notes before I change orders, and I want to bring that habit to your underserved "
    "community program, because I worked with Medicaid patients and interpreters during my observership."
)
RUNS = 200


def timed_transcript(text: str) -> Transcript:
    words = [Word(w, i * 0.4, i * 0.4 + 0.32) for i, w in enumerate(text.split())]
    return Transcript(text=text, segments=[Segment(0, 0.0, words[-1].end, text, words)], duration=words[-1].end + 1)


def bench(label: str, fn) -> float:
    fn()  # warm-up: loads and caches the rubric and lexicon files
    samples = []
    for _ in range(RUNS):
        _split_cached.cache_clear()  # measure sentence splitting every time, not a cache hit
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    med = statistics.median(samples)
    print(f"{label:<48} median {med:6.2f} ms   p90 {sorted(samples)[int(RUNS * 0.9)]:6.2f} ms   ({RUNS} runs)")
    return med


def main() -> int:
    profile = make_profile(name="Bronx Community Internal Medicine Residency", country="us",
                           mission="Serving an underserved, immigrant urban population with community outreach.")
    transcript = timed_transcript(ANSWER)
    print(f"answer: {len(ANSWER.split())} words")
    bench("metrics only (typed)", lambda: compute_metrics(ANSWER))
    typed = bench("score_answer, typed, with profile", lambda: score_answer(
        ANSWER, question="Tell me about a conflict with a colleague.", profile=profile, country="us"))
    spoken = bench("score_answer, timed words, with profile", lambda: score_answer(
        ANSWER, question="Tell me about a conflict with a colleague.", profile=profile, country="us",
        transcript=transcript))
    bench("score_answer, no country (both lexicons)", lambda: score_answer(ANSWER))
    worst = max(typed, spoken)
    print(f"target: under 50 ms per answer -> {'OK' if worst < 20 else 'TOO SLOW'} ({worst:.2f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
