"""Delivery metrics of one answer: speaking rate, pauses, fillers, hedges, repetition, length.

Pure functions over the answer's text and, when the answer was spoken, its timed words
(:class:`interview.transcript.Word`). Typed answers get the text-based figures only: the
timing fields (words per minute, pauses...) are ``None``.

Definitions (what a coach would measure with a stopwatch):

- ``duration``: the recording's length if given, else the end of the last word.
- ``speech_span``: first word's start to last word's end (leading/trailing silence excluded).
- ``words_per_minute`` (speaking rate): timed words / speech span, pauses included.
  A 60-word answer spoken over 30 s is 120 wpm.
- ``speaking_time``: speech span minus every silent gap of 0.25 s or more.
- ``articulation_rate``: timed words per minute of speaking time (pauses excluded).
- pauses: silent gaps between consecutive words longer than 1 s (``pauses_over_1s``) and
  longer than 2 s (``pauses_over_2s``), each with its time, the index of the word after it,
  the character offset of that word in ``text`` and whether it falls between sentences
  (natural) or mid-sentence (hesitation).
- fillers and hedges: phrases from ``rubrics/lexicons/fillers.yaml`` with their character
  offsets in ``text`` and, when timed words are given, their time.
- repetitions: a word said again straight away ("I, I, I" counts two repeats).
- sentences: count, mean and longest length in words, run-ons (over ``RUN_ON_WORDS`` words,
  or over 25 words strung together with four or more "and/so/then").
- length: the answer's length in seconds (measured, or estimated at ``TYPED_WPM`` for typed
  answers) against the question's suggested time: ratio and verdict (short / ok / long).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Literal, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import RubricError
from .paths import lexicons_dir
from .text import NUMBER_WORDS as _NUMBER_WORDS
from .text import WORD_RE as _TOKEN_RE
from .text import Doc, PhraseMatcher, Token, fold, is_number, sentence_of, split_sentences, tokenize
from .transcript import Word
from .yamlfile import describe_errors, load_cached

#: a silent gap this long or longer is not speaking time (articulation rate)
MICRO_PAUSE = 0.25
#: pause thresholds, seconds
PAUSE_1 = 1.0
PAUSE_2 = 2.0
#: a sentence longer than this many words is a run-on
RUN_ON_WORDS = 40
#: speaking rate assumed for typed answers when estimating their spoken length
TYPED_WPM = 140.0
#: length ratio (answer length / suggested time) considered on target
LENGTH_OK = (0.5, 1.5)

#: words that, repeated, are ordinary English ("had had", "that that") rather than a stumble
_OK_REPEATS = {"had", "that", "very", "really", "so", "no", "bye", "many", "far", "more", "is"}
_CHAIN_WORDS = {"and", "so", "then", "but"}


# --------------------------------------------------------------------------------------
# The filler / hedge lexicon (data in rubrics/lexicons/fillers.yaml)


class PhraseEntry(BaseModel):
    """One filler or hedge: its phrases and the context rules that decide when it counts."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)
    phrases: list[str] = Field(min_length=1)
    position: Literal["any", "sentence_start", "set_off"] = "any"
    not_after: list[str] = Field(default_factory=list)
    not_before: list[str] = Field(default_factory=list)
    lowercase_only: bool = False

    @field_validator("phrases")
    @classmethod
    def _plain(cls, v: list[str]) -> list[str]:
        out = []
        for p in v:
            p = str(p).strip()
            if not p:
                raise ValueError("a phrase must not be empty")
            if re.search(r"[\\^$*+?{}\[\]|()]", p):
                raise ValueError(f"phrase {p!r} must be plain words, not a regular expression")
            if not _TOKEN_RE.search(p):
                raise ValueError(f"phrase {p!r} has no words")
            out.append(p)
        return out

    @field_validator("not_after", "not_before", mode="before")
    @classmethod
    def _words(cls, v):
        return [_norm(str(w)) for w in (v or [])]


class FillerLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fillers: list[PhraseEntry] = Field(min_length=1)
    hedges: list[PhraseEntry] = Field(default_factory=list)


def _parse_fillers(path: Path, data) -> "_CompiledFillers":
    if not isinstance(data, dict):
        raise RubricError(f"{path}: expected a mapping with 'fillers' and 'hedges' lists")
    try:
        lex = FillerLexicon(**data)
    except ValidationError as exc:
        raise RubricError(describe_errors(exc, path)) from None
    for section in ("fillers", "hedges"):
        ids = [e.id for e in getattr(lex, section)]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise RubricError(f"{path}: {section}: duplicate id(s) {', '.join(sorted(dup))}")
    return _CompiledFillers(lex)


