"""Progress over time: per applicant, each criterion's score and the delivery figures across
sessions (oldest first), and the question categories not practised yet.

A session's criterion score is the mean, over its answers (latest attempt per question), of
the *final* score — the coach's override where there is one, else the automatic score. Its
delivery figures are the means of the answers' ``words_per_minute`` and
``filler_per_minute`` (recorded answers only; typed answers have no timing).

:func:`progress_from_sessions` is pure (session records in, :class:`Progress` out);
:func:`applicant_progress` reads the store and the question bank. No Streamlit here.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

#: delivery figures charted per session: metrics key -> label
DELIVERY_SERIES: dict[str, str] = {"wpm": "Words per minute", "fillers_per_min": "Fillers per minute"}
#: where those figures are in the stored metrics (``DeliveryMetrics.to_dict()``)
METRIC_KEYS: dict[str, str] = {"wpm": "words_per_minute", "fillers_per_min": "filler_per_minute"}


@dataclass
class SessionPoint:
    """One session's figures."""

    session_id: str
    date: datetime | None
    program: str = ""
    overall: float | None = None
    #: criterion id -> mean final score in this session
    criteria: dict[str, float] = field(default_factory=dict)
    wpm: float | None = None
    fillers_per_min: float | None = None
    answers: int = 0
    categories: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        return d


@dataclass
class Progress:
    """An applicant's sessions in date order, with criterion names and unpractised categories."""

    applicant_id: str | None
    points: list[SessionPoint] = field(default_factory=list)
    #: criterion id -> display name, in first-seen order
    criteria: dict[str, str] = field(default_factory=dict)
    categories_practised: list[str] = field(default_factory=list)
    not_practised: list[str] = field(default_factory=list)

    def criterion_rows(self) -> list[dict[str, Any]]:
        """Rows for a chart: ``{"session": label, <criterion name>: score, ...}``."""
        rows = []
        for p in self.points:
            row: dict[str, Any] = {"session": _label(p)}
            for cid, name in self.criteria.items():
                row[name] = p.criteria.get(cid)
            rows.append(row)
        return rows

    def delivery_rows(self) -> list[dict[str, Any]]:
        """Rows for a chart: ``{"session": label, "Words per minute": .., "Fillers per minute": ..}``."""
        return [
            {"session": _label(p), **{label: getattr(p, key) for key, label in DELIVERY_SERIES.items()}}
            for p in self.points
        ]

    def to_dict(self) -> dict:
        return {
            "applicant_id": self.applicant_id,
            "criteria": dict(self.criteria),
            "points": [p.to_dict() for p in self.points],
            "categories_practised": list(self.categories_practised),
            "not_practised": list(self.not_practised),
        }


def _label(p: SessionPoint) -> str:
    return p.date.strftime("%Y-%m-%d %H:%M") if p.date else p.session_id[:8]


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return round(statistics.fmean(vals), 2) if vals else None


def session_point(session: Any) -> SessionPoint:
    """The figures of one session record (``interview.storage.SessionRecord``)."""
    per_criterion: dict[str, list[float]] = {}
    wpm, fpm, cats = [], [], []
    for a in session.answers:
        for cid, score in a.final_scores.items():
            if score is not None:
                per_criterion.setdefault(cid, []).append(float(score))
        m = a.metrics or {}
        wpm.append(m.get(METRIC_KEYS["wpm"]))
        fpm.append(m.get(METRIC_KEYS["fillers_per_min"]))
        if a.category:
            cats.append(a.category)
    return SessionPoint(
        session_id=session.id,
        date=session.created_at,
        program=getattr(session, "program_name", "") or "",
        overall=session.overall,
        criteria={cid: _mean(v) for cid, v in per_criterion.items()},  # type: ignore[misc]
        wpm=_mean(wpm),
        fillers_per_min=_mean(fpm),
        answers=len(session.answers),
        categories=sorted(set(cats)),
    )


def criterion_names(sessions: Iterable[Any]) -> dict[str, str]:
    """criterion id -> name, from the stored scores, in first-seen order (criteria never
    assessed, score None, are left out)."""
    names: dict[str, str] = {}
    for s in sessions:
        for a in s.answers:
            for c in a.criteria:
                if c.get("id") and c["id"] not in names and c.get("score") is not None:
                    names[c["id"]] = c.get("name") or c["id"]
    return names


def progress_from_sessions(
    sessions: Sequence[Any],
    categories: Sequence[str] = (),
    *,
    applicant_id: str | None = None,
) -> Progress:
    """Progress across ``sessions`` (any order; sorted oldest first).

    ``categories`` are the question categories one could practise (e.g. the bank's
    categories for the applicant's country); those with no answer yet are ``not_practised``.
    """
    ordered = sorted(sessions, key=lambda s: (s.created_at is None, s.created_at or datetime.min, s.id))
    points = [session_point(s) for s in ordered]
    practised: list[str] = []
    for p in points:
        for c in p.categories:
            if c not in practised:
                practised.append(c)
    return Progress(
        applicant_id=applicant_id,
        points=points,
        criteria=criterion_names(ordered),
        categories_practised=practised,
        not_practised=[c for c in categories if c not in practised],
    )


def bank_categories(countries: Iterable[str], bank: Any = None) -> list[str]:
    """The bank's categories with a question for any of ``countries`` (all if none given)."""
    from .bank import load_bank

    bank = bank if bank is not None else load_bank()
    countries = [c for c in countries if c]
    if not countries:
        return list(bank.categories)
    present = {q.category for c in countries for q in bank.suiting(c, any_specialty=True)}
    return [c for c in bank.categories if c in present]


def applicant_progress(store: Any, applicant_id: str, *, bank: Any = None,
                       until: datetime | None = None) -> Progress:
    """An applicant's progress from the store (sessions created before ``until`` if given).

    Categories not practised are judged against the bank's categories for the countries of
    the programs this applicant practised for.
    """
    store.get_applicant(applicant_id)  # NotFound for an unknown id
    sessions = store.list_sessions(applicant_id=applicant_id, until=until)
    countries = sorted({s.profile.country for s in sessions if s.profile is not None})
    return progress_from_sessions(
        sessions, bank_categories(countries, bank), applicant_id=applicant_id,
    )


def category_label(category: str) -> str:
    """A category's display name (the bank's label, else the id)."""
    try:
        from .bank import CATEGORY_LABELS
    except ImportError:  # pragma: no cover
        return category
    return CATEGORY_LABELS.get(category, category)
