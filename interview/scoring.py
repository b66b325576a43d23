"""Score one answer against the rubric, with evidence and tips.

``score_answer(text, question=..., profile=..., country=..., transcript=..., metrics=...)``
measures each applicable criterion's signals (see ``rubrics/*.yaml``), maps each to a 1-5
sub-score with the rubric's targets, and combines them into the criterion's score (weighted
mean, then caps). It returns an :class:`AnswerScore`: the overall score (weighted mean of the
applicable criteria) and, per criterion, the score, band label, measured signals, evidence
spans (character offsets into ``text`` exactly as passed) and 1-3 tips keyed to what went
wrong.

Criteria and when they apply:

- ``clarity``: always; timing signals only when timed words are available.
- ``local_system_familiarity``: every kind but applicant questions; DISTINCT concept groups
  of the country's lexicon, grounded in the applicant's own experience.
- ``program_fit``: only with a real program profile (not the neutral "this program").
- ``structure``: STAR for behavioural questions, opening/body/close for others.
- ``questions_quality``: only for "do you have questions for us" (kind applicant_questions).

Everything here is general-purpose signal measurement; nothing is keyed to particular texts.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Sequence

from . import metrics as metrics_mod
from .errors import RubricError
from .lexicon import COUNTRIES, Lexicon, LexiconMatch, load_lexicon
from .metrics import DeliveryMetrics, Token, compute_metrics, split_sentences, tokenize
from .profile import COUNTRY_NAMES, FEATURES, features_in_text
from .rubric import Criterion, Rubric, load_rubric

# --------------------------------------------------------------------------------------
# Records


@dataclass
class Evidence:
    """A highlighted span: ``text[start:end] == self.text``."""

    start: int
    end: int
    text: str
    kind: str  # filler, hedge, repetition, run_on, pause, local_term, residency_tie, program, structure, question
    label: str


@dataclass
class CriterionResult:
    id: str
    name: str
    score: float  # 1-5
    band: str  # band label, e.g. "Good"
    signals: dict[str, Any]  # measured figures
    evidence: list[Evidence] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)
    weight: float = 1.0
    band_description: str = ""
    subscores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "CriterionResult":
        d = dict(d)
        d["evidence"] = [Evidence(**e) for e in d.get("evidence", [])]
        return cls(**d)


@dataclass
class AnswerScore:
    overall: float
    criteria: list[CriterionResult]
    country: str | None = None
    question_kind: str | None = None
    timed: bool = False
    metrics: dict | None = None  # DeliveryMetrics.to_dict()

    def get(self, cid: str) -> CriterionResult | None:
        return next((c for c in self.criteria if c.id == cid), None)

    @property
    def evidence(self) -> list[Evidence]:
        """All criteria's evidence, in text order (for highlighting)."""
        out = [e for c in self.criteria for e in c.evidence]
        return sorted(out, key=lambda e: (e.start, -e.end))

    def to_dict(self) -> dict:
        return {
            "overall": self.overall,
            "criteria": [c.to_dict() for c in self.criteria],
            "country": self.country,
            "question_kind": self.question_kind,
            "timed": self.timed,
            "metrics": self.metrics,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "AnswerScore":
        return cls(
            overall=d["overall"],
            criteria=[CriterionResult.from_dict(c) for c in d.get("criteria", [])],
            country=d.get("country"), question_kind=d.get("question_kind"),
            timed=bool(d.get("timed", False)), metrics=d.get("metrics"),
        )


# --------------------------------------------------------------------------------------
# Question kind

_KIND_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("applicant_questions", re.compile(
        r"questions? for (us|me|the program|them)|anything (you'?d|you would) like to ask|"
        r"do you have any questions|what would you like to know|what questions do you have", re.I)),
    ("behavioural", re.compile(
        r"tell (me|us) about a (time|situation|case|patient|mistake|conflict)|describe a (time|situation)|"
        r"give (me |us )?an example|a time when|a time you|conflict|mistake|failure|difficult (patient|colleague|situation)|"
        r"challenge you faced|when you (had|disagreed|made)", re.I)),
    ("scenario", re.compile(r"what would you do|how would you (handle|respond|manage|approach)|imagine|suppose|if a patient", re.I)),
    ("opening", re.compile(r"about yourself|walk (me|us) through|introduce yourself|your (story|background)", re.I)),
    ("motivation", re.compile(r"\bwhy\b|interest(ed)? in|choose|chose|goals?|see yourself", re.I)),
]


