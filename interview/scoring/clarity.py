"""Clarity: how easy the answer is to follow, whatever its length.

Fillers, hedges, restarts ("I, I"), sentence length and run-ons, vagueness (the share of
concrete words: numbers, names and places, the applicant's own past actions, concrete
clinical nouns; and abstract, content-free wording per 100 words), phrases said over and
over, and, when timed words exist, pace and pauses. Length against the suggested time is
NOT clarity: it is the structure criterion's completeness signal.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from ..rubric import Criterion
from ..text import WORD_RE, PhraseMatcher
from .analysis import STOPWORDS
from .rating import quote, rate
from .records import CriterionResult, Evidence
from .registry import ScoringContext, register

SIGNALS = {
    "filler_per_minute", "filler_per_100_words", "hedge_per_100_words", "repetition_count",
    "mean_sentence_length", "run_on_count", "words_per_minute", "pauses_over_2s",
    "mid_sentence_pauses", "concrete_share", "abstract_per_100_words", "repeated_phrase_share",
}
#: a name counts as concrete at most this many times (saying a name again adds nothing)
NAME_REPEATS = 2


@lru_cache(maxsize=64)
def _plural_matcher(phrases: tuple[str, ...]) -> PhraseMatcher:
    return PhraseMatcher(phrases, plurals=True)


def concreteness(c: Criterion, a) -> tuple[list[int], set[int], set[int]]:
    """(content tokens, concrete ones, abstract ones) of the answer."""
    content = a.content_tokens()
    content_set = set(content)
    concrete: set[int] = set()
    for m in _plural_matcher(tuple(c.cues.get("concrete", ()))).find(a):
        concrete.update(i for i in range(m.first, m.last + 1) if i in content_set)
    abstract: set[int] = set()
    for m in _plural_matcher(tuple(c.cues.get("abstract", ()))).find(a):
        abstract.update(i for i in range(m.first, m.last + 1) if i not in a.filler_tok)
    seen_names: Counter = Counter()
    for i in content:
        t = a.tokens[i]
        if a.numbers(i, i + 1) or a.is_own_action(i):
            concrete.add(i)
        elif not t.first_in_sentence and t.raw[:1].isupper() and len(t.raw) >= 2 and t.norm not in STOPWORDS:
            seen_names[t.norm] += 1
            if seen_names[t.norm] <= NAME_REPEATS:
                concrete.add(i)
    concrete -= abstract
    return content, concrete, abstract


def repeated_phrase_share(a) -> float:
    """Share of three-word phrases (fillers left out) that were already said in the answer."""
    words = [t.norm for i, t in enumerate(a.tokens) if i not in a.filler_tok]
    grams = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
    if len(grams) < 3:
        return 0.0
    seen: set = set()
    again = 0
    for g in grams:
        if g in seen and not all(w in STOPWORDS for w in g):
            again += 1
        seen.add(g)
    return round(again / len(grams), 3)


@register("clarity", signals=SIGNALS)
def score(c: Criterion, ctx: ScoringContext) -> CriterionResult:
    a = ctx.analysis
    m = a.metrics
    content, concrete, abstract = concreteness(c, a)
    n_content = max(1, len(content))
    signals = {
        "filler_per_minute": m.filler_per_minute,
        "filler_per_100_words": m.filler_per_100_words,
        "hedge_per_100_words": m.hedge_per_100_words,
        "repetition_count": m.repetition_count,
        "mean_sentence_length": m.mean_sentence_length if m.sentence_count else None,
        "run_on_count": m.run_on_count,
        "words_per_minute": m.words_per_minute,
        "pauses_over_2s": m.pauses_over_2s,
        "mid_sentence_pauses": m.mid_sentence_pauses,
        "concrete_share": round(len(concrete) / n_content, 3) if content else 0.0,
        "abstract_per_100_words": round(100.0 * len(abstract) / n_content, 2) if content else 0.0,
        "repeated_phrase_share": repeated_phrase_share(a),
        "filler_count": m.filler_count,
        "hedge_count": m.hedge_count,
        "word_count": m.word_count,
        "sentence_count": m.sentence_count,
        "longest_pause": m.longest_pause,
    }
    ev: list[Evidence] = []
    for o in m.fillers:
        ev.append(Evidence(o.start, o.end, o.text, "filler", o.label))
    for o in m.hedges:
        ev.append(Evidence(o.start, o.end, o.text, "hedge", o.label))
    for o in m.repetitions:
        ev.append(Evidence(o.start, o.end, o.text, "repetition", o.label))
    for s in m.run_ons:
        ev.append(Evidence(s.start, s.end, a.text[s.start:s.end], "run_on", f"run-on sentence ({s.words} words)"))
    for i in sorted(abstract):
        t = a.tokens[i]
        ev.append(Evidence(t.start, t.end, t.raw, "vague", "abstract wording"))
    for p in m.pauses:
        if p.char_offset is None:
            continue
        mt = WORD_RE.match(a.text, p.char_offset)
        if mt:
            where = "between sentences" if p.between_sentences else "mid-sentence"
            ev.append(Evidence(mt.start(), mt.end(), mt.group(), "pause", f"{p.duration:.1f} s pause before ({where})"))
    tip_vars = {
        "filler_examples": quote(o.text for o in m.fillers),
        "hedge_examples": quote(o.text for o in m.hedges),
        "abstract_examples": quote(a.tokens[i].raw for i in sorted(abstract)) or "general words",
    }
    return rate(c, ctx, signals, evidence=ev, tip_vars=tip_vars)
