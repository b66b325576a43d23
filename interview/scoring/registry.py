"""The criterion registry: one module per criterion registers the function that scores it.

A criterion file in ``rubrics/`` names its ``id``; the scorer looks the id up here. A coach
who adds a criterion writes its YAML file and, at most, one module with::

    from .registry import register

    @register("my_criterion", signals={"a_signal"}, cues={"a_cue_list"})
    def score(criterion, ctx):            # ctx: ScoringContext
        signals = {"a_signal": ...}
        return rate(criterion, ctx, signals, evidence=[...])

The signal ids and required cue lists declared here are what ``interview.rubric`` validates
each criterion file against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .. import rubric as rubric_mod
from ..rubric import Criterion
from .analysis import Analysis
from .question import QuestionInfo
from .records import CriterionResult

Scorer = Callable[[Criterion, "ScoringContext"], CriterionResult]
SCORERS: dict[str, Scorer] = {}


@dataclass
class ScoringContext:
    """Everything a criterion may look at for one answer."""

    analysis: Analysis
    question: QuestionInfo
    kind: str | None
    country: str | None
    profile: Any = None
    has_profile: bool = False
    extra: dict = field(default_factory=dict)  # results shared between criteria

    @property
    def timed(self) -> bool:
        return self.analysis.metrics.timed


def register(cid: str, *, signals: set[str], cues: set[str] = frozenset()) -> Callable[[Scorer], Scorer]:
    """Register the scorer of criterion ``cid`` with the signals it measures and the cue
    lists its rubric file must give."""

    def deco(fn: Scorer) -> Scorer:
        SCORERS[cid] = fn
        rubric_mod.KNOWN_SIGNALS[cid] = set(signals)
        rubric_mod.REQUIRED_CUES[cid] = set(cues)
        return fn

    return deco