def infer_kind(question_text: str | None) -> str | None:
    """Best guess of a question's kind from its wording (for free-text questions)."""
    if not question_text:
        return None
    for kind, rx in _KIND_PATTERNS:
        if rx.search(question_text):
            return kind
    return "knowledge"


def _question_info(question) -> tuple[str | None, float | None, str | None, list[str]]:
    """(kind, suggested_seconds, text, countries) from a bank Question, any look-alike, or a str."""
    if question is None:
        return None, None, None, []
    if isinstance(question, str):
        return infer_kind(question), None, question, []
    kind = getattr(question, "kind", None)
    text = getattr(question, "text", None)
    secs = getattr(question, "suggested_seconds", None)
    countries = list(getattr(question, "countries", None) or [])
    if not kind and text:
        kind = infer_kind(text)
    return kind, (float(secs) if secs else None), text, countries


# --------------------------------------------------------------------------------------
# Cue phrases (plain phrases from the rubric files) matched on tokens


class PhraseSet:
    """Plain phrases matched on whole words, case-insensitively, longest first."""

    def __init__(self, phrases: Iterable[str]):
        self.index: dict[str, list[tuple[str, ...]]] = {}
        for p in phrases:
            toks = tuple(t.lower().replace("’", "'") for t in metrics_mod._TOKEN_RE.findall(p))
            if toks:
                self.index.setdefault(toks[0], []).append(toks)
        for v in self.index.values():
            v.sort(key=len, reverse=True)

    def find(self, tokens: Sequence[Token], lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
        """(first, last) token indices of every match in tokens[lo:hi]."""
        hi = len(tokens) if hi is None else hi
        out = []
        i = lo
        while i < hi:
            cands = self.index.get(tokens[i].norm)
            hit = None
            if cands:
                for toks in cands:
                    k = len(toks)
                    if i + k <= hi and all(tokens[i + j].norm == toks[j] for j in range(1, k)):
                        hit = (i, i + k - 1)
                        break
            if hit:
                out.append(hit)
                i = hit[1] + 1
            else:
                i += 1
        return out


@lru_cache(maxsize=256)
def _phrase_set(phrases: tuple[str, ...]) -> PhraseSet:
    return PhraseSet(phrases)


def _cues(criterion: Criterion, key: str) -> PhraseSet:
    return _phrase_set(tuple(criterion.cues.get(key, ())))


# --------------------------------------------------------------------------------------
# Per-answer analysis shared by the criteria


_NOT_ACTIONS = {
    "interested", "based", "related", "skilled", "motivated", "dedicated", "committed", "qualified",
    "experienced", "detailed", "advanced", "talented", "limited", "need", "needed", "indeed", "red",
    "bed", "speed", "seed", "feed", "reed", "shed", "owed", "aged", "bored", "hundred", "named", "called", "supposed", "used to", "tired",
    "excited", "concerned", "scared", "worried", "inspired", "married", "prepared", "organized",
    "organised", "retired", "licensed", "certified",
}


class Analysis:
    """Tokens, sentences and metrics of one answer, computed once for every criterion."""

    def __init__(self, text: str, m: DeliveryMetrics):
        self.text = text
        self.metrics = m
        self.sentences = split_sentences(text)
        self.tokens = tokenize(text, self.sentences)
        self.sent_tokens: list[tuple[int, int]] = [(0, 0)] * len(self.sentences)
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for i, t in enumerate(self.tokens):
            first.setdefault(t.sentence, i)
            last[t.sentence] = i + 1
        self.sent_tokens = [(first.get(s, 0), last.get(s, 0)) for s in range(len(self.sentences))]
        filler_spans = [(o.start, o.end) for o in m.fillers]
        self.filler_tok = {i for i, t in enumerate(self.tokens)
                           if any(s <= t.start < e for s, e in filler_spans)}

    def sentence_text(self, si: int) -> str:
        s, e = self.sentences[si]
        return self.text[s:e]

    def sentence_of_offset(self, offset: int) -> int:
        return metrics_mod.sentence_of(offset, self.sentences)

    def sentences_with(self, ps: PhraseSet) -> dict[int, list[tuple[int, int]]]:
        """Sentence index -> matches of ``ps`` in it."""
        out: dict[int, list[tuple[int, int]]] = {}
        for a, b in ps.find(self.tokens):
            out.setdefault(self.tokens[a].sentence, []).append((a, b))
        return out

    def span(self, a: int, b: int) -> tuple[int, int, str]:
        s, e = self.tokens[a].start, self.tokens[b].end
        return s, e, self.text[s:e]

    def is_past_action(self, i: int) -> bool:
        """A token that reads as something done: a regular past tense ("reviewed")."""
        t = self.tokens[i]
        return len(t.norm) >= 4 and t.norm.endswith("ed") and t.norm not in _NOT_ACTIONS

    def capitalised_names(self, si: int, exclude: set[int] = frozenset()) -> list[int]:
        """Capitalised words inside a sentence (not its first word, not "I"): names, places."""
        lo, hi = self.sent_tokens[si]
        out = []
        for i in range(lo + 1, hi):
            raw = self.tokens[i].raw
            if i in exclude or len(raw) < 3 or not raw[0].isupper() or raw.isupper():
                continue
            if raw.lower() in ("i'm", "i've", "i'd", "i'll"):
                continue
            out.append(i)
        return out

    def places(self, si: int, exclude: set[int] = frozenset()) -> list[int]:
        """Named places where something happened: "in Miami", "at Mount Sinai"."""
        names = set(self.capitalised_names(si, exclude))
        return [i for i in names if i - 1 >= 0 and self.tokens[i - 1].norm in ("in", "at", "during", "on")]

    def numbers(self, lo: int, hi: int) -> list[int]:
        return [i for i in range(lo, hi)
                if self.tokens[i].norm.isdigit() or self.tokens[i].norm in metrics_mod._NUMBER_WORDS
                or re.fullmatch(r"\d+(st|nd|rd|th|s)?", self.tokens[i].norm)]


# --------------------------------------------------------------------------------------
# Signal -> score


class _SafeVars(dict):
    def __missing__(self, key):
        return "…"


def _format_tip(template: str, variables: dict) -> str:
    try:
        text = template.format_map(_SafeVars(variables))
    except (ValueError, IndexError, AttributeError):
        text = template
    return re.sub(r"\s+", " ", text).strip()


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.0f}" if abs(v) >= 10 else f"{v:.2g}" if v else "0"
    return v


