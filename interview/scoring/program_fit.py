"""Program fit: the program's name, mission and features used with a personal reason.

Only with a real program profile. Mission words match on whole words with real stems
("communities" = "community", but "internal" never matches "internists"); each piece of
evidence says which mission phrase it matched.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..profile import FEATURES, features_in_text
from ..rubric import Criterion
from ..text import Doc, PhraseMatcher, stem
from .analysis import STOPWORDS, cues
from .rating import rate
from .records import CriterionResult, Evidence
from .registry import ScoringContext, register

SIGNALS = {"name_used", "mission_terms", "features_meaningful", "meaningful_ratio", "specific_reasons"}
CUES = {"first_person", "intent", "name_stopwords", "mission_stopwords"}


def is_real_profile(profile) -> bool:
    if profile is None:
        return False
    name = (getattr(profile, "name", "") or "").strip().lower()
    mission = (getattr(profile, "mission", "") or "").strip()
    feats = list(getattr(profile, "features", None) or [])
    return bool(mission or feats or (name and name not in ("this program", "the program", "your program")))


def profile_features(profile) -> list[str]:
    feats = getattr(profile, "all_features", None)
    if feats is None:
        feats = list(getattr(profile, "features", None) or []) + features_in_text(getattr(profile, "mission", "") or "")
    return [f for f in dict.fromkeys(feats) if f in FEATURES]


@lru_cache(maxsize=128)
def mission_terms(mission: str, stop: frozenset[str]) -> dict[str, tuple[str, str]]:
    """stem -> (mission word, the mission phrase it sits in) for the mission's content words.

    A mission phrase is a run of content words not broken by punctuation or a stopword
    ("county safety-net hospital", "underserved communities")."""
    doc = Doc(mission)
    toks = doc.tokens
    out: dict[str, tuple[str, str]] = {}
    runs: list[list[int]] = []
    cur: list[int] = []
    for i, t in enumerate(toks):
        content = t.norm not in stop and t.norm not in STOPWORDS and len(t.norm) >= 3
        if content and cur and (t.punct_before and not re.fullmatch(r"\s*-\s*", mission[toks[i - 1].end:t.start])):
            runs.append(cur)
            cur = []
        if content:
            cur.append(i)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    for run in runs:
        phrase = mission[toks[run[0]].start:toks[run[-1]].end]
        for i in run:
            w = toks[i].norm
            if len(w) >= 4:
                out.setdefault(stem(w), (toks[i].raw, phrase))
    return out


@lru_cache(maxsize=128)
def _name_matcher(name: str) -> PhraseMatcher:
    return PhraseMatcher([name], joinable=True)


@register("program_fit", signals=SIGNALS, cues=CUES)
def score(c: Criterion, ctx: ScoringContext) -> CriterionResult:
    a = ctx.analysis
    profile = ctx.profile
    name = getattr(profile, "name", "") or ""
    mission = getattr(profile, "mission", "") or ""
    name_stop = {w.lower() for w in c.cues.get("name_stopwords", [])}
    mission_stop = frozenset(w.lower() for w in c.cues.get("mission_stopwords", []))
    name_tokens = {t.norm for t in Doc(name).tokens if t.norm not in name_stop and len(t.norm) > 2}
    terms = mission_terms(mission, mission_stop)
    feats = profile_features(profile)

    fp = a.sentences_with(cues(c, "first_person"))
    intent = a.sentences_with(cues(c, "intent"))
    meaningful = {si for si in fp if si in intent}

    ev: list[Evidence] = []
    mentions = 0
    meaningful_mentions = 0
    name_hit = 0.0
    used_meaningful: set[str] = set()
    used_any: set[str] = set()
    reason_sents: set[int] = set()
    # the program's name (full, or its distinctive words)
    name_spans = [(m.start, m.end) for m in _name_matcher(name).find(a)] if name.strip() else []
    name_tok: set[int] = set()
    if not name_spans and name_tokens:
        for i, t in enumerate(a.tokens):
            if t.norm in name_tokens:
                name_spans.append((t.start, t.end))
                name_tok.add(i)
    for s, e in name_spans:
        si = a.sentence_of_offset(s)
        name_hit = 1.0
        mentions += 1
        ok = si in meaningful
        meaningful_mentions += ok
        if ok:
            reason_sents.add(si)
        ev.append(Evidence(s, e, a.text[s:e], "program", "program name" + (" (with a reason)" if ok else " (named only)")))
    inside_name = {i for i, t in enumerate(a.tokens) if any(s <= t.start < e for s, e in name_spans)}
    if not name_hit and re.search(r"\b(your|this) (program|programme|residency)\b", a.text, re.I):
        name_hit = 0.5
    # mission words: whole words, real stems
    for i, t in enumerate(a.tokens):
        if i in a.filler_tok or i in inside_name or len(t.norm) < 4 or t.norm in mission_stop:
            continue
        st = stem(t.norm)
        if st not in terms:
            continue
        word, phrase = terms[st]
        si = t.sentence
        mentions += 1
        ok = si in meaningful
        meaningful_mentions += ok
        used_any.add(st)
        if ok:
            used_meaningful.add(st)
            reason_sents.add(si)
        ev.append(Evidence(t.start, t.end, t.raw, "program",
                           f'mission: "{phrase}"' + (" (with a reason)" if ok else " (named only)")))
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
        "mission_terms": len(used_meaningful),
        "features_meaningful": len(feats_meaningful),
        # undefined (None: not rated, no tip) when the program is not mentioned at all
        "meaningful_ratio": round(meaningful_mentions / mentions, 2) if mentions else None,
        "specific_reasons": len(reason_sents),
        "mission_terms_named": len(used_any),
        "features_named": len(feats_any),
        "program_features": feats,
    }
    unused = [w for st, (w, _p) in terms.items() if st not in used_meaningful]
    tip_vars = {
        "program_name": name or "the program",
        "mission_examples": ", ".join(f'"{w}"' for w in unused[:3]) or "its mission statement",
        "feature_examples": ", ".join([FEATURES[f][0].lower() for f in feats if f not in feats_meaningful][:3])
        or "its distinctive tracks and clinics",
    }
    return rate(c, ctx, signals, evidence=ev, tip_vars=tip_vars)
