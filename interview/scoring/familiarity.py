"""Local-system familiarity: DISTINCT concept groups of the country's lexicon
(``rubrics/lexicons/<country>.yaml``), grounded in the applicant's own experience and tied
back to residency. Only for questions that invite it (see the rubric and the bank)."""

from __future__ import annotations

from ..lexicon import COUNTRIES, Lexicon, LexiconMatch, load_lexicon
from ..profile import COUNTRY_NAMES
from ..rubric import Criterion
from .analysis import cues
from .rating import rate
from .records import CriterionResult, Evidence
from .registry import ScoringContext, register

SIGNALS = {"concept_groups", "coverage", "grounded_groups", "grounding_ratio", "residency_tie", "img_concerns"}
CUES = {"first_person", "experience", "residency_tie", "residency_words"}


def pick_lexicon(doc, country: str | None) -> tuple[Lexicon, list[LexiconMatch]]:
    """The country's lexicon and its matches; with no country, the one the answer matches best."""
    if country:
        lx = load_lexicon(country)
        return lx, lx.find(doc)
    best = None
    for cc in COUNTRIES:
        lx = load_lexicon(cc)
        found = lx.find(doc)
        cov = sum(lx.groups[g].weight for g in {f.group for f in found})
        if best is None or cov > best[0]:
            best = (cov, lx, found)
    return best[1], best[2]


def grounded_sentences(c: Criterion, a, term_tokens: set[int]) -> set[int]:
    """Sentences about the applicant's own experience: first person and something done,
    a place or a number."""
    # "I" inside a term ("MCCQE Part I") is not the applicant speaking
    fp = {a.tokens[m.first].sentence for m in cues(c, "first_person").find(a) if m.first not in term_tokens}
    exp = {a.tokens[m.first].sentence for m in cues(c, "experience").find(a) if m.first not in term_tokens}
    grounded = set()
    for si in fp:
        lo, hi = a.sent_tokens[si]
        if si in exp or any(a.is_past_action(i) for i in range(lo, hi) if i not in term_tokens) \
                or a.numbers(lo, hi) or a.places(si, term_tokens):
            grounded.add(si)
    return grounded


@register("local_system_familiarity", signals=SIGNALS, cues=CUES)
def score(c: Criterion, ctx: ScoringContext) -> CriterionResult:
    a = ctx.analysis
    lx, found = pick_lexicon(a, ctx.country)
    term_tokens: set[int] = set()
    for f in found:
        for i, t in enumerate(a.tokens):
            if f.start <= t.start < f.end:
                term_tokens.add(i)
    grounded_s = grounded_sentences(c, a, term_tokens)
    ties = a.sentences_with(cues(c, "residency_tie"))
    res_words = a.sentences_with(cues(c, "residency_words"))
    term_sents = {a.sentence_of_offset(f.start) for f in found}
    tie_sents = [si for si in ties if si in res_words or si in term_sents]

    groups = {f.group for f in found}
    grounded_groups = {f.group for f in found if a.sentence_of_offset(f.start) in grounded_s}
    coverage = sum(lx.groups[g].weight for g in groups)
    img = {f.group for f in found if f.img_concern}
    signals = {
        "concept_groups": len(groups),
        "coverage": round(coverage, 2),
        "grounded_groups": len(grounded_groups),
        # undefined (None: not rated, no "you listed terms" tip) when no local term is used
        "grounding_ratio": round(len(grounded_groups) / len(groups), 2) if groups else None,
        "residency_tie": 1 if tie_sents else 0,
        "img_concerns": len(img),
        "term_count": len(found),
        "groups": sorted(groups),
        "country": lx.country,
    }
    ev = []
    for f in found:
        g = "grounded in your experience" if a.sentence_of_offset(f.start) in grounded_s else "named only"
        ev.append(Evidence(f.start, f.end, f.text, "local_term", f"{f.label} ({g})"))
    for si in tie_sents[:2]:
        for a_, b_ in ties[si][:1]:
            s, e, t = a.span(a_, b_)
            ev.append(Evidence(s, e, t, "residency_tie", "ties back to residency"))
    missing = [g for g in lx.groups.values() if g.id not in groups]
    missing.sort(key=lambda g: (not g.img_concern, -g.weight))
    tip_vars = {
        "country_name": COUNTRY_NAMES.get(lx.country, lx.country),
        "country_adjective": "U.S." if lx.country == "us" else "Canadian",
        "missing_examples": "; ".join(g.label for g in missing[:2]) or "another concept",
        "example_term": next((f'"{f.text}"' for f in found if f.group not in grounded_groups),
                             f'"{found[0].text}"' if found else (missing[0].label if missing else "it")),
        "term_examples": ", ".join(dict.fromkeys(f.text for f in found[:4])) or "none",
        "clinical_experience": "U.S. clinical experience" if lx.country == "us" else "Canadian clinical experience",
    }
    ctx.extra["local_term_sentences"] = term_sents
    return rate(c, ctx, signals, evidence=ev, tip_vars=tip_vars)