def _rate(criterion: Criterion, signals: dict[str, Any], *, timed: bool, kind: str | None,
          tip_vars: dict, extra_tips: Sequence[str] = ()) -> tuple[float, dict[str, float], list[str]]:
    """Weighted mean of sub-scores, caps applied; tips for the weakest signals."""
    subs: dict[str, float] = {}
    total = wsum = 0.0
    deficits: list[tuple[float, str]] = []
    for sid, sig in criterion.signals.items():
        value = signals.get(sid)
        if value is None or not sig.applies(timed=timed, kind=kind):
            continue
        sub = sig.subscore(float(value))
        subs[sid] = round(sub, 2)
        total += sub * sig.weight
        wsum += sig.weight
        if sig.tip and sub < criterion.tip_below:
            deficits.append(((5.0 - sub) * sig.weight, sig.tip))
    score = total / wsum if wsum else 3.0
    for cap in criterion.caps:
        if cap.triggered(signals.get(cap.signal)):
            score = min(score, cap.max_score)
            if cap.tip:
                deficits.append((100.0, cap.tip))
    for key in extra_tips:
        deficits.append((50.0, key))
    deficits.sort(key=lambda d: -d[0])
    keys: list[str] = []
    for _d, key in deficits:
        if key not in keys and key in criterion.tips:
            keys.append(key)
    keys = keys[:3] or ["strength"]
    variables = {k: _fmt(v) for k, v in signals.items()}
    variables.update(tip_vars)
    tips = [_format_tip(criterion.tips[k], variables) for k in keys]
    return round(min(5.0, max(1.0, score)), 2), subs, tips


