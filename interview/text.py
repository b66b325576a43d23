"""The one text engine of the core: words, sentences, phrase matching and highlight spans.

Every module that looks at an answer's words goes through here, so the scorer, the
lexicons, the e-mails, the app and the reports agree on what a word is, where a sentence
ends, what a phrase match is and how overlapping highlights are drawn.

- Words (:func:`words`, :data:`WORD_RE`): runs of Unicode letters and digits, with inner
  apostrophes ("don't", "O'Neil"). Accent-aware: :func:`fold` compares "Montréal" and
  "Montreal", "CANMEDS" and "CanMEDS" alike; the raw spelling is kept for display.
- Sentences (:func:`split_sentences`): pysbd (rule-based sentence boundary
  disambiguation: "U.S.", "Dr.", "e.g." and decimals do not end a sentence), with character
  spans into the original text; blank lines always end a sentence.
- :class:`Doc`: an answer analysed once: its sentences and :class:`Token` list.
- :class:`PhraseMatcher`: ONE phrase matcher, an Aho-Corasick automaton (pyahocorasick)
  over the folded words. Matches are whole words only ("internal" never matches inside
  "internists"), leftmost-longest and non-overlapping by default. Options: case-sensitive
  (abbreviations such as "ED"), joinable (hyphens, spaces and dots between words ignored, so
  "sub-internship" = "sub internship" = "subinternship", "U.S." = "US") and plurals
  ("-s", "-es", "'s" on the last word).
- :func:`stem`: a light suffix stripper for real stems ("internists" -> "internist",
  "internal" -> "internal": different stems).
- :func:`layer_spans`: ONE highlight algorithm: overlapping spans are cut into
  non-overlapping pieces, each listing every span covering it, most specific (shortest)
  first. The app's HTML highlighter and the report's Markdown marks both use it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, Iterable, Iterator, Sequence, TypeVar

import ahocorasick
import pysbd

#: a word: letters and digits (any script, accents included), inner apostrophes allowed
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
#: what may sit between the words of a "joinable" phrase ("sub-internship", "U.S.", "I-PASS")
_JOINABLE_GAP = re.compile(r"[\s\-./]*")
_PUNCT = re.compile(r"[^\w\s'’]")

NUMBER_WORDS = frozenset({
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
    "thousand", "million", "percent", "dozen", "half", "twice", "once",
})
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|s|k|%)?")


# --------------------------------------------------------------------------------------
# words


@lru_cache(maxsize=65536)
def fold(word: str, *, lower: bool = True) -> str:
    """Accent- and case-folded form of a word ("Montréal" -> "montreal", "’" -> "'")."""
    w = word.replace("’", "'")
    if not w.isascii():
        w = "".join(ch for ch in unicodedata.normalize("NFKD", w) if not unicodedata.combining(ch))
    return w.lower() if lower else w


def words(text: str) -> list[str]:
    """The words of ``text`` as written."""
    return WORD_RE.findall(text or "")


def norm_words(text: str) -> list[str]:
    """The folded words of ``text``."""
    return [fold(w) for w in WORD_RE.findall(text or "")]


def is_number(norm: str) -> bool:
    """A number token: digits ("40", "2nd", "1990s") or a number word ("twelve")."""
    return norm in NUMBER_WORDS or bool(_ORDINAL.fullmatch(norm))


_SUFFIXES = ("ations", "ation", "ments", "ment", "ness", "ings", "ing", "ies", "ied",
             "ers", "er", "ed", "es", "s", "ly")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A real (if light) stem: common inflection suffixes stripped, at least 4 letters kept.

    "communities" and "community" -> "communit"; "serving" and "serve" -> "serv";
    "internists" -> "internist" but "internal" -> "internal": different stems, unlike a
    fixed-length prefix.
    """
    w = fold(word).split("'")[0]
    if w.endswith("ies") and len(w) > 5:
        w = w[:-3] + "y"
    elif w.endswith("ied") and len(w) > 5:
        w = w[:-3] + "y"
    if w.endswith("y") and len(w) > 4:
        w = w[:-1]
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[: -len(suf)]
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