def fillers_path() -> Path:
    return lexicons_dir() / "fillers.yaml"


def load_filler_lexicon(path: Path | None = None) -> "_CompiledFillers":
    """The filler/hedge lexicon, parsed and validated once per file version."""
    return load_cached(path or fillers_path(), "fillers", _parse_fillers)


class _CompiledFillers:
    """Filler and hedge phrases, each list in one :class:`interview.text.PhraseMatcher`."""

    def __init__(self, lex: FillerLexicon):
        self.lexicon = lex
        self.fillers = PhraseMatcher([(p, e) for e in lex.fillers for p in e.phrases])
        self.hedges = PhraseMatcher([(p, e) for e in lex.hedges for p in e.phrases])


# --------------------------------------------------------------------------------------
# Records


@dataclass
class Occurrence:
    """A matched span of ``text``: ``text[start:end] == self.text``."""

    start: int
    end: int
    text: str
    id: str
    label: str
    time: float | None = None  # seconds into the recording, when timed


@dataclass
class Pause:
    start: float  # seconds: end of the word before
    end: float  # start of the word after
    duration: float
    word_index: int  # index (in the timed words) of the word after the pause
    char_offset: int | None  # where that word starts in ``text`` (None if not aligned)
    between_sentences: bool  # True: a natural pause at a sentence boundary
    position: float  # 0..1, how far into the answer


@dataclass
class Sentence:
    start: int
    end: int
    words: int


@dataclass
class DeliveryMetrics:
    """Every delivery figure of one answer. Timing fields are ``None`` for typed answers."""

    timed: bool
    word_count: int
    sentence_count: int
    mean_sentence_length: float
    longest_sentence: int
    run_on_count: int
    run_ons: list[Sentence]
    sentences: list[Sentence]
    filler_count: int
    filler_per_100_words: float
    filler_counts: dict[str, int]
    fillers: list[Occurrence]
    hedge_count: int
    hedge_per_100_words: float
    hedges: list[Occurrence]
    repetition_count: int
    repetitions: list[Occurrence]
    number_count: int
    # length against the suggested time
    suggested_seconds: float | None
    length_seconds: float | None
    length_estimated: bool
    length_ratio: float | None
    length_verdict: str | None  # "short" | "ok" | "long"
    # timing (None for typed answers)
    duration: float | None = None
    speech_span: float | None = None
    speaking_time: float | None = None
    words_per_minute: float | None = None
    articulation_rate: float | None = None
    filler_per_minute: float | None = None
    pauses_over_1s: int | None = None
    pauses_over_2s: int | None = None
    longest_pause: float | None = None
    mid_sentence_pauses: int | None = None
    pauses: list[Pause] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "DeliveryMetrics":
        d = dict(d)
        for key, typ in (("fillers", Occurrence), ("hedges", Occurrence), ("repetitions", Occurrence),
                         ("run_ons", Sentence), ("sentences", Sentence), ("pauses", Pause)):
            d[key] = [typ(**x) for x in d.get(key, [])]
        return cls(**d)


def _norm(word: str) -> str:
    return fold(word)


# --------------------------------------------------------------------------------------
# Matching fillers and hedges


