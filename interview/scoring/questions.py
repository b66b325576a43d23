"""Questions for the program ("Do you have any questions for us?"): specific, researched
questions tied to the applicant's goals score high; generic logistics score low."""

from __future__ import annotations

from ..lexicon import COUNTRIES, load_lexicon
from ..rubric import Criterion
from ..text import stem
from .analysis import cues
from .rating import quote, rate
from .records import CriterionResult, Evidence
from .registry import ScoringContext, register

SIGNALS = {"question_count", "specific_questions", "generic_share", "goal_link"}
CUES = {"generic_topics", "research", "goal_link", "question_starts", "question_joins"}
#: question openings that make a question only with a '?' or inverted before a subject word
AUXILIARIES = frozenset({"do", "does", "did", "is", "are", "was", "were", "can", "could", "will", "would",
                         "should", "have", "has"})
#: words after an auxiliary that make it an inverted question ("and have any of them...")
SUBJECTS = frozenset({"there", "any", "anyone", "you", "they", "we", "i", "it", "the", "your", "this",
                      "these", "those", "most", "many", "some", "all", "other", "our", "he", "she"})


def _joined_questions(a, starts, joins: set[str], lo: int, hi: int) -> int:
    """Further questions joined into one question sentence ("How do residents choose a project,
    and have any of them changed practice?"): a joining word then a question opening, after a
    first question opening in the sentence. Counting these makes the count independent of
    where the sentence breaks fall (a transcript may join two questions, or lose one's '?')."""
    opened = False
    extra = 0
    for m in starts.find(a, lo, hi):
        k = m.first
        if not opened:
            # the first question opens at the start of a clause, or with a question word anywhere
            opened = k == lo or k - 1 in a.filler_tok or a.tokens[k - 1].punct_after \
                or a.tokens[k].norm not in AUXILIARIES
            continue
        if a.tokens[k - 1].norm not in joins:
            continue
        word = a.tokens[k].norm
        if word in AUXILIARIES and not (k + 1 < hi and a.tokens[k + 1].norm in SUBJECTS):
            continue
        extra += 1
    return extra


@register("questions_quality", signals=SIGNALS, cues=CUES)
def score(c: Criterion, ctx: ScoringContext) -> CriterionResult:
    a = ctx.analysis
    profile = ctx.profile
    starts = cues(c, "question_starts")
    generic = a.sentences_with(cues(c, "generic_topics"))
    research = a.sentences_with(cues(c, "research"))
    goals = a.sentences_with(cues(c, "goal_link"))
    lex_terms: set[int] = set()
    for cc in ([ctx.country] if ctx.country in COUNTRIES else list(COUNTRIES)):
        for f in load_lexicon(cc).find(a):
            lex_terms.add(a.sentence_of_offset(f.start))
    prof_words = set()
    if profile is not None:
        for w in ((getattr(profile, "name", "") or "") + " " + (getattr(profile, "mission", "") or "")).split():
            w = w.strip(".,;:()").lower()
            if len(w) >= 5:
                prof_words.add(stem(w))
    joins = {t.lower() for t in c.cues.get("question_joins", ())}
    questions: list[int] = []
    asked: dict[int, int] = {}  # question sentence -> questions asked in it
    for si, (s, e) in enumerate(a.sentences):
        lo, hi = a.sent_tokens[si]
        if hi <= lo:
            continue
        sent = a.text[s:e]
        k = lo
        while k < hi and k in a.filler_tok:  # skip leading fillers
            k += 1
        starts_q = any(m.first == k for m in starts.find(a, k, min(hi, k + 5)))
        # spoken questions may reach the transcript without their '?': a question word opens one,
        # an auxiliary only when inverted before its subject ("Is there...", not "Have a look")
        inverted = k + 1 < hi and a.tokens[k + 1].norm in SUBJECTS
        if sent.rstrip().endswith("?") or (starts_q and (a.tokens[k].norm not in AUXILIARIES or inverted)):
            questions.append(si)
            asked[si] = 1 + _joined_questions(a, starts, joins, lo, hi)
    ev: list[Evidence] = []
    specific = 0
    n_generic = 0
    generic_words: list[str] = []
    for si in questions:
        lo, hi = a.sent_tokens[si]
        s, e = a.sentences[si]
        content = hi - lo - sum(1 for i in range(lo, hi) if i in a.filler_tok)
        markers = (si in research) + (si in lex_terms) + bool(a.capitalised_names(si)) + bool(a.numbers(lo, hi)) \
            + any(stem(a.tokens[i].norm) in prof_words for i in range(lo, hi))
        # a question right after a researched statement ("I read that ... . How ...?") is researched too
        if si - 1 in research and si - 1 not in questions:
            markers += 1
        label = "" if asked[si] == 1 else f" ({asked[si]} questions in one sentence)"
        is_generic = si in generic and markers == 0
        is_specific = markers >= 1 and content >= 5 and si not in generic or markers >= 2
        if is_generic:
            n_generic += asked[si]
            generic_words += [a.span(x, y)[2] for x, y in generic[si][:1]]
            ev.append(Evidence(s, e, a.text[s:e], "question", "generic question (logistics)" + label))
        elif is_specific:
            specific += asked[si]
            ev.append(Evidence(s, e, a.text[s:e], "question", "specific, researched question" + label))
        else:
            ev.append(Evidence(s, e, a.text[s:e], "question", "general question" + label))
    signals = {
        "question_count": sum(asked.values()),
        "specific_questions": specific,
        "generic_share": round(n_generic / sum(asked.values()), 2) if questions else 1.0,
        "goal_link": 1 if goals else 0,
        "generic_count": n_generic,
    }
    tip_vars = {"generic_examples": quote(generic_words) or "salary, vacation, parking"}
    extra = ["no_questions"] if not questions else []
    return rate(c, ctx, signals, evidence=ev, tip_vars=tip_vars, extra_tips=extra)
