"""Ethical reasoning, for ethics scenarios and MMI stations: the issue recognised,
information gathered before deciding, the perspectives of those involved, the principles and
rules that apply, a proportionate plan with a fallback, and no snap judgement.

Assessed for scenario questions in the ethics and MMI categories (``rubrics/ethical_reasoning.yaml``)
and for a typed-in question that reads as an ethics or MMI scenario
(:func:`interview.scoring.question.is_ethics_scenario`). General cue lists only, from the
rubric file; nothing is keyed to particular stations or answers.
"""

from __future__ import annotations

from ..rubric import Criterion
from ..text import fold, stem
from .analysis import cues
from .question import is_ethics_scenario
from .rating import not_assessed, quote, rate
from .records import CriterionResult, Evidence
from .registry import ScoringContext, register

SIGNALS = {"issues", "information", "information_first", "perspectives", "principles", "plan",
           "fallback", "snap_judgements"}
PEOPLE = ("people_patient", "people_family", "people_colleagues", "people_public",
          "people_institution")
CUES = {"issues", "information", "decision", "perspective_words", "principles", "plan",
        "plan_steps", "fallback", "snap", *PEOPLE}

#: the professional bodies' guidance, named in the tip for the program's country
BODY_GUIDANCE = {
    "ca": "guidance of your provincial college (e.g. the CPSO) and the CMPA, and the CMA Code "
          "of Ethics and Professionalism",
    "us": "guidance of the AMA Code of Medical Ethics, your state medical board and hospital "
          "policy",
    None: "guidance of the professional bodies (the medical regulator, the code of ethics, "
          "hospital policy)",
}


def _distinct(matches) -> set[str]:
    """Distinct cue phrases by stem ("confidential" and "confidentiality" count once)."""
    return {" ".join(stem(fold(w)) for w in m.phrase.split()) for m in matches}


@register("ethical_reasoning", signals=SIGNALS, cues=CUES)
def score(c: Criterion, ctx: ScoringContext) -> CriterionResult:
    q = ctx.question
    if not q.category and "ethical_reasoning" not in q.assesses and not is_ethics_scenario(q.text):
        return not_assessed(c, "the question is not an ethics or MMI scenario")
    a = ctx.analysis
    issue_m = a.matches(cues(c, "issues"))
    principle_m = a.matches(cues(c, "principles"))
    info_s = a.sentences_with(cues(c, "information"))
    plan_s = a.sentences_with(cues(c, "plan"))
    step_s = a.sentences_with(cues(c, "plan_steps"))
    plan_sents = sorted(si for si in step_s if si in plan_s)
    decisions = sorted(set(a.sentences_with(cues(c, "decision"))) | set(plan_sents))
    first_info = min(info_s) if info_s else None
    info_first = 1 if first_info is not None and (not decisions or first_info <= decisions[0]) else 0
    persp_s = a.sentences_with(cues(c, "perspective_words"))
    groups = set()
    for g in PEOPLE:
        if any(si in persp_s for si in a.sentences_with(cues(c, g))):
            groups.add(g)
    fallback_m = a.matches(cues(c, "fallback"))
    snap_m = a.matches(cues(c, "snap"))

    signals = {
        "issues": len(_distinct(issue_m)),
        "information": len(info_s),
        "information_first": info_first,
        "perspectives": len(groups),
        "principles": len(_distinct(principle_m)),
        "plan": len(plan_sents),
        "fallback": 1 if fallback_m else 0,
        "snap_judgements": len(snap_m),
        "people": sorted(g.removeprefix("people_") for g in groups),
    }
    ev: list[Evidence] = []
    for m, label in [*((m, "issue recognised") for m in issue_m),
                     *((m, "principle or rule") for m in principle_m),
                     *((m, "fallback") for m in fallback_m[:2]),
                     *((m, "snap judgement") for m in snap_m)]:
        ev.append(Evidence(m.start, m.end, a.text[m.start:m.end], "ethics", label))
    for si in sorted(info_s)[:2]:
        a_, b_ = info_s[si][0]
        s, e, t = a.span(a_, b_)
        ev.append(Evidence(s, e, t, "ethics", "gathers information"))
    tip_vars = {
        "body_guidance": BODY_GUIDANCE.get(ctx.country, BODY_GUIDANCE[None]),
        "snap_examples": quote(m.phrase for m in snap_m) or "absolute verdicts",
    }
    return rate(c, ctx, signals, evidence=ev, tip_vars=tip_vars)
