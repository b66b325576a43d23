"""What the scorer needs to know about the question: kind, suggested time, wording,
countries, category and which criteria it assesses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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


@dataclass
class QuestionInfo:
    kind: str | None = None
    seconds: float | None = None
    text: str | None = None
    countries: list[str] = field(default_factory=list)
    category: str | None = None
    #: criteria the question explicitly assesses / does not assess (bank fields)
    assesses: list[str] = field(default_factory=list)
    not_assessed: list[str] = field(default_factory=list)
    #: what interviewers look for (bank questions): more words that mark the topic
    look_for: str = ""
    given: bool = False  # a question was given at all


def question_info(question) -> QuestionInfo:
    """From a bank ``Question``, any look-alike, a question string, or None."""
    if question is None:
        return QuestionInfo()
    if isinstance(question, str):
        return QuestionInfo(kind=infer_kind(question), text=question, given=True)
    kind = getattr(question, "kind", None)
    text = getattr(question, "text", None)
    secs = getattr(question, "suggested_seconds", None)
    if not kind and text:
        kind = infer_kind(text)
    return QuestionInfo(
        kind=kind, seconds=float(secs) if secs else None, text=text,
        countries=list(getattr(question, "countries", None) or []),
        category=getattr(question, "category", None),
        assesses=list(getattr(question, "assesses", None) or []),
        not_assessed=list(getattr(question, "not_assessed", None) or []),
        look_for=getattr(question, "look_for", "") or "",
        given=True,
    )
