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
CUES = {"generic_topics", "research", "goal_link", "question_starts", "question_joins", "indirect_questions"}
#: question openings that make a question only with a '?' or inverted before a subject word
AUXILIARIES = frozenset({"do", "does", "did", "is", "are", "was", "were", "can", "could", "will", "would",
                         "should", "have", "has"})
#: words after an auxiliary that make it an inverted question ("and have any of them...")
SUBJECTS = frozenset({"there", "any", "anyone", "you", "they", "we", "i", "it", "the", "your", "this",
                      "these", "those", "most", "many", "some", "all", "other", "our", "he", "she"})


def _joined_questions(a, starts, joins: set[str], lo: int, hi: int) -> list[int]:
    """Where further questions joined into one question sentence begin ("How do residents
    choose a project, and have any of them changed practice?"): a joining word then a question
    opening, after a first question opening in the sentence. Counting these makes the count
    independent of where the sentence breaks fall (a transcript may join two questions into one
    sentence, or split one sentence into two)."""
    opened = False
    out: list[int] = []
    for m in starts.find(a, lo, hi):
        k = m.first
        if not opened:
            # the first question opens at the start of a clause, or with a question word anywhere
            opened = k == lo or k - 1 in a.filler_tok or a.tokens[k - 1].punct_after \
                or a.tokens[k].norm not in AUXILIARIES
            continue
        if a.tokens[k - 1].norm not in joins:
            continue
        if a.tokens[k].norm in AUXILIARIES and not (k + 1 < hi and a.tokens[k + 1].norm in SUBJECTS):
            continue
        out.append(k - 1)  # the clause starts at its joining word
    return out


@register("questions_quality", signals=SIGNALS, cues=CUES)
def score(c: Criterion, ctx: ScoringContext) -> CriterionResult:
    a = ctx.analysis
    profile = ctx.profile
    starts = cues(c, "question_starts")
    generic = a.sentences_with(cues(c, "generic_topics"))
    research = a.sentences_with(cues(c, "research"))
    goals = a.sentences_with(cues(c, "goal_link"))
    lex_terms: list[int] = []  # character offsets of local terms
    for cc in ([ctx.country] if ctx.country in COUNTRIES else list(COUNTRIES)):
        lex_terms += [f.start for f in load_lexicon(cc).find(a)]
    prof_words = set()
    if profile is not None:
        for w in ((getattr(profile, "name", "") or "") + " " + (getattr(profile, "mission", "") or "")).split():
            w = w.strip(".,;:()").lower()
            if len(w) >= 5:
                prof_words.add(stem(w))
    joins = {t.lower() for t in c.cues.get("question_joins", ())}
    indirect = cues(c, "indirect_questions")
    questions: list[int] = []
    clauses: dict[int, list[int]] = {}  # question sentence -> first token of each question in it
    for si, (s, e) in enumerate(a.sentences):
        lo, hi = a.sent_tokens[si]
        if hi <= lo:
            continue
        sent = a.text[s:e]
        k = lo
        while k < hi and k in a.filler_tok:  # skip leading fillers
            k += 1
        starts_q = any(m.first == k for m in starts.find(a, k, min(hi, k + 5)))
        # spoken questions may reach the transcript without their '?' (Whisper writes one only
        # when it hears a question): a question word opens one,
        # an auxiliary only when inverted before its subject ("Is there...", not "Have a look")
        inverted = k + 1 < hi and a.tokens[k + 1].norm in SUBJECTS
        # an indirect question ("..., so I was wondering how ...") is one wherever it starts
        if sent.rstrip().endswith("?") or (starts_q and (a.tokens[k].norm not in AUXILIARIES or inverted)) \
                or indirect.find(a, lo, hi):
            questions.append(si)
            clauses[si] = [lo] + _joined_questions(a, starts, joins, lo, hi)

    def markers(si: int, lo: int, hi: int) -> int:
        """Signs of research in tokens lo..hi of sentence si: a research cue, a local term, a
        name, a number, the program's own words."""
        first, last = a.tokens[lo].start, a.tokens[hi - 1].end
        names = [i for i in a.capitalised_names(si) if lo <= i < hi]
        return (any(lo <= x < hi for x, _ in research.get(si, ()))
                + any(first <= off < last for off in lex_terms) + bool(names) + bool(a.numbers(lo, hi))
                + any(stem(a.tokens[i].norm) in prof_words for i in range(lo, hi)))

    ev: list[Evidence] = []
    specific = 0
    n_generic = 0
    generic_words: list[str] = []
    for si in questions:
        lo, hi = a.sent_tokens[si]
        s, e = a.sentences[si]
        content = hi - lo - sum(1 for i in range(lo, hi) if i in a.filler_tok)
        # a question right after a researched statement ("I read that ... . How ...?") is researched too
        after_research = si - 1 in research and si - 1 not in questions
        sentence_markers = markers(si, lo, hi) + after_research
        bounds = clauses[si] + [hi]
        for j, (cs, ce) in enumerate(zip(bounds, bounds[1:])):
            # each question of the sentence: logistics on its own are generic; otherwise it
            # shares the research of its sentence (a follow-up on the same topic)
            own = markers(si, cs, ce) + (after_research and j == 0)
            topics = [(x, y) for x, y in generic.get(si, ()) if cs <= x < ce]
            is_generic = bool(topics) and own == 0
            is_specific = (not topics and (sentence_markers >= 1 and content >= 5 or sentence_markers >= 2)) \
                or own >= 2
            qs = a.tokens[cs].start if j else s
            qe = a.tokens[ce - 1].end if ce < hi else e
            if is_generic:
                n_generic += 1
                generic_words += [a.span(x, y)[2] for x, y in topics[:1]]
                ev.append(Evidence(qs, qe, a.text[qs:qe], "question", "generic question (logistics)"))
            elif is_specific:
                specific += 1
                ev.append(Evidence(qs, qe, a.text[qs:qe], "question", "specific, researched question"))
            else:
                ev.append(Evidence(qs, qe, a.text[qs:qe], "question", "general question"))
    asked = sum(len(v) for v in clauses.values())
    signals = {
        "question_count": asked,
        "specific_questions": specific,
        "generic_share": round(n_generic / asked, 2) if questions else 1.0,
        "goal_link": 1 if goals else 0,
        "generic_count": n_generic,
    }
    tip_vars = {"generic_examples": quote(generic_words) or "salary, vacation, parking"}
    extra = ["no_questions"] if not questions else []
    return rate(c, ctx, signals, evidence=ev, tip_vars=tip_vars, extra_tips=extra)