def _result(criterion: Criterion, score: float, signals: dict, evidence: list[Evidence],
            tips: list[str], subs: dict[str, float]) -> CriterionResult:
    band = criterion.band(score)
    evidence = sorted(evidence, key=lambda e: (e.start, -e.end))
    return CriterionResult(
        id=criterion.id, name=criterion.name, score=score, band=band.label,
        signals={k: (round(v, 2) if isinstance(v, float) else v) for k, v in signals.items()},
        evidence=evidence, tips=tips, weight=criterion.weight,
        band_description=band.description, subscores=subs,
    )


def _quote(items: Iterable[str], n: int = 3) -> str:
    seen: list[str] = []
    for it in items:
        it = it.strip().lower()
        if it and it not in seen:
            seen.append(it)
    return ", ".join(f'"{s}"' for s in seen[:n])


# --------------------------------------------------------------------------------------
# clarity


def _clarity(c: Criterion, a: Analysis, kind: str | None) -> CriterionResult:
    m = a.metrics
    content_words = max(1, m.word_count - m.filler_count)
    lexicon_like = set()
    names = [i for si in range(len(a.sentences)) for i in a.capitalised_names(si, lexicon_like)]
    specifics = len(a.numbers(0, len(a.tokens))) + len(names)
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
        "length_ratio": m.length_ratio,
        "specifics_per_100_words": round(100.0 * specifics / content_words, 2),
        "filler_count": m.filler_count,
        "hedge_count": m.hedge_count,
        "word_count": m.word_count,
        "sentence_count": m.sentence_count,
        "longest_pause": m.longest_pause,
        "length_seconds": m.length_seconds,
        "suggested_seconds": m.suggested_seconds,
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
    for p in m.pauses:
        if p.char_offset is None:
            continue
        mt = metrics_mod._TOKEN_RE.match(a.text, p.char_offset)
        if mt:
            where = "between sentences" if p.between_sentences else "mid-sentence"
            ev.append(Evidence(mt.start(), mt.end(), mt.group(), "pause", f"{p.duration:.1f} s pause before ({where})"))
    tip_vars = {
        "filler_examples": _quote(o.text for o in m.fillers),
        "hedge_examples": _quote(o.text for o in m.hedges),
    }
    score, subs, tips = _rate(c, signals, timed=m.timed, kind=kind, tip_vars=tip_vars)
    return _result(c, score, signals, ev, tips, subs)


# --------------------------------------------------------------------------------------
# local_system_familiarity


def _pick_lexicon(text: str, country: str | None) -> tuple[Lexicon, list[LexiconMatch]]:
    if country:
        lx = load_lexicon(country)
        return lx, lx.find(text)
    best = None
    for cc in COUNTRIES:
        lx = load_lexicon(cc)
        found = lx.find(text)
        cov = sum(lx.groups[g].weight for g in {f.group for f in found})
        if best is None or cov > best[0]:
            best = (cov, lx, found)
    return best[1], best[2]


def _grounded_sentences(c: Criterion, a: Analysis, term_tokens: set[int]) -> set[int]:
    """Sentences about the applicant's own experience: first person and something done,
    a place or a number."""
    # "I" inside a term ("MCCQE Part I") is not the applicant speaking
    fp = {a.tokens[x].sentence for x, _ in _cues(c, "first_person").find(a.tokens) if x not in term_tokens}
    exp = {a.tokens[x].sentence for x, _ in _cues(c, "experience").find(a.tokens) if x not in term_tokens}
    grounded = set()
    for si in fp:
        lo, hi = a.sent_tokens[si]
        if si in exp or any(a.is_past_action(i) for i in range(lo, hi) if i not in term_tokens) \
                or a.numbers(lo, hi) or a.places(si, term_tokens):
            grounded.add(si)
    return grounded


