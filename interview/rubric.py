"""Rubrics as data: one YAML file per criterion in ``rubrics/`` (see ``rubrics/README.md``).

A criterion file gives the criterion's id, name, what it measures, its weight, where it
applies, the signals it scores with their targets (``good``) and limits (``poor``), score
caps, the 1-5 band descriptions, the tips keyed to what went wrong, and the plain-phrase cue
lists the scorer looks for. The scorer (``interview.scoring``) measures the signals; this
module validates the files and turns a measured value into a 1-5 sub-score.

Validation messages name the file, the criterion and the field, e.g.
``rubrics/clarity.yaml: criterion clarity: signals.filler_per_minute.poor: must be greater
than good (2.0) when better is 'lower'``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import RubricError, validation_problems
from .paths import rubrics_dir
from .yamlfile import load_cached

KINDS = ("opening", "motivation", "behavioural", "scenario", "knowledge", "applicant_questions")

#: the criteria the scorer knows, with the signals it can measure for each and the cue lists
#: (plain phrases) each criterion's file must provide. Filled by the scorer's criterion
#: modules when they register (``interview.scoring.registry.register``).
KNOWN_SIGNALS: dict[str, set[str]] = {}
REQUIRED_CUES: dict[str, set[str]] = {}


def _registered() -> dict[str, set[str]]:
    """The criteria registered by the scorer's modules (imported on first use)."""
    if not KNOWN_SIGNALS:
        from . import scoring  # noqa: F401  - registers every criterion module
    return KNOWN_SIGNALS

Number = Union[int, float]


def _kind_applies(only_kinds: list[str], except_kinds: list[str], kind: str | None) -> bool:
    """Whether a signal or criterion limited to ``only_kinds`` / ``except_kinds`` applies."""
    if only_kinds and kind not in only_kinds:
        return False
    return not (except_kinds and kind in except_kinds)