def _match_phrases(doc: Doc, matcher: PhraseMatcher, filler_starts: set[int] | None = None) -> list[tuple[int, int, "PhraseEntry"]]:
    """(first token, last token, entry) for every phrase that counts in context.

    Candidates come from the phrase matcher (every whole-word match); at each word the
    longest candidate whose context rules hold wins, and matching resumes after it.
    """
    tokens = doc.tokens
    by_first: dict[int, list] = {}
    for m in matcher.find_all(doc):
        by_first.setdefault(m.first, []).append(m)
    for v in by_first.values():
        v.sort(key=lambda m: (-(m.last - m.first), m.order))
    out = []
    i = 0
    n = len(tokens)
    filler_tokens = filler_starts or set()
    while i < n:
        matched = False
        for cand in by_first.get(i, ()):
            entry = cand.payload
            last = cand.last
            k = last - i + 1
            if k > 1 and any(tokens[i + j].sentence != tokens[i].sentence for j in range(k)):
                continue
            if entry.lowercase_only and any(tokens[i + j].raw != tokens[i + j].raw.lower() for j in range(k)):
                continue
            prev_tok = tokens[i - 1] if i > 0 and not tokens[i].first_in_sentence else None
            next_tok = tokens[last + 1] if last + 1 < n and tokens[last + 1].sentence == tokens[last].sentence else None
            if prev_tok is not None and not tokens[i].punct_before and prev_tok.norm in entry.not_after:
                continue
            if next_tok is not None and not tokens[last].punct_after and next_tok.norm in entry.not_before:
                continue
            after_filler = prev_tok is not None and (i - 1) in filler_tokens
            at_start = tokens[i].first_in_sentence or after_filler
            if entry.position == "sentence_start" and not at_start:
                continue
            if entry.position == "set_off" and not (
                at_start or tokens[i].punct_before or tokens[last].punct_after
                or (last + 1) in filler_tokens
            ):
                continue
            out.append((i, last, entry))
            for j in range(i, last + 1):
                filler_tokens.add(j)
            i = last + 1
            matched = True
            break
        if not matched:
            i += 1
    return out


def _occurrences(matches, tokens: list[Token], text: str, token_times) -> list[Occurrence]:
    occ = []
    for a, b, entry in matches:
        s, e = tokens[a].start, tokens[b].end
        t = token_times[a][0] if token_times and token_times[a] else None
        occ.append(Occurrence(s, e, text[s:e], entry.id, entry.label, t))
    return occ


def _repetitions(tokens: list[Token], text: str, token_times) -> list[Occurrence]:
    """Words said twice or more in a row ("I, I, I"): one occurrence per extra repeat."""
    occ = []
    for i in range(1, len(tokens)):
        a, b = tokens[i - 1], tokens[i]
        if a.norm == b.norm and a.sentence == b.sentence and b.norm not in _OK_REPEATS \
                and not b.norm.isdigit() and b.norm not in _NUMBER_WORDS:
            t = token_times[i][0] if token_times and token_times[i] else None
            occ.append(Occurrence(b.start, b.end, text[b.start:b.end], "repeat", f'repeated "{b.raw}"', t))
    return occ


# --------------------------------------------------------------------------------------
# Aligning timed words with the text


def _align(tokens: list[Token], words: Sequence[Word]) -> tuple[list[tuple[float, float] | None], list[int | None]]:
    """Times for each text token, and the first text token of each timed word (or None).

    Greedy, in order, looking a few tokens ahead, so an edited or re-punctuated transcript
    still lines up with its words.
    """
    token_times: list[tuple[float, float] | None] = [None] * len(tokens)
    word_tok: list[int | None] = [None] * len(words)
    j = 0
    for wi, w in enumerate(words):
        subs = [_norm(t) for t in _TOKEN_RE.findall(w.word)]
        for si, sub in enumerate(subs):
            for k in range(j, min(j + 8, len(tokens))):
                if tokens[k].norm == sub:
                    token_times[k] = (w.start, w.end)
                    if si == 0 or word_tok[wi] is None:
                        word_tok[wi] = k if word_tok[wi] is None else word_tok[wi]
                    j = k + 1
                    break
    return token_times, word_tok


# --------------------------------------------------------------------------------------