def _familiarity(c: Criterion, a: Analysis, kind: str | None, country: str | None) -> CriterionResult:
    lx, found = _pick_lexicon(a.text, country)
    tok_at = {t.start: i for i, t in enumerate(a.tokens)}
    term_tokens: set[int] = set()
    for f in found:
        for i, t in enumerate(a.tokens):
            if f.start <= t.start < f.end:
                term_tokens.add(i)
    grounded_s = _grounded_sentences(c, a, term_tokens)
    ties = a.sentences_with(_cues(c, "residency_tie"))
    res_words = a.sentences_with(_cues(c, "residency_words"))
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
    }
    ev = []
    for f in found:
        g = "grounded in your experience" if f.group in grounded_groups and a.sentence_of_offset(f.start) in grounded_s else "named only"
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
    score, subs, tips = _rate(c, signals, timed=a.metrics.timed, kind=kind, tip_vars=tip_vars)
    res = _result(c, score, signals, ev, tips, subs)
    res.signals["country"] = lx.country
    del tok_at
    return res


# --------------------------------------------------------------------------------------
# program_fit


def _stem(word: str) -> str:
    w = word.lower().replace("’", "'").split("'")[0]
    return w[:6] if len(w) > 6 else w


def _is_real_profile(profile) -> bool:
    if profile is None:
        return False
    name = (getattr(profile, "name", "") or "").strip().lower()
    mission = (getattr(profile, "mission", "") or "").strip()
    feats = list(getattr(profile, "features", None) or [])
    return bool(mission or feats or (name and name not in ("this program", "the program", "your program")))


def _profile_features(profile) -> list[str]:
    feats = getattr(profile, "all_features", None)
    if feats is None:
        feats = list(getattr(profile, "features", None) or []) + features_in_text(getattr(profile, "mission", "") or "")
    return [f for f in dict.fromkeys(feats) if f in FEATURES]


