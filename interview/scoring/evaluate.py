"""Measuring the scorer against hand-labelled data (used by the tests and the benchmarks).

- :func:`pairwise_accuracy`: on labelled calibration groups, the share of (high, low)
  variant pairs that the scorer orders correctly, per dimension.
- :func:`star_detection`: precision and recall of each STAR part, and the precision of
  "missing" (a part the scorer reports missing is really missing), on answers whose parts
  were marked by hand.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Iterable

import yaml

from ..profile import make_profile
from . import score_answer
from .structure import STAR

#: calibration label -> criterion id ("overall": the answer's overall score)
DIMENSIONS = {
    "clarity": "clarity",
    "familiarity": "local_system_familiarity",
    "fit": "program_fit",
    "structure": "structure",
    "questions": "questions_quality",
    "relevance": "relevance",
    "ethics": "ethical_reasoning",
    "overall": "overall",
}


def load_groups(paths: Iterable[Path]) -> list[dict]:
    out = []
    for p in paths:
        out += yaml.safe_load(Path(p).read_text(encoding="utf-8"))["groups"]
    return out


def score_variant(group: dict, variant: dict, transcript=None):
    prog = group.get("program")
    profile = None
    if prog:
        profile = make_profile(name=prog["name"], mission=prog.get("mission", ""), country=group["country"],
                               **({"features": prog["features"]} if prog.get("features") else {}))
    return score_answer(variant["text"], question=group["question"], profile=profile, country=group["country"],
                        transcript=transcript)


def _value(result, cid: str):
    if cid == "overall":
        return result.overall
    c = result.get(cid)
    return c.score if c is not None else None


def pairwise_accuracy(groups: list[dict]) -> dict[str, tuple[int, int]]:
    """dimension -> (pairs ordered correctly, pairs)."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for g in groups:
        scored = {v["id"]: score_variant(g, v) for v in g["variants"]}
        for dim, cid in DIMENSIONS.items():
            highs = [v for v in g["variants"] if v.get(dim) == "high"]
            lows = [v for v in g["variants"] if v.get(dim) == "low"]
            for h in highs:
                for lo in lows:
                    hv, lv = _value(scored[h["id"]], cid), _value(scored[lo["id"]], cid)
                    out[dim][1] += 1
                    out[dim][0] += int(hv is not None and lv is not None and hv > lv)
    return {k: (v[0], v[1]) for k, v in out.items()}


def star_detection(path: Path, holdout: bool | None = None) -> dict:
    """Per part: tp, fp, fn; plus "missing" claims and how many were right.

    ``holdout``: None for every answer, True / False for the held-out ones (written after
    the detector was tuned) or the others."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["answers"]
    if holdout is not None:
        data = [d for d in data if bool(d.get("holdout")) == holdout]
    stats = {p: {"tp": 0, "fp": 0, "fn": 0} for p in STAR}
    missing_claims = missing_right = 0
    wrong: list[str] = []
    for item in data:
        q = {"kind": "behavioural"}
        r = score_answer(item["text"], question=type("Q", (), {**q, "text": item["question"],
                                                                "suggested_seconds": 120})())
        found = set(r.get("structure").signals.get("parts", []))
        truth = set(item.get("parts") or [])
        for p in STAR:
            if p in found and p in truth:
                stats[p]["tp"] += 1
            elif p in found:
                stats[p]["fp"] += 1
            elif p in truth:
                stats[p]["fn"] += 1
            if p not in found:
                missing_claims += 1
                missing_right += p not in truth
                if p in truth:
                    wrong.append(f"{item['id']}:{p}")
    return {"parts": stats, "missing_claims": missing_claims, "missing_right": missing_right,
            "answers": len(data), "wrong_missing": wrong}


def relevance_swap(groups: list[dict]) -> dict:
    """Each answer labelled high on some dimension, scored against its own question and
    against the question of another group (the one 7 places on, cyclically, skipping groups
    with the same question): how often relevance drops, and how often the misplaced answer
    is flagged off topic. A measure of whether relevance follows the question."""
    highs = [(i, g, v) for i, g in enumerate(groups) for v in g["variants"]
             if any(v.get(d) == "high" for d in DIMENSIONS)]
    drops = flagged = own_flagged = n = 0
    for i, g, v in highs:
        j = (i + 7) % len(groups)
        while groups[j]["question"] == g["question"]:
            j = (j + 1) % len(groups)
        other = {**g, "question": groups[j]["question"], "program": g.get("program")}
        own_r, other_r = score_variant(g, v), score_variant(other, v)
        a, b = own_r.get("relevance"), other_r.get("relevance")
        if a is None or b is None:
            continue
        n += 1
        drops += a.score > b.score
        flagged += "off_topic" in other_r.flags
        own_flagged += "off_topic" in own_r.flags
    return {"answers": n, "drops": drops, "flagged_elsewhere": flagged, "flagged_own": own_flagged}


def off_topic_flags(groups: list[dict]) -> dict:
    """How many answers labelled low on relevance are flagged off topic, and how many of the
    others (false flags)."""
    low = low_flagged = other = other_flagged = 0
    for g in groups:
        for v in g["variants"]:
            flagged = "off_topic" in score_variant(g, v).flags
            if v.get("relevance") == "low":
                low += 1
                low_flagged += flagged
            else:
                other += 1
                other_flagged += flagged
    return {"low": low, "low_flagged": low_flagged, "other": other, "other_flagged": other_flagged}
