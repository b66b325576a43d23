"""Calibration figures: pairwise accuracy per criterion and STAR precision/recall.

Run: .venv/bin/python benchmarks/bench_calibration.py
Pairwise accuracy: on every labelled group (../shared/calibration/answers.yaml and
tests/calibration/*.yaml), the share of (high, low) variant pairs the scorer orders
correctly, per dimension. STAR: precision and recall of each part on the hand-labelled
answers of tests/star_labels.yaml, and the precision of "missing" (target >= 0.9).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interview.scoring.evaluate import (  # noqa: E402
    load_groups, pairwise_accuracy, relevance_swap, star_detection)

SHARED = ROOT.parent / "shared" / "calibration" / "answers.yaml"


def main() -> None:
    own = sorted((ROOT / "tests" / "calibration").glob("*.yaml"))
    for label, paths in (("own (tests/calibration)", own), ("shared", [SHARED] if SHARED.is_file() else [])):
        if not paths:
            continue
        groups = load_groups(paths)
        acc = pairwise_accuracy(groups)
        print(f"{label}: {len(groups)} groups ({sum(g['country'] == 'us' for g in groups)} U.S., "
              f"{sum(g['country'] == 'ca' for g in groups)} Canada)")
        for dim, (ok, n) in sorted(acc.items()):
            print(f"  {dim:<12} {ok:3d}/{n:<3d} pairs ordered correctly = {ok / n:.0%}")
    sw = relevance_swap(load_groups(own))
    print(f"relevance swap test: {sw['answers']} good answers scored against another group's question: "
          f"relevance lower {sw['drops']}/{sw['answers']} = {sw['drops'] / sw['answers']:.0%}, flagged off topic "
          f"{sw['flagged_elsewhere']}/{sw['answers']}; flagged off topic under their own question: "
          f"{sw['flagged_own']}/{sw['answers']}")
    for label, holdout in (("all", None), ("tuning set", False), ("held out", True)):
        st = star_detection(ROOT / "tests" / "star_labels.yaml", holdout)
        print(f"STAR detection, {label}: {st['answers']} hand-labelled answers")
        for part, s in st["parts"].items():
            p = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 1.0
            r = s["tp"] / (s["tp"] + s["fn"]) if s["tp"] + s["fn"] else 1.0
            print(f"  {part:<10} precision {p:.2f}  recall {r:.2f}  (tp {s['tp']}, fp {s['fp']}, fn {s['fn']})")
        mp = st["missing_right"] / st["missing_claims"] if st["missing_claims"] else 1.0
        print(f"  'missing' claims: {st['missing_claims']}, right {st['missing_right']}: precision {mp:.2f}"
              f"  wrong: {', '.join(st['wrong_missing']) or 'none'}")

if __name__ == "__main__":
    main()