def _fit(c: Criterion, a: Analysis, kind: str | None, profile) -> CriterionResult:
    name = getattr(profile, "name", "") or ""
    mission = getattr(profile, "mission", "") or ""
    name_stop = {w.lower() for w in c.cues.get("name_stopwords", [])}
    mission_stop = {w.lower() for w in c.cues.get("mission_stopwords", [])}
    name_tokens = [t.lower() for t in metrics_mod._TOKEN_RE.findall(name) if t.lower() not in name_stop and len(t) > 2]
    mission_terms: dict[str, str] = {}
    for t in metrics_mod._TOKEN_RE.findall(mission):
        tl = t.lower()
        if len(tl) >= 4 and tl not in mission_stop:
            mission_terms.setdefault(_stem(tl), tl)
    feats = _profile_features(profile)

    fp = a.sentences_with(_cues(c, "first_person"))
    intent = a.sentences_with(_cues(c, "intent"))
    meaningful = {si for si in fp if si in intent}

    ev: list[Evidence] = []
    mentions = 0
    meaningful_mentions = 0
    name_hit = 0.0
    used_terms_meaningful: set[str] = set()
    used_terms_any: set[str] = set()
    reason_sents: set[int] = set()
    # the program's name (full, or its distinctive words)
    full = re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", a.text, re.I) if name.strip() else iter(())
    name_spans = [(m.start(), m.end()) for m in full]
    if not name_spans and name_tokens:
        for i, t in enumerate(a.tokens):
            if t.norm in name_tokens:
                name_spans.append((t.start, t.end))
    for s, e in name_spans:
        si = a.sentence_of_offset(s)
        name_hit = 1.0
        mentions += 1
        ok = si in meaningful
        meaningful_mentions += ok
        if ok:
            reason_sents.add(si)
        ev.append(Evidence(s, e, a.text[s:e], "program", "program name" + (" (with a reason)" if ok else " (named only)")))
    if not name_hit and re.search(r"\b(your|this) (program|programme|residency)\b", a.text, re.I):
        name_hit = 0.5
    # mission words
    for i, t in enumerate(a.tokens):
        if i in a.filler_tok or len(t.norm) < 4 or t.norm in name_tokens:
            continue
        st = _stem(t.norm)
        if st in mission_terms and t.norm not in mission_stop:
            si = t.sentence
            mentions += 1
            ok = si in meaningful
            meaningful_mentions += ok
            used_terms_any.add(st)
            if ok:
                used_terms_meaningful.add(st)
                reason_sents.add(si)
            ev.append(Evidence(t.start, t.end, a.text[t.start:t.end], "program",
                               f"mission: {mission_terms[st]}" + (" (with a reason)" if ok else " (named only)")))
    # features, recognised sentence by sentence with the profile's own feature phrases
    feats_meaningful: set[str] = set()
    feats_any: set[str] = set()
    for si, (s, e) in enumerate(a.sentences):
        sent = a.text[s:e]
        for f in features_in_text(sent):
            if f not in feats:
                continue
            feats_any.add(f)
            mentions += 1
            ok = si in meaningful
            meaningful_mentions += ok
            if ok:
                feats_meaningful.add(f)
                reason_sents.add(si)
            for pat in FEATURES[f][1]:
                mt = re.search(rf"(?<!\w){pat}(?!\w)", sent, re.I)
                if mt:
                    ev.append(Evidence(s + mt.start(), s + mt.end(), mt.group(), "program",
                                       f"feature: {FEATURES[f][0]}" + (" (with a reason)" if ok else " (named only)")))
                    break
    signals = {
        "name_used": name_hit,
        "mission_terms": len(used_terms_meaningful),
        "features_meaningful": len(feats_meaningful),
        # undefined (None: not rated, no tip) when the program is not mentioned at all
        "meaningful_ratio": round(meaningful_mentions / mentions, 2) if mentions else None,
        "specific_reasons": len(reason_sents),
        "mission_terms_named": len(used_terms_any),
        "features_named": len(feats_any),
        "program_features": feats,
    }
    unused_mission = [w for st, w in mission_terms.items() if st not in used_terms_meaningful]
    tip_vars = {
        "program_name": name or "the program",
        "mission_examples": ", ".join(f'"{w}"' for w in unused_mission[:3]) or "its mission statement",
        "feature_examples": ", ".join([FEATURES[f][0].lower() for f in feats if f not in feats_meaningful][:3])
        or "its distinctive tracks and clinics",
    }
    # evidence spans may overlap (a mission word inside a feature phrase): keep both, the
    # highlighter copes
    score, subs, tips = _rate(c, signals, timed=a.metrics.timed, kind=kind, tip_vars=tip_vars)
    return _result(c, score, signals, ev, tips, subs)


# --------------------------------------------------------------------------------------
# structure

_STAR = ("situation", "task", "action", "result", "learned")


