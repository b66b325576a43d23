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


#: hypothetical wording of a scenario or MMI station ("Discuss what you would do")
_SCENARIO_WORDING = re.compile(
    r"\bdiscuss\b|what (would you|you would|should you|you should) do|how (would you|you would|should you|you should) "
    r"(handle|respond|manage|approach|proceed|deal)|\bwhat would you\b|\bshould (a|an|the|you|he|she|they|physicians?|doctors?)\b|"
    r"\bimagine\b|\bsuppose\b|\bmmi\b|\bstation\b", re.I)
#: what makes a scenario an ethical one: the dilemmas of ethics and MMI stations
_ETHICS_TOPIC = re.compile(
    r"\b(ethic\w*|dilemma|confidential\w*|consent\w*|capacity|refus\w*|conscien\w*|impaired|"
    r"alcohol|intoxicat\w*|drunk|assisted (dying|death|suicide)|maid|euthanasia|scarce|allocat\w*|"
    r"ventilator|triage|interpreter|disclos\w*|error|mistake|gift|pharmaceutical|industry|"
    r"conflict of interest|boundar\w*|social media|friend request|report\w*|autonomy|justice|"
    r"indigenous|racis\w*|discriminat\w*|harass\w*|falsif\w*|cheat\w*|plagiar\w*|vaccin\w*|"
    r"abuse|neglect|against (medical )?advice|advance directive|organ don\w*|jehovah|religio\w*|"
    r"minor|teenager|\d{1,2}-year-old|parents?|famil(y|ies)|colleagues?|attendings?|residents?|nurses?|"
    r"students?|privacy|prescri\w*|opioids?|insurance|uninsured|wait(ing)? (list|time)s?|pay\w*|private|"
    r"dying|death|die|wrong dose|dose|drug compan\w*|drug rep\w*|dinner|beds?|icu|surge|shortage|"
    r"resources?|priorit\w*|policy|mandat\w*|rank\w*|dignity|truth|lie|lying|secret|promise)\b", re.I)


def is_ethics_scenario(question_text: str | None) -> bool:
    """Whether a typed-in question reads as an ethics scenario or MMI station: hypothetical
    wording ("what would you do", "discuss...") about a dilemma (consent, confidentiality,
    an impaired colleague, scarce resources...). A question about the applicant's own past
    ("Tell me about a time you faced an ethical dilemma") is behavioural, not a scenario."""
    if not question_text:
        return False
    text = question_text
    if re.search(r"tell (me|us) about a time|describe a time|a time (when|you)", text, re.I):
        return False
    return bool(_SCENARIO_WORDING.search(text) and _ETHICS_TOPIC.search(text))


def infer_kind(question_text: str | None) -> str | None:
    """Best guess of a question's kind from its wording (for free-text questions); an ethics
    scenario or MMI station is a scenario whatever else it mentions."""
    if not question_text:
        return None
    if is_ethics_scenario(question_text):
        return "scenario"
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
