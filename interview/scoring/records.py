"""The scorer's result records: evidence spans, one criterion's result, one answer's score."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Evidence:
    """A highlighted span: ``text[start:end] == self.text``."""

    start: int
    end: int
    text: str
    kind: str  # filler, hedge, repetition, run_on, pause, local_term, residency_tie, program, structure, question, topic
    label: str


@dataclass
class CriterionResult:
    """One criterion of one answer. ``score`` is None when the criterion does not apply to
    the question (``applicable`` False): it is shown as "not assessed", has no tips and does
    not enter the overall."""

    id: str
    name: str
    score: float | None  # 1-5, None when not assessed
    band: str  # band label, e.g. "Good"; "Not assessed"
    signals: dict[str, Any]  # measured figures
    evidence: list[Evidence] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)
    weight: float = 1.0
    band_description: str = ""
    subscores: dict[str, float] = field(default_factory=dict)
    applicable: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "CriterionResult":
        d = dict(d)
        d["evidence"] = [Evidence(**e) for e in d.get("evidence", [])]
        d.setdefault("applicable", d.get("score") is not None)
        return cls(**d)


@dataclass
class AnswerScore:
    overall: float
    criteria: list[CriterionResult]
    country: str | None = None
    question_kind: str | None = None
    timed: bool = False
    metrics: dict | None = None  # DeliveryMetrics.to_dict()
    #: "off_topic" when the answer does not address the question (see the relevance criterion)
    flags: list[str] = field(default_factory=list)

    def get(self, cid: str) -> CriterionResult | None:
        """The criterion's result if it was scored (None if not assessed or unknown)."""
        c = self.result(cid)
        return c if c is not None and c.applicable else None

    def result(self, cid: str) -> CriterionResult | None:
        """The criterion's result, assessed or not (None if the rubric has no such criterion)."""
        return next((c for c in self.criteria if c.id == cid), None)

    @property
    def assessed(self) -> list[CriterionResult]:
        return [c for c in self.criteria if c.applicable]

    @property
    def evidence(self) -> list[Evidence]:
        """All criteria's evidence, in text order (for highlighting)."""
        out = [e for c in self.criteria for e in c.evidence]
        return sorted(out, key=lambda e: (e.start, -e.end))

    def to_dict(self) -> dict:
        return {
            "overall": self.overall,
            "criteria": [c.to_dict() for c in self.criteria],
            "country": self.country,
            "question_kind": self.question_kind,
            "timed": self.timed,
            "metrics": self.metrics,
            "flags": list(self.flags),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "AnswerScore":
        return cls(
            overall=d["overall"],
            criteria=[CriterionResult.from_dict(c) for c in d.get("criteria", [])],
            country=d.get("country"), question_kind=d.get("question_kind"),
            timed=bool(d.get("timed", False)), metrics=d.get("metrics"),
            flags=list(d.get("flags") or []),
        )
