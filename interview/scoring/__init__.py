"""Score one answer against the rubric, with evidence and tips.

``score_answer(text, question=..., profile=..., country=..., transcript=..., metrics=...)``
analyses the answer once (:class:`~interview.scoring.analysis.Analysis`, on the core's one
text engine :mod:`interview.text`), then scores every criterion of ``rubrics/`` with the
module registered for its id (:mod:`.registry`; one module per criterion: :mod:`.clarity`,
:mod:`.familiarity`, :mod:`.program_fit`, :mod:`.structure`, :mod:`.questions`,
:mod:`.relevance`, :mod:`.ethical_reasoning`). It returns an :class:`AnswerScore`: the overall score (weighted mean of
the assessed criteria, capped when the answer is off topic) and, per criterion, the score,
band, measured signals, evidence spans (character offsets into ``text`` exactly as passed)
and 1-3 tips.

A criterion the question does not assess (see :func:`applicability`) is still listed, with
``score`` None ("not assessed"), no tips, and no part in the overall.

Everything here is general-purpose signal measurement; nothing is keyed to particular texts.
"""

from __future__ import annotations

from ..errors import RubricError
from ..lexicon import COUNTRIES
from ..metrics import DeliveryMetrics, compute_metrics
from ..rubric import KINDS, Criterion, Rubric, load_rubric
from .analysis import Analysis, cue_matcher
from .question import QuestionInfo, infer_kind, question_info
from .rating import NOT_ASSESSED, not_assessed
from .records import AnswerScore, CriterionResult, Evidence
from .registry import SCORERS, ScoringContext, register

# one module per criterion: importing them registers them
from . import clarity, ethical_reasoning, familiarity, program_fit, questions, relevance, structure  # noqa: E402,F401
from .program_fit import is_real_profile  # noqa: E402

__all__ = [
    "AnswerScore", "CriterionResult", "Evidence", "NOT_ASSESSED", "SCORERS", "ScoringContext",
    "applicability", "infer_kind", "register", "score_answer",
]

_KIND_NAMES = {
    "opening": "an opening", "motivation": "a motivation", "behavioural": "a behavioural",
    "scenario": "a scenario", "knowledge": "a knowledge", "applicant_questions": "a \"questions for us\"",
}


def applicability(criterion: Criterion, ctx: ScoringContext) -> str | None:
    """None when ``criterion`` applies to this answer, else why it is not assessed."""
    q = ctx.question
    if criterion.requires_profile and not ctx.has_profile:
        return "no program profile was given"
    if criterion.requires_question and not q.given:
        return "no question was given"
    if criterion.id in q.not_assessed:
        return "this question does not ask for it"
    if criterion.id in q.assesses:
        return None
    if criterion.only_kinds and ctx.kind not in criterion.only_kinds \
            or criterion.except_kinds and ctx.kind in criterion.except_kinds:
        return f"not part of {_KIND_NAMES.get(ctx.kind or '', 'this kind of')} question"
    if q.category and (criterion.only_categories and q.category not in criterion.only_categories
                       or q.category in criterion.except_categories):
        return "this kind of question does not invite it"
    if criterion.skip_questions_with and q.text and \
            cue_matcher(tuple(criterion.skip_questions_with)).find(q.text):
        return "this question does not invite it"
    return None


def score_answer(
    text: str,
    *,
    question=None,
    profile=None,
    country: str | None = None,
    transcript=None,
    metrics: DeliveryMetrics | None = None,
    rubric: Rubric | None = None,
) -> AnswerScore:
    """Score ``text`` on every criterion of the rubric.

    ``question``: a bank ``Question`` (kind, suggested_seconds, category, assesses...), any
    object with those attributes, a question string (its kind is inferred), or None.
    ``profile``: a ``ProgramProfile`` (or look-alike with name, mission, features) turns on
    program fit. ``country``: 'us' or 'ca'; default the profile's, else the question's single
    country, else whichever lexicon the answer matches best. ``transcript``: an
    ``interview.transcript.Transcript`` whose timed words turn on the timing signals.
    ``metrics``: precomputed :class:`DeliveryMetrics` (computed here if not given).
    """
    text = text if isinstance(text, str) else ""
    if not text.strip():
        raise RubricError("the answer is empty: type or record an answer before scoring")
    q: QuestionInfo = question_info(question)
    if country:
        country = country.strip().lower()
        if country not in COUNTRIES:
            raise RubricError(f"unknown country {country!r}: use 'us' or 'ca'")
    elif profile is not None and getattr(profile, "country", None) in COUNTRIES:
        country = profile.country
    elif len(q.countries) == 1 and q.countries[0] in COUNTRIES:
        country = q.countries[0]
    rubric = rubric or load_rubric()
    secs = q.seconds
    if secs is None and q.given:
        # a typed-in question has no suggested time: judge length against the usual one for
        # its kind (with no question at all, length is not judged)
        secs = next((c.expected_seconds(q.kind) for c in rubric.criteria if c.suggested_seconds), None)
    if metrics is None:
        words = transcript.words if transcript is not None else None
        duration = getattr(transcript, "duration", None) if transcript is not None else None
        metrics = compute_metrics(text, words, duration or None, secs)
    ctx = ScoringContext(analysis=Analysis(text, metrics), question=q, kind=q.kind, country=country,
                         profile=profile, has_profile=is_real_profile(profile))
    results: list[CriterionResult] = []
    for crit in rubric.criteria:
        scorer = SCORERS.get(crit.id)
        if scorer is None:
            raise RubricError(f"{rubric.folder}: criterion {crit.id}: no scorer module is registered for it")
        reason = applicability(crit, ctx)
        results.append(not_assessed(crit, reason) if reason else scorer(crit, ctx))
    assessed = [r for r in results if r.applicable]
    wsum = sum(r.weight for r in assessed)
    overall = round(sum(r.score * r.weight for r in assessed) / wsum, 2) if wsum else 0.0
    flags: list[str] = []
    for crit, r in zip(rubric.criteria, results):
        cap = crit.overall_cap
        if cap is not None and r.applicable and r.score < cap.below:
            overall = min(overall, cap.max_overall)
            flags.append(cap.flag)
    fam = next((r for r in assessed if r.id == "local_system_familiarity"), None)
    return AnswerScore(
        overall=round(overall, 2), criteria=results,
        country=country or (fam.signals.get("country") if fam else None),
        question_kind=q.kind, timed=metrics.timed, metrics=metrics.to_dict(), flags=flags,
    )