class Signal(BaseModel):
    """How one measured figure maps to a 1-5 sub-score."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label: str = Field(min_length=1)
    better: Literal["lower", "higher", "range"]
    good: Union[Number, list[Number]]
    poor: Union[Number, list[Number]]
    weight: float = Field(default=1.0, gt=0)
    tip: str | None = None
    when: Literal["always", "timed", "typed"] = "always"
    only_kinds: list[str] = Field(default_factory=list)
    except_kinds: list[str] = Field(default_factory=list)

    @field_validator("only_kinds", "except_kinds")
    @classmethod
    def _kinds(cls, v):
        bad = [k for k in v if k not in KINDS]
        if bad:
            raise ValueError(f"unknown question kind(s) {bad}; known: {', '.join(KINDS)}")
        return v

    @model_validator(mode="after")
    def _targets(self):
        if self.better == "range":
            if not (isinstance(self.good, list) and isinstance(self.poor, list)
                    and len(self.good) == 2 and len(self.poor) == 2):
                raise ValueError("with better: range, good and poor must be [low, high] pairs")
            lo, hi = self.good
            plo, phi = self.poor
            if not (plo < lo <= hi < phi):
                raise ValueError(
                    f"with better: range, need poor low < good low <= good high < poor high "
                    f"(got good {self.good}, poor {self.poor})")
        else:
            if isinstance(self.good, list) or isinstance(self.poor, list):
                raise ValueError(f"with better: {self.better}, good and poor must be single numbers")
            if self.better == "lower" and not self.poor > self.good:
                raise ValueError(f"poor ({self.poor}) must be greater than good ({self.good}) when better is 'lower'")
            if self.better == "higher" and not self.poor < self.good:
                raise ValueError(f"poor ({self.poor}) must be less than good ({self.good}) when better is 'higher'")
        return self

    def applies(self, *, timed: bool, kind: str | None) -> bool:
        if self.when == "timed" and not timed:
            return False
        if self.when == "typed" and timed:
            return False
        return _kind_applies(self.only_kinds, self.except_kinds, kind)

    def subscore(self, value: float) -> float:
        """1 (at or past ``poor``) to 5 (at or better than ``good``), linear in between."""
        v = float(value)
        if self.better == "lower":
            good, poor = float(self.good), float(self.poor)
            return 5.0 if v <= good else 1.0 if v >= poor else 5.0 - 4.0 * (v - good) / (poor - good)
        if self.better == "higher":
            good, poor = float(self.good), float(self.poor)
            return 5.0 if v >= good else 1.0 if v <= poor else 1.0 + 4.0 * (v - poor) / (good - poor)
        lo, hi = (float(x) for x in self.good)
        plo, phi = (float(x) for x in self.poor)
        if lo <= v <= hi:
            return 5.0
        if v < lo:
            return 1.0 if v <= plo else 1.0 + 4.0 * (v - plo) / (lo - plo)
        return 1.0 if v >= phi else 5.0 - 4.0 * (v - hi) / (phi - hi)


class Cap(BaseModel):
    """Caps the criterion score when a signal is out of bounds (e.g. terms listed, not used)."""

    model_config = ConfigDict(extra="forbid")

    signal: str
    below: float | None = None
    above: float | None = None
    max_score: float = Field(ge=1, le=5)
    tip: str | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.below is None) == (self.above is None):
            raise ValueError("give exactly one of 'below' or 'above'")
        return self

    def triggered(self, value: float | None) -> bool:
        if value is None:
            return False
        return value < self.below if self.below is not None else value > self.above  # type: ignore[operator]


class Band(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label: str = Field(min_length=1)
    description: str = Field(min_length=1)


class OverallCap(BaseModel):
    """Caps the answer's OVERALL score when this criterion scores below ``below`` (e.g. an
    answer that misses the question cannot score well overall)."""

    model_config = ConfigDict(extra="forbid")

    below: float = Field(ge=1, le=5)
    max_overall: float = Field(ge=1, le=5)
    flag: str = Field(default="capped", pattern=r"^[a-z_]+$")


class Criterion(BaseModel):
    """One criterion file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str
    name: str = Field(min_length=1)
    measures: str = Field(min_length=1)
    weight: float = Field(gt=0)
    requires_profile: bool = False
    #: only when a question was given (relevance needs one)
    requires_question: bool = False
    only_kinds: list[str] = Field(default_factory=list)
    except_kinds: list[str] = Field(default_factory=list)
    #: bank categories the criterion is (not) assessed for by default; a question's own
    #: ``assesses`` / ``not_assessed`` lists override these defaults
    only_categories: list[str] = Field(default_factory=list)
    except_categories: list[str] = Field(default_factory=list)
    #: plain phrases: a question whose wording has one does not assess this criterion
    #: unless it says so (e.g. "weakness" for local-system familiarity)
    skip_questions_with: list[str] = Field(default_factory=list)
    overall_cap: OverallCap | None = None
    signals: dict[str, Signal] = Field(min_length=1)
    caps: list[Cap] = Field(default_factory=list)
    bands: dict[int, Band]
    tips: dict[str, str] = Field(min_length=1)
    tip_below: float = Field(default=4.0, ge=1, le=5)
    cues: dict[str, list[str]] = Field(default_factory=dict)
    #: expected answer length (seconds) by question kind, used when the question itself
    #: gives none (a free-text question); key ``default`` for any other kind
    suggested_seconds: dict[str, int] = Field(default_factory=dict)

    @field_validator("suggested_seconds")
    @classmethod
    def _seconds_kinds(cls, v):
        bad = [k for k in v if k not in KINDS and k != "default"]
        if bad:
            raise ValueError(f"unknown question kind(s) {bad}; known: {', '.join(KINDS)} or 'default'")
        if any(s <= 0 for s in v.values()):
            raise ValueError("every suggested time must be a positive number of seconds")
        return v

    def expected_seconds(self, kind: str | None) -> int | None:
        """The answer length this criterion expects for ``kind`` when the question gives none."""
        return self.suggested_seconds.get(kind or "default", self.suggested_seconds.get("default"))

    @field_validator("id")
    @classmethod
    def _known(cls, v: str) -> str:
        known = _registered()
        if v not in known:
            raise ValueError(f"unknown criterion {v!r}; the scorer knows {', '.join(known)} "
                             "(a new criterion needs a module in interview/scoring/ that registers it)")
        return v

    @field_validator("skip_questions_with")
    @classmethod
    def _plain_phrases(cls, v):
        for p in v:
            if re.search(r"[\\^$*+?{}\[\]|()]", p) or not p.strip():
                raise ValueError(f"{p!r} must be plain words, not a regular expression")
        return v

    @field_validator("only_kinds", "except_kinds")
    @classmethod
    def _kinds(cls, v):
        bad = [k for k in v if k not in KINDS]
        if bad:
            raise ValueError(f"unknown question kind(s) {bad}; known: {', '.join(KINDS)}")
        return v

    @field_validator("cues", mode="before")
    @classmethod
    def _yaml_booleans(cls, v):
        for key, phrases in (v or {}).items():
            for p in phrases or []:
                if isinstance(p, bool) or p is None:
                    raise ValueError(
                        f"{key}: YAML read a cue as {p!r}; put words like on, off, yes, no in quotes")
        return v

    @field_validator("cues")
    @classmethod
    def _plain(cls, v: dict[str, list[str]]):
        for key, phrases in v.items():
            for p in phrases:
                if not isinstance(p, str) or not p.strip():
                    raise ValueError(f"{key}: every cue must be a non-empty phrase")
                if re.search(r"[\\^$*+?{}\[\]|()]", p):
                    raise ValueError(f"{key}: cue {p!r} must be plain words, not a regular expression")
        return {k: [p.strip() for p in ps] for k, ps in v.items()}

    @model_validator(mode="after")
    def _consistent(self):
        known = KNOWN_SIGNALS[self.id]
        unknown = sorted(set(self.signals) - known)
        if unknown:
            raise ValueError(f"signals: unknown signal(s) {unknown}; known for {self.id}: {', '.join(sorted(known))}")
        if sorted(self.bands) != [1, 2, 3, 4, 5]:
            raise ValueError(f"bands: need exactly the bands 1, 2, 3, 4 and 5 (got {sorted(self.bands)})")
        for sid, sig in self.signals.items():
            if sig.tip and sig.tip not in self.tips:
                raise ValueError(f"signals.{sid}.tip: no tip named {sig.tip!r} in tips")
        for i, cap in enumerate(self.caps):
            if cap.signal not in known:
                raise ValueError(f"caps.{i}.signal: unknown signal {cap.signal!r}")
            if cap.tip and cap.tip not in self.tips:
                raise ValueError(f"caps.{i}.tip: no tip named {cap.tip!r} in tips")
        if "strength" not in self.tips:
            raise ValueError("tips.strength: is required (the tip shown when nothing is below target)")
        missing = sorted(REQUIRED_CUES[self.id] - set(self.cues))
        if missing:
            raise ValueError(f"cues: missing cue list(s) {missing}")
        return self

    def applies(self, *, kind: str | None, has_profile: bool) -> bool:
        """Whether the criterion applies to a question of ``kind`` (the kind defaults only;
        the scorer's ``applicability`` also weighs the question's own settings)."""
        if self.requires_profile and not has_profile:
            return False
        return _kind_applies(self.only_kinds, self.except_kinds, kind)

    def band(self, score: float) -> Band:
        return self.bands[min(5, max(1, int(score + 0.5)))]