def _structure(c: Criterion, a: Analysis, kind: str | None) -> CriterionResult:
    ev: list[Evidence] = []
    n_sent = a.metrics.sentence_count
    signals: dict[str, Any] = {"sentence_count": n_sent}
    tip_vars: dict[str, Any] = {}
    if kind == "behavioural":
        present: dict[str, list[tuple[int, int]]] = {}
        for part in _STAR:
            for a_, b_ in _cues(c, part).find(a.tokens):
                if a_ in a.filler_tok:
                    continue
                present.setdefault(part, []).append((a_, b_))
        # first-person past-tense actions count as actions even without a listed cue
        action_sents = {a.tokens[x].sentence for x, _ in present.get("action", [])}
        for i in range(len(a.tokens) - 1):
            if a.tokens[i].norm in ("i", "we") and a.is_past_action(i + 1):
                action_sents.add(a.tokens[i].sentence)
                if not any(x <= i <= y for x, y in present.get("action", [])):
                    present.setdefault("action", []).append((i, i + 1))
        for part, spans in present.items():
            for a_, b_ in spans[:3]:
                s, e, t = a.span(a_, b_)
                ev.append(Evidence(s, e, t, "structure", f"STAR: {part}"))
        signals.update({
            "star_parts": len(present),
            "action_detail": len(action_sents),
            "learned": 1 if "learned" in present else 0,
            "parts": [p for p in _STAR if p in present],
        })
        tip_vars = {
            "parts_present": ", ".join(p for p in _STAR if p in present) or "none of the parts",
            "parts_missing": ", ".join(p for p in _STAR if p not in present) or "nothing",
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
        example = a.sentences_with(_cues(c, "example"))
        body_idx = range(1, n - 1) if n >= 3 else range(1, n)
        body = 0
        for si in body_idx:
            lo, hi = a.sent_tokens[si]
            if si in example or a.numbers(lo, hi) or any(a.is_past_action(i) for i in range(lo, hi)) \
                    or a.capitalised_names(si):
                body += 1
                if si in example:
                    for a_, b_ in example[si][:1]:
                        s, e, t = a.span(a_, b_)
                        ev.append(Evidence(s, e, t, "structure", "example"))
        close_cues = a.sentences_with(_cues(c, "close"))
        close = 0.0
        if n >= 2 and (n - 1) in close_cues:
            close = 1.0
            a_, b_ = close_cues[n - 1][0]
            s, e, t = a.span(a_, b_)
            ev.append(Evidence(s, e, t, "structure", "close"))
        elif n >= 3 and (n - 2) in close_cues:
            close = 0.5
        signals.update({"opening_direct": opening, "body_support": body, "close": close})
    score, subs, tips = _rate(c, signals, timed=a.metrics.timed, kind=kind, tip_vars=tip_vars)
    return _result(c, score, signals, ev, tips, subs)


# --------------------------------------------------------------------------------------
# questions_quality


def _questions(c: Criterion, a: Analysis, kind: str | None, profile, country: str | None) -> CriterionResult:
    starts = _cues(c, "question_starts")
    generic = a.sentences_with(_cues(c, "generic_topics"))
    research = a.sentences_with(_cues(c, "research"))
    goals = a.sentences_with(_cues(c, "goal_link"))
    lex_terms: set[int] = set()
    for cc in ([country] if country in COUNTRIES else list(COUNTRIES)):
        for f in load_lexicon(cc).find(a.text):
            lex_terms.add(a.sentence_of_offset(f.start))
    prof_words = set()
    if profile is not None:
        for t in metrics_mod._TOKEN_RE.findall((getattr(profile, "name", "") or "") + " " + (getattr(profile, "mission", "") or "")):
            if len(t) >= 5:
                prof_words.add(_stem(t))
    questions: list[int] = []
    for si, (s, e) in enumerate(a.sentences):
        lo, hi = a.sent_tokens[si]
        if hi <= lo:
            continue
        sent = a.text[s:e]
        # skip leading fillers when looking at how the sentence starts
        k = lo
        while k < hi and k in a.filler_tok:
            k += 1
        starts_q = any(x == k for x, _ in starts.find(a.tokens, k, min(hi, k + 5)))
        if sent.rstrip().endswith("?") or (starts_q and a.tokens[k].norm not in ("do", "is", "are", "can", "will", "would")):
            questions.append(si)
    ev: list[Evidence] = []
    specific = 0
    n_generic = 0
    generic_words: list[str] = []
    for si in questions:
        lo, hi = a.sent_tokens[si]
        s, e = a.sentences[si]
        content = hi - lo - sum(1 for i in range(lo, hi) if i in a.filler_tok)
        markers = (si in research) + (si in lex_terms) + bool(a.capitalised_names(si)) + bool(a.numbers(lo, hi)) \
            + any(_stem(a.tokens[i].norm) in prof_words for i in range(lo, hi))
        # a question right after a researched statement ("I read that ... . How ...?") is researched too
        if si - 1 in research and si - 1 not in questions:
            markers += 1
        is_generic = si in generic and markers == 0
        is_specific = markers >= 1 and content >= 5 and si not in generic or markers >= 2
        if is_generic:
            n_generic += 1
            generic_words += [a.span(x, y)[2] for x, y in generic[si][:1]]
            ev.append(Evidence(s, e, a.text[s:e], "question", "generic question (logistics)"))
        elif is_specific:
            specific += 1
            ev.append(Evidence(s, e, a.text[s:e], "question", "specific, researched question"))
        else:
            ev.append(Evidence(s, e, a.text[s:e], "question", "general question"))
    signals = {
        "question_count": len(questions),
        "specific_questions": specific,
        "generic_share": round(n_generic / len(questions), 2) if questions else 1.0,
        "goal_link": 1 if goals else 0,
        "generic_count": n_generic,
    }
    tip_vars = {"generic_examples": _quote(generic_words) or "salary, vacation, parking"}
    extra = ["no_questions"] if not questions else []
    score, subs, tips = _rate(c, signals, timed=a.metrics.timed, kind=kind, tip_vars=tip_vars, extra_tips=extra)
    return _result(c, score, signals, ev, tips, subs)


# --------------------------------------------------------------------------------------


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
    """Score ``text`` on every applicable criterion.

    ``question``: a bank ``Question`` (kind, suggested_seconds...), any object with those
    attributes, a question string (its kind is inferred), or None. ``profile``: a
    ``ProgramProfile`` (or look-alike with name, mission, features) turns on program fit.
    ``country``: 'us' or 'ca'; default the profile's, else the question's single country,
    else whichever lexicon the answer matches best. ``transcript``: an
    ``interview.transcript.Transcript`` whose timed words turn on the timing signals.
    ``metrics``: precomputed :class:`DeliveryMetrics` (computed here if not given).
    """
    text = text if isinstance(text, str) else ""
    if not text.strip():
        raise RubricError("the answer is empty: type or record an answer before scoring")
    kind, secs, _qtext, qcountries = _question_info(question)
    if country:
        country = country.strip().lower()
        if country not in COUNTRIES:
            raise RubricError(f"unknown country {country!r}: use 'us' or 'ca'")
    elif profile is not None and getattr(profile, "country", None) in COUNTRIES:
        country = profile.country
    elif len(qcountries) == 1 and qcountries[0] in COUNTRIES:
        country = qcountries[0]
    rubric = rubric or load_rubric()
    if secs is None and question is not None and "clarity" in rubric.by_id:
        # a typed-in question has no suggested time: judge length against the usual one for
        # its kind (with no question at all, length is not judged)
        secs = rubric["clarity"].expected_seconds(kind)
    if metrics is None:
        words = transcript.words if transcript is not None else None
        duration = getattr(transcript, "duration", None) if transcript is not None else None
        metrics = compute_metrics(text, words, duration or None, secs)
    a = Analysis(text, metrics)
    has_profile = _is_real_profile(profile)
    results: list[CriterionResult] = []
    for crit in rubric.criteria:
        if not crit.applies(kind=kind, has_profile=has_profile):
            continue
        if crit.id == "clarity":
            results.append(_clarity(crit, a, kind))
        elif crit.id == "local_system_familiarity":
            results.append(_familiarity(crit, a, kind, country))
        elif crit.id == "program_fit":
            results.append(_fit(crit, a, kind, profile))
        elif crit.id == "structure":
            results.append(_structure(crit, a, kind))
        elif crit.id == "questions_quality":
            results.append(_questions(crit, a, kind, profile, country))
    wsum = sum(r.weight for r in results)
    overall = round(sum(r.score * r.weight for r in results) / wsum, 2) if wsum else 0.0
    fam = next((r for r in results if r.id == "local_system_familiarity"), None)
    return AnswerScore(
        overall=overall, criteria=results,
        country=country or (fam.signals.get("country") if fam else None),
        question_kind=kind, timed=metrics.timed, metrics=metrics.to_dict(),
    )