# --------------------------------------------------------------------------------------
# sentences


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@lru_cache(maxsize=512)
def _split_cached(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for block in re.finditer(r"(?:(?!\n\s*\n).)+", text, re.S):  # blank lines end sentences
        base = block.start()
        chunk = block.group()
        if not chunk.strip():
            continue
        pos = 0
        for seg in _segmenter().segment(chunk):
            # pysbd's offsets are reliable in order; locate each segment from where we are
            s = chunk.find(seg.sent, pos) if seg.sent else -1
            if s < 0:
                s, e = seg.start, seg.end
            else:
                e = s + len(seg.sent)
            pos = e
            a, b = _strip_span(text, base + s, base + e)
            if b > a:
                spans.append((a, b))
    # merge a "sentence" without a word (a stray "." or "...") into the one before
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and not WORD_RE.search(text, a, b):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return tuple(out)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (whitespace trimmed), in order."""
    text = text or ""
    if not text.strip():
        return []
    return list(_split_cached(text))


def sentence_of(offset: int, sentences: Iterable[tuple[int, int]]) -> int:
    """Index of the sentence span containing ``offset`` (or the last one before it)."""
    idx = 0
    for i, (s, _e) in enumerate(sentences):
        if s <= offset:
            idx = i
        else:
            break
    return idx


def sentence_texts(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


# --------------------------------------------------------------------------------------
# tokens and the analysed document


@dataclass
class Token:
    start: int
    end: int
    norm: str  # folded (lower case, no accents)
    raw: str  # as written
    sentence: int  # index of its sentence
    first_in_sentence: bool
    punct_before: bool  # punctuation between the previous token and this one
    punct_after: bool


def tokenize(text: str, sentences: Sequence[tuple[int, int]] | None = None) -> list[Token]:
    """Word tokens with offsets, sentence index and whether punctuation sits around them."""
    text = text or ""
    sentences = list(sentences if sentences is not None else split_sentences(text))
    tokens: list[Token] = []
    si = 0
    prev_end = 0
    prev_sent = -1
    for m in WORD_RE.finditer(text):
        while si < len(sentences) - 1 and m.start() >= sentences[si][1]:
            si += 1
        gap = text[prev_end:m.start()]
        punct = bool(_PUNCT.search(gap)) and bool(tokens)
        first = si != prev_sent
        if tokens:
            tokens[-1].punct_after = punct or first
        tokens.append(Token(m.start(), m.end(), fold(m.group()), m.group(), si, first, punct, False))
        prev_end = m.end()
        prev_sent = si
    if tokens:
        tokens[-1].punct_after = True
    return tokens


class Doc:
    """One text analysed once: sentences, tokens, and the streams phrase matchers scan."""

    def __init__(self, text: str, sentences: Sequence[tuple[int, int]] | None = None):
        self.text = text or ""
        self.sentences = list(sentences) if sentences is not None else split_sentences(self.text)
        self.tokens = tokenize(self.text, self.sentences)
        self._streams: dict[bool, tuple[str, dict[int, int], dict[int, int]]] = {}
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for i, t in enumerate(self.tokens):
            first.setdefault(t.sentence, i)
            last[t.sentence] = i + 1
        #: (first token, one past the last token) of each sentence
        self.sent_tokens = [(first.get(s, 0), last.get(s, 0)) for s in range(len(self.sentences))]

    def stream(self, case_sensitive: bool) -> tuple[str, dict[int, int], dict[int, int]]:
        """The words run together (folded; cased too if asked), with the stream offset
        where each token starts and ends -> token index."""
        got = self._streams.get(case_sensitive)
        if got is None:
            parts: list[str] = []
            starts: dict[int, int] = {}
            ends: dict[int, int] = {}
            pos = 0
            for i, t in enumerate(self.tokens):
                w = fold(t.raw, lower=False) if case_sensitive else t.norm
                starts[pos] = i
                pos += len(w)
                ends[pos] = i
                parts.append(w)
            got = ("".join(parts), starts, ends)
            self._streams[case_sensitive] = got
        return got

    def span(self, first: int, last: int) -> tuple[int, int, str]:
        s, e = self.tokens[first].start, self.tokens[last].end
        return s, e, self.text[s:e]

    def sentence_text(self, si: int) -> str:
        s, e = self.sentences[si]
        return self.text[s:e]

    def sentence_of_offset(self, offset: int) -> int:
        return sentence_of(offset, self.sentences)


def as_doc(text_or_doc: "str | Doc") -> Doc:
    return text_or_doc if isinstance(text_or_doc, Doc) else Doc(text_or_doc)


# --------------------------------------------------------------------------------------
# the phrase matcher

P = TypeVar("P")


@dataclass(frozen=True)
class Match(Generic[P]):
    """A phrase found in a :class:`Doc`: tokens ``first..last`` (inclusive)."""

    first: int
    last: int
    start: int  # character offsets into the text
    end: int
    payload: Any
    phrase: str
    order: int  # the phrase's position in the matcher's list (earlier wins ties)


class PhraseMatcher:
    """Plain phrases found as whole words, in one pass of an Aho-Corasick automaton.

    ``phrases``: strings, or ``(phrase, payload)`` pairs (the payload comes back with each
    match). A phrase is never a regular expression.
    """

    def __init__(self, phrases: Iterable[str | tuple[str, Any]], *, case_sensitive: bool = False,
                 joinable: bool = False, plurals: bool = False):
        self.case_sensitive = case_sensitive
        self.joinable = joinable
        self.plurals = plurals
        self._auto = ahocorasick.Automaton()
        self.size = 0
        for order, item in enumerate(phrases):
            phrase, payload = (item, item) if isinstance(item, str) else item
            ws = [fold(w, lower=not case_sensitive) for w in WORD_RE.findall(phrase)]
            if not ws:
                continue
            key = "".join(ws)
            variants = [key]
            if plurals:
                variants += [key + "s", key + "es", key + "'s"]
            for v in variants:
                if v not in self._auto:  # the first phrase listed wins a shared key
                    self._auto.add_word(v, (len(v), len(ws), phrase, payload, order, v != key))
                    self.size += 1
        if self.size:
            self._auto.make_automaton()

    def find_all(self, doc: "str | Doc", lo: int = 0, hi: int | None = None) -> list[Match]:
        """Every match (overlaps included) whose tokens lie in ``tokens[lo:hi]``."""
        doc = as_doc(doc)
        if not self.size or not doc.tokens:
            return []
        hi = len(doc.tokens) if hi is None else hi
        stream, starts, ends = doc.stream(self.case_sensitive)
        s0 = doc_stream_offset(doc, self.case_sensitive, lo)
        s1 = doc_stream_offset(doc, self.case_sensitive, hi)
        out: list[Match] = []
        for end_idx, (klen, ntok, phrase, payload, order, _plural) in self._auto.iter(stream, s0, s1):
            b = end_idx + 1
            a = b - klen
            first = starts.get(a)
            last = ends.get(b)
            if first is None or last is None or last < first:
                continue
            if not self.joinable:
                if last - first + 1 != ntok:
                    continue
            else:
                toks = doc.tokens
                if any(not _JOINABLE_GAP.fullmatch(doc.text, toks[j].end, toks[j + 1].start)
                       for j in range(first, last)):
                    continue
            t = doc.tokens
            out.append(Match(first, last, t[first].start, t[last].end, payload, phrase, order))
        return out

    def find(self, doc: "str | Doc", lo: int = 0, hi: int | None = None) -> list[Match]:
        """Leftmost-longest, non-overlapping matches, in text order."""
        return select_longest(self.find_all(doc, lo, hi))


def doc_stream_offset(doc: Doc, case_sensitive: bool, token_index: int) -> int:
    """Stream offset where token ``token_index`` starts (the stream's end past the last)."""
    stream, starts, _ends = doc.stream(case_sensitive)
    if token_index >= len(doc.tokens):
        return len(stream)
    cache = doc.__dict__.setdefault("_tok_off", {})
    offs = cache.get(case_sensitive)
    if offs is None:
        offs = {i: s for s, i in starts.items()}
        cache[case_sensitive] = offs
    return offs[token_index]


def select_longest(matches: Iterable[Match]) -> list[Match]:
    """Leftmost-longest non-overlapping subset (ties: the phrase listed first)."""
    out: list[Match] = []
    last = -1
    for m in sorted(matches, key=lambda m: (m.first, -(m.last - m.first), -(m.end - m.start), m.order)):
        if m.first > last:
            out.append(m)
            last = m.last
    return out


# --------------------------------------------------------------------------------------
# highlight spans


@dataclass(frozen=True)
class Layer:
    """A piece ``text[start:end]`` and the spans covering it, most specific first."""

    start: int
    end: int
    spans: tuple  # the caller's span records, shortest first


def layer_spans(length: int, spans: Iterable[tuple[int, int, Any]]) -> list[Layer]:
    """Cut ``[0, length)`` at every span edge; each piece lists the spans covering it.

    ``spans``: ``(start, end, record)``; spans outside ``[0, length)`` are clipped, empty
    ones dropped. Pieces covered by nothing have ``spans == ()``. Overlapping spans are
    never dropped: a filler inside a run-on sentence is a piece covered by both, the
    filler (shorter) first.
    """
    clean = []
    for s, e, rec in spans:
        s, e = max(0, int(s)), min(length, int(e))
        if e > s:
            clean.append((s, e, rec))
    if not clean:
        return [Layer(0, length, ())] if length else []
    cuts = sorted({0, length, *(s for s, _e, _r in clean), *(e for _s, e, _r in clean)})
    out: list[Layer] = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        active = sorted((sp for sp in clean if sp[0] <= a and b <= sp[1]), key=lambda sp: (sp[1] - sp[0], sp[0]))
        out.append(Layer(a, b, tuple(sp[2] for sp in active)))
    return out


def iter_pieces(text: str, spans: Iterable[tuple[int, int, Any]]) -> Iterator[tuple[str, tuple]]:
    """``(piece of text, covering records)`` in order, for renderers."""
    for layer in layer_spans(len(text), spans):
        yield text[layer.start:layer.end], layer.spans
