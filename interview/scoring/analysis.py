"""One answer analysed once for every criterion: the text engine's :class:`~interview.text.Doc`
plus the delivery metrics, and the few general readings the criteria share (actions,
names, places, numbers, content words)."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from ..metrics import DeliveryMetrics
from ..rubric import Criterion
from ..text import Doc, Match, PhraseMatcher, is_number

#: English function words: not content, never "concrete" or "abstract"
STOPWORDS = frozenset("""
a an the and or but nor so yet of to in on at by for with from as into onto upon about above
below over under between through during before after since until while than then there here
this that these those it its it's is are was were be been being am do does did doing done
have has had having i me my mine myself we us our ours ourselves you your yours he him his she
her they them their what which who whom whose when where why how all any both each few more
most other some such no not only own same too very can could will would shall should may might
must also just if because though although even ever again once up down out off own i'm i've
i'd i'll we're we've we'd you're it'll that's there's let's
""".split())

#: words that end in "-ed" but are not things done
_NOT_ACTIONS = frozenset({
    "interested", "based", "related", "skilled", "motivated", "dedicated", "committed", "qualified",
    "experienced", "detailed", "advanced", "talented", "limited", "need", "needed", "indeed", "red",
    "bed", "speed", "seed", "feed", "reed", "shed", "owed", "aged", "bored", "hundred", "named",
    "called", "supposed", "tired", "excited", "concerned", "scared", "worried", "inspired", "married",
    "prepared", "organized", "organised", "retired", "licensed", "certified", "united", "exposed",
})
#: common irregular past tenses (things done)
IRREGULAR_PAST = frozenset("""
ran did saw read heard told said sent put set led took made wrote taught met spoke went came
built began found got gave kept held brought sat chose drove knew fell rose grew drew caught
bought fought thought felt left lost paid stood understood won wore meant sought shut spent
split cut let quit spread rang sang swam woke forgave overcame undertook taught
""".split())
_FIRST_PERSON = frozenset({"i", "we"})


@lru_cache(maxsize=512)
def cue_matcher(phrases: tuple[str, ...]) -> PhraseMatcher:
    return PhraseMatcher(phrases)


def cues(criterion: Criterion, key: str) -> PhraseMatcher:
    """The criterion's cue list ``key`` as a phrase matcher."""
    return cue_matcher(tuple(criterion.cues.get(key, ())))


class Analysis(Doc):
    """Tokens, sentences and metrics of one answer, computed once for every criterion."""

    def __init__(self, text: str, m: DeliveryMetrics):
        super().__init__(text)
        self.metrics = m
        spans = [(o.start, o.end) for o in m.fillers]
        self.filler_tok = {i for i, t in enumerate(self.tokens) if any(s <= t.start < e for s, e in spans)}

    # -- matching

    def sentences_with(self, matcher: PhraseMatcher) -> dict[int, list[tuple[int, int]]]:
        """Sentence index -> (first, last) token spans of ``matcher``'s matches in it."""
        out: dict[int, list[tuple[int, int]]] = {}
        for m in matcher.find(self):
            out.setdefault(self.tokens[m.first].sentence, []).append((m.first, m.last))
        return out

    def matches(self, matcher: PhraseMatcher) -> list[Match]:
        return [m for m in matcher.find(self) if m.first not in self.filler_tok]

    # -- readings

    def is_past_action(self, i: int) -> bool:
        """A token that reads as something done: a regular past tense ("reviewed")."""
        t = self.tokens[i]
        return len(t.norm) >= 4 and t.norm.endswith("ed") and t.norm not in _NOT_ACTIONS

    def is_own_action(self, i: int) -> bool:
        """A past-tense verb with "I"/"we" just before it ("I called", "we quickly agreed")."""
        t = self.tokens[i]
        if not (self.is_past_action(i) or t.norm in IRREGULAR_PAST):
            return False
        for j in range(i - 1, max(-1, i - 4), -1):
            if self.tokens[j].sentence != t.sentence:
                break
            if self.tokens[j].norm in _FIRST_PERSON:
                return True
        return False

    def capitalised_names(self, si: int, exclude: Iterable[int] = frozenset()) -> list[int]:
        """Capitalised words inside a sentence (not its first word, not "I"): names, places."""
        lo, hi = self.sent_tokens[si]
        exclude = set(exclude)
        out = []
        for i in range(lo + 1, hi):
            raw = self.tokens[i].raw
            if i in exclude or len(raw) < 3 or not raw[0].isupper() or raw.isupper():
                continue
            if raw.lower() in ("i'm", "i've", "i'd", "i'll"):
                continue
            out.append(i)
        return out

    def places(self, si: int, exclude: Iterable[int] = frozenset()) -> list[int]:
        """Named places where something happened: "in Miami", "at Mount Sinai"."""
        names = set(self.capitalised_names(si, exclude))
        return [i for i in names if i - 1 >= 0 and self.tokens[i - 1].norm in ("in", "at", "during", "on")]

    def numbers(self, lo: int, hi: int) -> list[int]:
        return [i for i in range(lo, hi) if is_number(self.tokens[i].norm)]

    def content_tokens(self) -> list[int]:
        """Indices of content words: not fillers, not function words."""
        return [i for i, t in enumerate(self.tokens)
                if i not in self.filler_tok and t.norm not in STOPWORDS]
