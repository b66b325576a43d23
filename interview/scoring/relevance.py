"""Relevance: does the answer address the question?

The question's topics are recognised from its wording (and, for bank questions, what
interviewers look for) with ``rubrics/lexicons/topics.yaml``. An answer sentence is on topic
when it uses one of those topics' answer words (real stems), a content word of the question
itself, or, for health-system topics, a term of the country's lexicon. The signals are the
share of sentences on topic and the number of distinct topic words used; an answer that
misses the question (a hobby story to a leadership question) is flagged ``off_topic``, gets
a tip and its overall is capped (``overall_cap`` in ``rubrics/relevance.yaml``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import RubricError
from ..lexicon import COUNTRIES, load_lexicon
from ..paths import lexicons_dir
from ..rubric import Criterion
from ..text import WORD_RE, Doc, PhraseMatcher, fold, stem
from ..yamlfile import describe_errors, load_cached
from .analysis import STOPWORDS
from .rating import rate
from .records import CriterionResult, Evidence
from .registry import ScoringContext, register

SIGNALS = {"on_topic_share", "topic_words"}
#: topics whose words count a quarter (RELATED_WEIGHT) as on topic: the work side of medicine for any question
#: about work; for a question about life outside medicine, the person's own life
RELATED_WORK = ("general", "clinical", "teamwork")
RELATED_OUTSIDE = ("stress", "self")
RELATED_WEIGHT = 0.25
CUES = {"question_stopwords"}


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)
    question: list[str] = Field(default_factory=list)
    answer: list[str] = Field(min_length=1)

    @field_validator("question", "answer")
    @classmethod
    def _plain(cls, v):
        for p in v:
            if not isinstance(p, str) or not WORD_RE.search(p):
                raise ValueError(f"{p!r} must be plain words")
            if any(ch in p for ch in "\\^$*+?{}[]|()"):
                raise ValueError(f"{p!r} must be plain words, not a regular expression")
        return v


class TopicFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topics: list[Topic] = Field(min_length=1)


class Topics:
    def __init__(self, data: TopicFile):
        self.topics = {t.id: t for t in data.topics}
        self.question_matcher = PhraseMatcher([(p, t.id) for t in data.topics for p in t.question], plurals=True)
        self.words: dict[str, set[str]] = {}
        self.phrases: dict[str, PhraseMatcher] = {}
        for t in data.topics:
            single = [p for p in t.answer if len(WORD_RE.findall(p)) == 1]
            multi = [p for p in t.answer if len(WORD_RE.findall(p)) > 1]
            self.words[t.id] = {stem(p) for p in single}
            self.phrases[t.id] = PhraseMatcher(multi, plurals=True)

    def of_question(self, text: str) -> list[str]:
        return list(dict.fromkeys(m.payload for m in self.question_matcher.find(text or "")))


def _parse(path: Path, data) -> Topics:
    if not isinstance(data, dict):
        raise RubricError(f"{path}: expected a mapping with a 'topics' list")
    try:
        tf = TopicFile(**data)
    except ValidationError as exc:
        raise RubricError(describe_errors(exc, path)) from None
    ids = [t.id for t in tf.topics]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise RubricError(f"{path}: duplicate topic id(s): {', '.join(dup)}")
    return Topics(tf)


def load_topics(path: Path | None = None) -> Topics:
    return load_cached(path or lexicons_dir() / "topics.yaml", "topics", _parse)


@lru_cache(maxsize=512)
def _question_stems(text: str, stop: frozenset[str]) -> frozenset[str]:
    out = set()
    for w in WORD_RE.findall(text or ""):
        n = fold(w)
        if len(n) >= 4 and n not in STOPWORDS and n not in stop:
            out.add(stem(n))
    return frozenset(out)


@register("relevance", signals=SIGNALS, cues=CUES)
def score(c: Criterion, ctx: ScoringContext) -> CriterionResult:
    a = ctx.analysis
    q = ctx.question
    topics = load_topics()
    qtext = " ".join(x for x in (q.text or "", q.look_for or "") if x)
    # a template's variables ("{{ program.name }}") are not words of the question
    qtext = qtext.replace("{{", " ").replace("}}", " ")
    found = topics.of_question(qtext)
    if ctx.kind == "applicant_questions" and "applicant_questions" not in found:
        found.append("applicant_questions")
    ids = [t for t in found if t != "general"] or ["general"]
    stop = frozenset(fold(w) for w in c.cues.get("question_stopwords", []))
    vocab = set(_question_stems(qtext, stop))
    for t in ids:
        vocab |= topics.words[t]
    system = "system" in ids or ctx.kind == "knowledge"
    local: set[int] = set()
    if system:
        for cc in ([ctx.country] if ctx.country in COUNTRIES else list(COUNTRIES)):
            for f in load_lexicon(cc).find(a):
                local.add(a.sentence_of_offset(f.start))
    hits: dict[int, list[int]] = {}
    used: set[str] = set()
    for i, t in enumerate(a.tokens):
        if i in a.filler_tok or t.norm in STOPWORDS or len(t.norm) < 3:
            continue
        st = stem(t.norm)
        if st in vocab:
            hits.setdefault(t.sentence, []).append(i)
            used.add(st)
    phrase_hits: list[tuple[int, int]] = []
    for t in ids:
        for m in topics.phrases[t].find(a):
            hits.setdefault(a.tokens[m.first].sentence, []).append(m.first)
            used.add(fold(m.phrase))
            phrase_hits.append((m.first, m.last))
    sentences = [si for si in range(len(a.sentences))
                 if any(i not in a.filler_tok for i in range(*a.sent_tokens[si]))]
    on = [si for si in sentences if si in hits or si in local]
    # a sentence on a neighbouring topic (the general, clinical or team side of the work when
    # the question is about work; life outside medicine when it is about that) counts a quarter
    related_vocab: set[str] = set()
    for t in (RELATED_OUTSIDE if "outside" in ids else RELATED_WORK):
        if t in topics.words and t not in ids:
            related_vocab |= topics.words[t]
    related = [si for si in sentences if si not in on and any(
        stem(a.tokens[i].norm) in related_vocab for i in range(*a.sent_tokens[si]) if i not in a.filler_tok)]
    share = round((len(on) + RELATED_WEIGHT * len(related)) / len(sentences), 2) if sentences else 0.0
    signals = {
        "on_topic_share": share,
        "related_sentences": len(related),
        "topic_words": len(used) + len(local),
        "topics": [topics.topics[t].label for t in ids],
    }
    ev = []
    for si in on[:6]:
        for i in hits.get(si, [])[:1]:
            tok = a.tokens[i]
            ev.append(Evidence(tok.start, tok.end, tok.raw, "topic", "on the question's topic"))
    res = rate(c, ctx, signals, evidence=ev,
               tip_vars={"topic": " / ".join(topics.topics[t].label.lower() for t in ids)})
    return res
