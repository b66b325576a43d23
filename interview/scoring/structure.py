"""Structure: STAR parts for behavioural questions (situation, task, action, result, what
was learned), a direct opening, supported body and a close for the others, and
completeness (length against the suggested time, shown here and never folded into
clarity).

STAR parts are found sentence by sentence: a part's cue phrase (``rubrics/structure.yaml``),
or, for actions, a first-person past-tense verb ("I called", "we reviewed"), for the
situation, an opening sentence set in a time or place, and for the result, a sentence after
the actions that reports an outcome (an outcome cue, or a number with a time span: "over the
next three months"). Detection leans towards "present": a tip must never call a part missing
when the answer has it.
"""

from __future__ import annotations

from typing import Any

from ..rubric import Criterion
from .analysis import IRREGULAR_PAST, cues
from .rating import rate
from .records import CriterionResult, Evidence
from .registry import ScoringContext, register

SIGNALS = {"star_parts", "action_detail", "learned", "opening_direct", "body_support", "close",
           "sentence_count", "completeness"}
CUES = {"situation", "task", "action", "result", "learned", "close", "example", "time_span"}
STAR = ("situation", "task", "action", "result", "learned")
_OUTCOME_WORDS = frozenset({"no", "zero", "none", "nobody", "fewer", "less", "more", "half", "never"})
_PAST_STATES = frozenset({"was", "were", "had", "became", "went", "came", "died", "survived"})


def star_sentences(c: Criterion, a) -> dict[str, dict[int, tuple[int, int]]]:
    """part -> {sentence index: (first, last) token span of the evidence}."""
    found: dict[str, dict[int, tuple[int, int]]] = {p: {} for p in STAR}
    for part in STAR:
        for m in cues(c, part).find(a):
            if m.first in a.filler_tok:
                continue
            found[part].setdefault(a.tokens[m.first].sentence, (m.first, m.last))
    # first-person past-tense verbs are actions even without a listed cue
    for i in range(len(a.tokens)):
        if a.is_own_action(i):
            found["action"].setdefault(a.tokens[i].sentence, (i, i))
    n = len(a.sentences)
    # the opening sentence set in a time or place is the situation
    if n and 0 not in found["situation"]:
        lo, hi = a.sent_tokens[0]
        if a.numbers(lo, hi) or a.places(0) or any(a.is_past_action(i) for i in range(lo, hi)) \
                or any(a.tokens[i].norm in ("was", "were", "had") for i in range(lo, hi)):
            found["situation"][0] = (lo, max(lo, hi - 1))
    # after the applicant's first action, what happened: a number or "no/none" with a time
    # span ("within a month ... fell to one", "over the next three months we had no
    # errors"), or a sentence about someone else in the past tense ("she went home",
    # "nobody died"): the result of the story
    spans = a.sentences_with(cues(c, "time_span"))
    first_action = min(found["action"], default=None)
    if first_action is not None:
        for si in range(first_action + 1, n):
            if si in found["result"]:
                continue
            lo, hi = a.sent_tokens[si]
            if si in spans and (a.numbers(lo, hi) or any(a.tokens[i].norm in _OUTCOME_WORDS for i in range(lo, hi))):
                found["result"][si] = spans[si][0]
                continue
            k = lo
            while k < hi and (k in a.filler_tok or a.tokens[k].norm in ("so", "and", "then", "but")):
                k += 1
            if k < hi and a.tokens[k].norm not in ("i", "we", "my", "our", "if", "when", "whenever") \
                    and si not in found["learned"] and any(
                        a.is_past_action(i) or a.tokens[i].norm in _PAST_STATES or a.tokens[i].norm in IRREGULAR_PAST
                        for i in range(k, hi)):
                found["result"][si] = (k, k)
    return {p: v for p, v in found.items() if v}


@register("structure", signals=SIGNALS, cues=CUES)
def score(c: Criterion, ctx: ScoringContext) -> CriterionResult:
    a = ctx.analysis
    kind = ctx.kind
    m = a.metrics
    ev: list[Evidence] = []
    n_sent = m.sentence_count
    signals: dict[str, Any] = {
        "sentence_count": n_sent,
        "completeness": m.length_ratio,
        "length_seconds": m.length_seconds,
        "suggested_seconds": m.suggested_seconds,
    }
    tip_vars: dict[str, Any] = {}
    if kind == "behavioural":
        present = star_sentences(c, a)
        for part, sents in present.items():
            for si, (x, y) in list(sents.items())[:3]:
                s, e, t = a.span(x, y)
                ev.append(Evidence(s, e, t, "structure", f"STAR: {part}"))
        signals.update({
            "star_parts": len(present),
            "action_detail": len(present.get("action", {})),
            "learned": 1 if "learned" in present else 0,
            "parts": [p for p in STAR if p in present],
        })
        tip_vars = {
            "parts_present": ", ".join(p for p in STAR if p in present) or "none of the parts",
            "parts_missing": ", ".join(p for p in STAR if p not in present) or "nothing",
        }
    else:
        n = len(a.sentences)
        opening = 0.0
        if n:
            lo, hi = a.sent_tokens[0]
            words = hi - lo - sum(1 for i in range(lo, hi) if i in a.filler_tok)
            starts_filler = lo in a.filler_tok
            if words <= 30 and not starts_filler:
                opening = 1.0
            elif words <= 45:
                opening = 0.5
            s, e = a.sentences[0]
            if opening:
                ev.append(Evidence(s, e, a.text[s:e], "structure", "opening"))
        example = a.sentences_with(cues(c, "example"))
        body_idx = range(1, n - 1) if n >= 3 else range(1, n)
        body = 0
        for si in body_idx:
            lo, hi = a.sent_tokens[si]
            if si in example or a.numbers(lo, hi) or any(a.is_past_action(i) for i in range(lo, hi)) \
                    or a.capitalised_names(si):
                body += 1
                if si in example:
                    for x, y in example[si][:1]:
                        s, e, t = a.span(x, y)
                        ev.append(Evidence(s, e, t, "structure", "example"))
        close_cues = a.sentences_with(cues(c, "close"))
        close = 0.0
        if n >= 2 and (n - 1) in close_cues:
            close = 1.0
            x, y = close_cues[n - 1][0]
            s, e, t = a.span(x, y)
            ev.append(Evidence(s, e, t, "structure", "close"))
        elif n >= 3 and (n - 2) in close_cues:
            close = 0.5
        signals.update({"opening_direct": opening, "body_support": body, "close": close})
    return rate(c, ctx, signals, evidence=ev, tip_vars=tip_vars)
