"""The summary of one session: how each criterion went across the answers, the strongest
and weakest answers, the top three things to work on, and delivery averages.

Works on a stored :class:`interview.storage.SessionRecord` (the latest attempt at each
question counts) and uses the coach's score overrides where there are any. Pure: no
database, no Streamlit; the app's summary page, the reports and the CLI all call it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field

#: how many "things to work on" a summary lists
FOCUS_COUNT = 3


def _mean(values) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return round(statistics.fmean(vals), 2) if vals else None


@dataclass(frozen=True)
class CriterionSummary:
    """One criterion across the scored answers (``mean`` of the final 1-5 scores)."""

    id: str
    name: str
    mean: float
    count: int
    lowest: float
    highest: float


@dataclass(frozen=True)
class AnswerSummary:
    """One answer, as the summary names it."""

    answer_id: str
    position: int
    attempt: int
    question_id: str | None
    question: str
    overall: float


@dataclass(frozen=True)
class FocusItem:
    """A thing to work on: a weak criterion and the tip that came up most for it."""

    criterion_id: str
    name: str
    mean: float
    tip: str


@dataclass(frozen=True)
class DeliverySummary:
    """Delivery averages over the answers that have the figure (timed ones for wpm,
    fillers per minute and pauses)."""

    words_per_minute: float | None = None
    fillers_per_minute: float | None = None
    fillers_per_100_words: float | None = None
    longest_pause: float | None = None
    timed_answers: int = 0


@dataclass(frozen=True)
class SessionSummary:
    session_id: str
    answered: int
    scored: int
    failed: int
    overall: float | None
    criteria: list[CriterionSummary] = field(default_factory=list)
    strongest: AnswerSummary | None = None
    weakest: AnswerSummary | None = None
    work_on: list[FocusItem] = field(default_factory=list)
    delivery: DeliverySummary = field(default_factory=DeliverySummary)

    def to_dict(self) -> dict:
        return asdict(self)


def summarise_session(session) -> SessionSummary:
    """Summarise a session record (``SessionRecord``: ``.id`` and ``.answers``)."""
    answers = list(session.answers)
    scored = [a for a in answers if a.status == "scored" and a.scores]
    failed = [a for a in answers if a.status == "failed"]

    # criteria, in the order they first appear
    names: dict[str, str] = {}
    values: dict[str, list[float]] = {}
    tips: dict[str, Counter] = {}
    for a in scored:
        final = a.final_scores
        for c in a.criteria:
            cid = c.get("id")
            if cid is None:
                continue
            names.setdefault(cid, c.get("name") or cid.replace("_", " ").capitalize())
            score = final.get(cid)
            if score is None:
                continue
            values.setdefault(cid, []).append(float(score))
            counter = tips.setdefault(cid, Counter())
            # tips of answers that did poorly on this criterion count more
            weight = max(1, 6 - int(round(float(score))))
            for tip in c.get("tips") or []:
                if tip:
                    counter[tip] += weight
    criteria = [
        CriterionSummary(id=cid, name=names[cid], mean=_mean(vals), count=len(vals),
                         lowest=min(vals), highest=max(vals))
        for cid, vals in values.items()
    ]

    ranked = [a for a in scored if a.final_overall is not None]
    strongest = weakest = None
    if ranked:
        def brief(a) -> AnswerSummary:
            return AnswerSummary(a.id, a.position, a.attempt, a.question_id, a.question_text,
                                 a.final_overall)
        # ties: the earlier question
        strongest = brief(max(ranked, key=lambda a: (a.final_overall, -a.position)))
        weakest = brief(min(ranked, key=lambda a: (a.final_overall, a.position)))

    work_on: list[FocusItem] = []
    for c in sorted(criteria, key=lambda c: (c.mean, c.lowest)):
        if len(work_on) == FOCUS_COUNT:
            break
        if c.mean >= 5:
            continue  # nothing to improve there
        counter = tips.get(c.id)
        if not counter:
            continue
        tip = max(counter.items(), key=lambda kv: kv[1])[0]
        work_on.append(FocusItem(c.id, c.name, c.mean, tip))

    metrics = [a.metrics for a in answers if a.metrics]
    timed = [m for m in metrics if m.get("timed")]
    pauses = [m.get("longest_pause") for m in timed if m.get("longest_pause") is not None]
    delivery = DeliverySummary(
        words_per_minute=_mean(m.get("words_per_minute") for m in timed),
        fillers_per_minute=_mean(m.get("filler_per_minute") for m in timed),
        fillers_per_100_words=_mean(m.get("filler_per_100_words") for m in metrics),
        longest_pause=round(max(pauses), 2) if pauses else None,
        timed_answers=len(timed),
    )
    return SessionSummary(
        session_id=session.id, answered=len(answers), scored=len(scored), failed=len(failed),
        overall=_mean(a.final_overall for a in ranked), criteria=criteria,
        strongest=strongest, weakest=weakest, work_on=work_on, delivery=delivery,
    )
