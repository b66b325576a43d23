"""The Match communication rules, checked on a thank-you email (drafted or edited).

After interviews, both matches restrict talk about ranking. In the U.S., the NRMP Match
Participation Agreement (with its Match Communication Code of Conduct) and in Canada the
CaRMS R-1 Main Residency Match participation agreement let applicants and programs express
interest in each other, but neither may ask the other about ranking intentions or for a
commitment, and nothing said about ranking binds anyone. :data:`RULES` gives each rule in
one sentence with the name of its official document (no web address: we cannot check that
one stays right).

:func:`check_email` reads each sentence of the subject and body (the core's sentence
splitter and phrase matcher, :mod:`interview.text`) and returns:

* ``not_allowed``: a question about the program's ranking intentions ("Will you be ranking
  me to match?", "Where do I stand on your list?") or a request for a commitment ("Can you
  guarantee me a position?"), with the reason and the rule;
* ``reminder``: a statement of the applicant's own ranking intention ("I will rank you
  first", "you are my top choice"): allowed, but not binding, and it must be true (say it
  to one program only).

It is a check with reasons, not a block: the applicant decides what to send.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Literal

from .text import PhraseMatcher, norm_words, sentence_texts


@dataclass(frozen=True)
class MatchRule:
    """One match's rule about post-interview communication."""

    match: str
    #: the official policy document, by name
    document: str
    #: the rule in one sentence
    rule: str

    def cite(self) -> str:
        return f"{self.document}: {self.rule}"


RULES: dict[str, MatchRule] = {
    "us": MatchRule(
        "NRMP", "NRMP Match Participation Agreement (Match Communication Code of Conduct)",
        "applicants and programs may express interest in each other, but neither may ask the "
        "other to reveal ranking intentions or to make a commitment, and any statement about "
        "ranking is non-binding."),
    "ca": MatchRule(
        "CaRMS", "CaRMS R-1 Main Residency Match participation agreement",
        "applicants and programs may express interest in each other, but neither may ask the "
        "other about ranking intentions or for any commitment before the match, and no "
        "statement about ranking binds either party."),
}

Level = Literal["not_allowed", "reminder"]


@dataclass(frozen=True)
class MatchWarning:
    """One sentence of an email that meets the Match communication rules."""

    level: Level
    #: ranking_question | commitment_request | own_ranking_intention
    kind: str
    sentence: str
    reason: str
    rule: str

    def message(self) -> str:
        head = "Not allowed" if self.level == "not_allowed" else "Reminder (allowed)"
        return f"{head}: \u201c{self.sentence}\u201d \u2014 {self.reason} {self.rule}"

    def __str__(self) -> str:
        return self.message()

    def to_dict(self) -> dict:
        return asdict(self)


# ---- what the sentences are checked for ----------------------------------------------------

#: words about ranking or matching (a question containing one asks about ranking)
_RANKING = (
    "rank", "ranks", "ranking", "ranked", "rank list", "rank order list", "rank order",
    "rol", "match list", "where i stand", "my standing", "my chances", "my chance",
    "chances of matching", "chance of matching", "likelihood of matching", "how highly",
    "match me", "to match", "matching with", "match with", "match at", "will i match",
    "my position on", "on your list", "your list",
)
#: asking for a commitment or an assurance
_COMMITMENT = (
    "commit", "commitment", "committed", "promise", "guarantee", "guaranteed", "assure",
    "assurance", "pledge", "secure a spot", "secure a position", "offer me a position",
    "offer me a spot", "a position for me", "a spot for me", "a place for me",
    "will i get a position", "will i get a spot", "count on",
)
#: phrases that make a sentence a request even without a question mark
_REQUEST = (
    "let me know", "tell me", "inform me", "could you", "would you", "will you", "can you",
    "please share", "please confirm", "please indicate", "please advise", "please let",
    "i would appreciate knowing", "i'd appreciate knowing", "i would like to know",
    "i'd like to know", "i wonder", "i was wondering", "any indication", "any update",
    "do you plan", "does your program plan", "is there any chance", "kindly confirm",
    "kindly let", "i would be grateful to know", "i would be grateful for any indication",
    "i hope you can confirm", "i ask that you", "i request",
    # indirect questions: "... whether you will be ranking me to match"
    "whether you", "whether your", "whether i will", "whether i'll", "whether i would",
    "if you will", "if you plan", "if i will", "how you will rank", "how you plan to rank",
)
#: the applicant's own ranking intention
_OWN_INTENTION = (
    "first choice", "top choice", "number one choice", "first on my list",
    "top of my list", "top of my rank list", "number one on my list", "my number one",
    "rank you first", "rank you highly", "rank you at the top", "rank your program first",
    "rank your program highly", "rank the program first", "rank the program highly",
    "ranking you first", "ranking you highly", "ranking your program first",
    "ranking your program highly", "rank you number one", "rank you #1", "rank you 1",
)
_FIRST_PERSON = {"i", "i'm", "i'll", "i've", "i'd", "my", "me", "mine", "we", "our"}
_HIGH = {"first", "highly", "high", "top", "one", "1", "best"}


@lru_cache(maxsize=1)
def _matchers() -> dict[str, PhraseMatcher]:
    return {name: PhraseMatcher(phrases, joinable=True, plurals=False)
            for name, phrases in (("ranking", _RANKING), ("commitment", _COMMITMENT),
                                  ("request", _REQUEST), ("own", _OWN_INTENTION))}


def rule_for(country: str | None) -> MatchRule:
    """The rule of the program's country ('ca': CaRMS; otherwise the NRMP)."""
    return RULES["ca" if (country or "").lower() == "ca" else "us"]


def check_sentence(sentence: str, country: str | None = "us") -> MatchWarning | None:
    """The warning for one sentence, or None when it is fine."""
    text = " ".join(sentence.split())
    if not text:
        return None
    m = _matchers()
    words = set(norm_words(text))
    asks = text.rstrip().endswith("?") or bool(m["request"].find(text))
    ranking = bool(m["ranking"].find(text))
    commitment = bool(m["commitment"].find(text))
    rule = rule_for(country)
    first_person = bool(words & _FIRST_PERSON)
    if asks and ranking:
        return MatchWarning(
            "not_allowed", "ranking_question", text,
            "This asks about the program's ranking intentions, which the match rules forbid "
            f"after an interview ({rule.match}).", rule.cite())
    if asks and commitment and ({"you", "your"} & words or first_person):
        return MatchWarning(
            "not_allowed", "commitment_request", text,
            f"This asks the program for a commitment, which the match rules forbid ({rule.match}).",
            rule.cite())
    to_program = bool({"you", "your", "program"} & words)
    # "I will rank Riverside first" (not "I ranked first in my class": a past result)
    own = bool(m["own"].find(text)) or (
        first_person and bool({"rank", "ranking"} & words) and bool(words & _HIGH))
    if own or (first_person and commitment and to_program):
        return MatchWarning(
            "reminder", "own_ranking_intention", text,
            "Telling a program how you intend to rank it is allowed, but it is not binding and "
            "must be true: say it to one program only, and never in exchange for anything.",
            rule.cite())
    return None


def check_email(subject: str, body: str, country: str | None = "us") -> list[MatchWarning]:
    """Every sentence of ``subject`` and ``body`` that meets the Match communication rules,
    in order (not-allowed sentences and reminders)."""
    out: list[MatchWarning] = []
    for part in (subject or "", body or ""):
        for sentence in sentence_texts(part):
            w = check_sentence(sentence, country)
            if w is not None:
                out.append(w)
    return out
