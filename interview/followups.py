"""Which follow-up the interviewer asks, from what the answer said.

A question may list follow-ups with a trigger (``question_bank/README.md``): asked when the
answer *mentions* a concept (mentioned an externship -> "What surprised you about the U.S.
system there?") or *misses* one (no local experience -> "How are you preparing to work in a
U.S. hospital?"). A concept is a group of the country's lexicon
(``rubrics/lexicons/<country>.yaml``) or a plain phrase, matched by the lexicon's phrase
matcher (interview.text: whole words, plurals and hyphen variants). A trigger fires when the answer
mentions any of its ``mentions`` and none of its ``misses``; a group id of the other
country's lexicon counts as not mentioned, so one question can name the concept of each
country. The first follow-up, in bank order, whose trigger fires is asked; when none
fires, the first follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from .errors import InterviewError


@dataclass(frozen=True)
class ChosenFollowUp:
    """The follow-up to ask: its position in the question's list, its text and why."""

    index: int
    text: str
    #: e.g. "the answer mentions U.S. clinical experience"; None for the fallback
    reason: str | None = None


def _phrase_matcher(phrases: Sequence[str]):
    """The core's one phrase matcher, as the lexicons use it (whole words, plurals)."""
    from .text import PhraseMatcher

    return PhraseMatcher(list(phrases), joinable=True, plurals=True)


def _group_ids() -> set[str]:
    from .lexicon import COUNTRIES, load_lexicon

    ids: set[str] = set()
    for c in COUNTRIES:
        try:
            ids |= set(load_lexicon(c).groups)
        except InterviewError:
            pass
    return ids


def _concept_found(concept: str, text: str, country: str, found_groups: set[str],
                   lexicon) -> tuple[bool, str | None]:
    """(the answer mentions ``concept``, its label; None for another country's concept)."""
    if lexicon is not None and concept in lexicon.groups:
        return concept in found_groups, lexicon.groups[concept].label
    if concept in _group_ids():
        return False, None
    return bool(_phrase_matcher([concept]).find(text)), f'"{concept}"'


def choose_follow_up(answer_text: str, follow_ups: Sequence[str],
                     triggers: Sequence[Mapping | None] | None = None,
                     country: str | None = None) -> ChosenFollowUp | None:
    """The follow-up to ask after ``answer_text`` (None if the question has none).

    ``triggers`` is aligned with ``follow_ups`` (``{"mentions": [...], "misses": [...]}``
    or None); a trigger fires when the answer mentions any concept in ``mentions`` (if
    given) and none of those in ``misses``."""
    if not follow_ups:
        return None
    triggers = list(triggers or [])
    text = answer_text or ""
    lexicon = None
    found_groups: set[str] = set()
    if country in ("us", "ca"):
        try:
            from .lexicon import load_lexicon

            lexicon = load_lexicon(country)
            found_groups = {m.group for m in lexicon.find(text)}
        except InterviewError:
            lexicon = None
    for i, up in enumerate(follow_ups):
        trigger = triggers[i] if i < len(triggers) else None
        if not trigger:
            continue
        reasons = []
        mentions = trigger.get("mentions") or []
        fires = not mentions
        for concept in mentions:
            hit, label = _concept_found(concept, text, country or "us", found_groups, lexicon)
            if hit:
                fires = True
                reasons.append(f"mentions {label}")
                break
        for concept in trigger.get("misses") or []:
            hit, label = _concept_found(concept, text, country or "us", found_groups, lexicon)
            if hit:
                fires = False
            elif label:
                reasons.append(f"does not mention {label}")
        if fires:
            return ChosenFollowUp(i, up, "the answer " + " and ".join(reasons))
    return ChosenFollowUp(0, follow_ups[0], None)
