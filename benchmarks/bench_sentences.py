"""Sentence splitting: pysbd (interview.text.split_sentences) against the regular-expression
splitter the project used before, on hand-made cases typical of interview answers
(abbreviations, times, decimals, degrees, quotes, transcripts without capitals).

Run: .venv/bin/python benchmarks/bench_sentences.py
Prints the share of cases each splitter gets exactly right, and the median time per answer.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interview.text import _split_cached, split_sentences  # noqa: E402

#: (text, expected sentences)
CASES = [
    ("I trained in the U.S. with Dr. Smith. Then I moved.", ["I trained in the U.S. with Dr. Smith.", "Then I moved."]),
    ("We cut errors by 2.5 percent. It held.", ["We cut errors by 2.5 percent.", "It held."]),
    ("I saw her at 2 a.m. and called the senior.", ["I saw her at 2 a.m. and called the senior."]),
    ("She arrived at 2 a.m. The team was ready.", ["She arrived at 2 a.m.", "The team was ready."]),
    ("I worked at St. Michael's Hospital. It was busy.", ["I worked at St. Michael's Hospital.", "It was busy."]),
    ("My mentor, Prof. Adeyemi, taught me. I still call her.", ["My mentor, Prof. Adeyemi, taught me.", "I still call her."]),
    ("I have an M.D. from Cairo and a Ph.D. from Leeds. I teach.", ["I have an M.D. from Cairo and a Ph.D. from Leeds.", "I teach."]),
    ("Use tools, e.g. checklists, every day. They work.", ["Use tools, e.g. checklists, every day.", "They work."]),
    ("He said \"stop.\" Then he left.", ["He said \"stop.\"", "Then he left."]),
    ("Did it work? Yes! We kept it.", ["Did it work?", "Yes!", "We kept it."]),
    ("I wondered... then I asked. She agreed.", ["I wondered... then I asked.", "She agreed."]),
    ("The dose was 0.5 mg. We doubled it.", ["The dose was 0.5 mg.", "We doubled it."]),
    ("We met on Jan. 5 at the clinic. It rained.", ["We met on Jan. 5 at the clinic.", "It rained."]),
    ("I passed Step 2 CK in 2023. Next I applied through ERAS.", ["I passed Step 2 CK in 2023.", "Next I applied through ERAS."]),
    ("i passed the exam. then i moved to toronto", ["i passed the exam.", "then i moved to toronto"]),
    ("Room No. 4 was full. We used room 5.", ["Room No. 4 was full.", "We used room 5."]),
    ("It cost about $1,200. That is a lot.", ["It cost about $1,200.", "That is a lot."]),
    ("The U.K. and Canada differ. So do their exams.", ["The U.K. and Canada differ.", "So do their exams."]),
    ("I live in Washington D.C. now. It is cold.", ["I live in Washington D.C. now.", "It is cold."]),
    ("We started (see the audit.) It helped.", ["We started (see the audit.)", "It helped."]),
]

_ABBREV_END = re.compile(r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Dr|Mr|Mrs|Ms|St|Jr|Sr|vs|etc|e\.g|i\.e|No)\.)$")


def old_split(text: str) -> list[tuple[int, int]]:
    """The previous splitter (interview/metrics.py before the text engine), for comparison."""
    spans, start = [], 0
    for m in re.finditer(r"[.!?]+(?=[\s\"')\]]|$)|\n\s*\n", text):
        end = m.end()
        if m.group().startswith("."):
            before = text[max(0, m.start() - 12):m.end()]
            if _ABBREV_END.search(before) and text[m.end():].strip():
                continue
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def score(fn) -> tuple[int, list[str]]:
    ok, wrong = 0, []
    for text, expected in CASES:
        got = [text[a:b].strip() for a, b in fn(text)]
        if got == expected:
            ok += 1
        else:
            wrong.append(f"{got}")
    return ok, wrong


def main() -> None:
    for label, fn in (("pysbd (interview.text)", split_sentences), ("previous regex splitter", old_split)):
        ok, wrong = score(fn)
        print(f"{label:<26} {ok}/{len(CASES)} cases exactly right")
        for w in wrong:
            print(f"    wrong: {w}")
    answer = " ".join(t for t, _e in CASES)
    samples = []
    for _ in range(50):
        _split_cached.cache_clear()
        t0 = time.perf_counter()
        split_sentences(answer)
        samples.append((time.perf_counter() - t0) * 1000)
    print(f"pysbd on all cases as one {len(answer.split())}-word answer: median {statistics.median(samples):.2f} ms")


if __name__ == "__main__":
    main()
