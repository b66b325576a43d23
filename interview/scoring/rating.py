"""Measured signals -> 1-5 sub-scores -> the criterion's score, band and tips."""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from ..rubric import Criterion
from .records import CriterionResult, Evidence
from .registry import ScoringContext

NOT_ASSESSED = "Not assessed"


class _SafeVars(dict):
    def __missing__(self, key):
        return "…"


def format_tip(template: str, variables: dict) -> str:
    try:
        text = template.format_map(_SafeVars(variables))
    except (ValueError, IndexError, AttributeError):
        text = template
    return re.sub(r"\s+", " ", text).strip()


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.0f}" if abs(v) >= 10 else f"{v:.2g}" if v else "0"
    return v


def quote(items: Iterable[str], n: int = 3) -> str:
    seen: list[str] = []
    for it in items:
        it = it.strip().lower()
        if it and it not in seen:
            seen.append(it)
    return ", ".join(f'"{s}"' for s in seen[:n])


def rate(criterion: Criterion, ctx: ScoringContext, signals: dict[str, Any], *,
         evidence: Sequence[Evidence] = (), tip_vars: dict | None = None,
         extra_tips: Sequence[str] = ()) -> CriterionResult:
    """Weighted mean of the sub-scores, caps applied; tips for the weakest signals."""
    subs: dict[str, float] = {}
    total = wsum = 0.0
    deficits: list[tuple[float, str]] = []
    for sid, sig in criterion.signals.items():
        value = signals.get(sid)
        if value is None or not sig.applies(timed=ctx.timed, kind=ctx.kind):
            continue
        sub = sig.subscore(float(value))
        subs[sid] = round(sub, 2)
        total += sub * sig.weight
        wsum += sig.weight
        if sig.tip and sub < criterion.tip_below:
            deficits.append(((5.0 - sub) * sig.weight, sig.tip))
    score = total / wsum if wsum else 3.0
    for cap in criterion.caps:
        if cap.triggered(signals.get(cap.signal)):
            score = min(score, cap.max_score)
            if cap.tip:
                deficits.append((100.0, cap.tip))
    for key in extra_tips:
        deficits.append((50.0, key))
    deficits.sort(key=lambda d: -d[0])
    keys: list[str] = []
    for _d, key in deficits:
        if key not in keys and key in criterion.tips:
            keys.append(key)
    keys = keys[:3] or ["strength"]
    variables = {k: _fmt(v) for k, v in signals.items()}
    variables.update(tip_vars or {})
    tips = [format_tip(criterion.tips[k], variables) for k in keys]
    score = round(min(5.0, max(1.0, score)), 2)
    band = criterion.band(score)
    return CriterionResult(
        id=criterion.id, name=criterion.name, score=score, band=band.label,
        signals={k: (round(v, 2) if isinstance(v, float) else v) for k, v in signals.items()},
        evidence=sorted(evidence, key=lambda e: (e.start, -e.end)), tips=tips,
        weight=criterion.weight, band_description=band.description, subscores=subs,
    )


def not_assessed(criterion: Criterion, reason: str) -> CriterionResult:
    """The record of a criterion the question does not assess: no score, no tips."""
    return CriterionResult(
        id=criterion.id, name=criterion.name, score=None, band=NOT_ASSESSED,
        signals={"reason": reason}, evidence=[], tips=[], weight=criterion.weight,
        band_description=f"Not assessed for this question: {reason}.", subscores={},
        applicable=False,
    )