class Rubric:
    """Every criterion, in file order (sorted by file name)."""

    def __init__(self, criteria: list[Criterion], folder: Path):
        self.criteria = criteria
        self.folder = folder
        self.by_id = {c.id: c for c in criteria}

    def __getitem__(self, cid: str) -> Criterion:
        return self.by_id[cid]


def _describe(exc: ValidationError, path: Path, cid: str) -> str:
    parts = []
    for loc, msg in validation_problems(exc):
        where = ".".join(map(str, loc))
        parts.append(f"{where}: {msg}" if where else msg)
    return f"{path}: criterion {cid}: " + "; ".join(parts)


def _parse_criterion(path: Path, data) -> Criterion:
    if not isinstance(data, dict):
        raise RubricError(f"{path}: expected a mapping (id, name, measures, weight, signals, bands, tips)")
    cid = str(data.get("id") or path.stem)
    try:
        return Criterion(**data)
    except ValidationError as exc:
        raise RubricError(_describe(exc, path, cid)) from None


def load_criterion(path: Path) -> Criterion:
    """One criterion file, validated, parsed once per file version."""
    return load_cached(path, "criterion", _parse_criterion)


def load_rubric(folder: Path | None = None) -> Rubric:
    """Every ``*.yaml`` criterion file directly in ``folder`` (default ``rubrics/``)."""
    folder = Path(folder) if folder else rubrics_dir()
    if not folder.is_dir():
        raise RubricError(f"{folder}: rubrics folder not found; set INTERVIEW_RUBRICS_DIR or restore rubrics/")
    files = sorted(p for p in folder.glob("*.yaml") if p.is_file())
    if not files:
        raise RubricError(f"{folder}: no criterion files (*.yaml) found")
    criteria = [load_criterion(p) for p in files]
    seen: dict[str, Path] = {}
    for p, c in zip(files, criteria):
        if c.id in seen:
            raise RubricError(f"{p}: criterion {c.id}: id already defined in {seen[c.id].name}")
        seen[c.id] = p
    return Rubric(criteria, folder)