def compute_metrics(
    text: str,
    words: Sequence[Word] | None = None,
    duration: float | None = None,
    suggested_seconds: float | None = None,
    *,
    lexicon_path: Path | None = None,
) -> DeliveryMetrics:
    """Measure one answer. ``words`` (timed words) turn on the timing figures."""
    text = text or ""
    lex = load_filler_lexicon(lexicon_path)
    doc = Doc(text)
    sent_spans = doc.sentences
    tokens = doc.tokens
    timed_words = [w for w in (words or []) if _TOKEN_RE.search(w.word or "")]
    timed = bool(timed_words)
    token_times, word_tok = _align(tokens, timed_words) if timed else (None, None)

    filler_matches = _match_phrases(doc, lex.fillers)
    filler_tok = {j for a, b, _ in filler_matches for j in range(a, b + 1)}
    hedge_matches = _match_phrases(doc, lex.hedges, set())
    fillers = _occurrences(filler_matches, tokens, text, token_times)
    hedges = _occurrences(hedge_matches, tokens, text, token_times)
    repetitions = _repetitions(tokens, text, token_times)

    # sentences
    counts = [0] * len(sent_spans)
    chains = [0] * len(sent_spans)
    for t in tokens:
        counts[t.sentence] += 1
        if t.norm in _CHAIN_WORDS:
            chains[t.sentence] += 1
    sentences = [Sentence(s, e, c) for (s, e), c in zip(sent_spans, counts) if c > 0]
    run_ons = [
        Sentence(s, e, c) for (s, e), c, ch in zip(sent_spans, counts, chains)
        if c > RUN_ON_WORDS or (c > 25 and ch >= 4)
    ]
    n_words = len(tokens)
    n_content = n_words - len(filler_tok)
    n_sent = len(sentences)

    numbers = sum(1 for t in tokens if is_number(t.norm))

    per100 = (lambda c: round(100.0 * c / n_words, 2) if n_words else 0.0)
    filler_counts: dict[str, int] = {}
    for o in fillers:
        filler_counts[o.id] = filler_counts.get(o.id, 0) + 1

    m = DeliveryMetrics(
        timed=timed,
        word_count=n_words,
        sentence_count=n_sent,
        mean_sentence_length=round(n_content / n_sent, 2) if n_sent else 0.0,
        longest_sentence=max((s.words for s in sentences), default=0),
        run_on_count=len(run_ons),
        run_ons=run_ons,
        sentences=sentences,
        filler_count=len(fillers),
        filler_per_100_words=per100(len(fillers)),
        filler_counts=filler_counts,
        fillers=fillers,
        hedge_count=len(hedges),
        hedge_per_100_words=per100(len(hedges)),
        hedges=hedges,
        repetition_count=len(repetitions),
        repetitions=repetitions,
        number_count=numbers,
        suggested_seconds=float(suggested_seconds) if suggested_seconds else None,
        length_seconds=None,
        length_estimated=not timed,
        length_ratio=None,
        length_verdict=None,
    )

    if timed:
        first, last = timed_words[0], timed_words[-1]
        span = max(0.0, last.end - first.start)
        m.duration = round(float(duration) if duration else last.end, 3)
        m.speech_span = round(span, 3)
        gaps_total = 0.0
        pauses = []
        for i in range(1, len(timed_words)):
            gap = timed_words[i].start - timed_words[i - 1].end
            if gap >= MICRO_PAUSE:
                gaps_total += gap
            if gap > PAUSE_1:
                tok = word_tok[i] if word_tok else None
                offset = tokens[tok].start if tok is not None else None
                between = tok is not None and (tokens[tok].first_in_sentence or tokens[tok].punct_before
                                               and bool(re.search(r"[.!?;:]", text[tokens[tok - 1].end:tokens[tok].start])))
                pauses.append(Pause(
                    start=round(timed_words[i - 1].end, 3), end=round(timed_words[i].start, 3),
                    duration=round(gap, 3), word_index=i, char_offset=offset,
                    between_sentences=bool(between),
                    position=round((timed_words[i].start - first.start) / span, 3) if span else 0.0,
                ))
        speaking = max(span - gaps_total, 1e-6)
        nw = len(timed_words)
        m.speaking_time = round(speaking, 3)
        m.words_per_minute = round(nw / (span / 60.0), 1) if span > 0 else None
        m.articulation_rate = round(nw / (speaking / 60.0), 1) if speaking > 1e-3 else None
        m.filler_per_minute = round(len(fillers) / (span / 60.0), 2) if span > 0 else None
        m.pauses = pauses
        m.pauses_over_1s = len(pauses)
        m.pauses_over_2s = sum(1 for p in pauses if p.duration > PAUSE_2)
        m.longest_pause = round(max((p.duration for p in pauses), default=max(
            [timed_words[i].start - timed_words[i - 1].end for i in range(1, nw)] or [0.0]) if nw > 1 else 0.0), 3)
        m.longest_pause = max(0.0, m.longest_pause)
        m.mid_sentence_pauses = sum(1 for p in pauses if not p.between_sentences)
        m.length_seconds = round(span, 1)
    elif n_words:
        m.length_seconds = round(n_words / TYPED_WPM * 60.0, 1)

    if m.suggested_seconds and m.length_seconds is not None:
        ratio = m.length_seconds / m.suggested_seconds
        m.length_ratio = round(ratio, 2)
        m.length_verdict = "short" if ratio < LENGTH_OK[0] else "long" if ratio > LENGTH_OK[1] else "ok"
    return m
