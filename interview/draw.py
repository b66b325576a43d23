"""Drawing the questions for one practice session, tailored to one residency program.

:func:`draw` keeps only questions that suit the program's country and specialty, asks the
opening trio first (tell me about yourself, why this program, a challenging clinical
situation; see :func:`opening_question` for which wording of each), then fills the session round by round over the categories so that no category
dominates: each round visits every category at most once, in a weighted random order, and
takes one question from each. Questions whose targeted features match the program's
(``profile.all_features``) and questions written for the program's specialty weigh more, so
a research program meets research questions more often and a rural program rural ones.
A session closes with at most one "do you have any questions for us?" question. Everything is
decided by ``random.Random(seed)``: the same seed gives the same list.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .bank import Question, QuestionBank, load_bank, template_context
from .errors import BankError
from .profile import ProgramProfile

#: Relative weight of each category when choosing the order of a round (core interview
#: categories come up first more often; the rest fill longer sessions).
CATEGORY_WEIGHTS: dict[str, float] = {
    "personal": 1.2,
    "program_fit": 1.2,
    "behavioural": 1.6,
    "ethics": 1.3,
    "communication": 1.1,
    "img": 1.3,
    "career": 1.0,
    "questions_for_us": 0.6,
    "us_system": 1.0,
    "ca_system": 1.0,
    "specialty": 1.2,
    "rural_underserved": 0.9,
    "research": 0.9,
    "teaching": 0.8,
    "wellness": 0.8,
}

#: Features a category's questions target when they name none themselves (a research
#: question is about research even if its author did not tag it).
CATEGORY_FEATURES: dict[str, tuple[str, ...]] = {
    "research": ("research", "academic"),
    "rural_underserved": ("rural", "remote", "underserved", "indigenous_health", "return_of_service"),
    "teaching": ("teaching", "academic"),
}

#: Weight of a question that targets at least one of the program's features (plus
#: :data:`EXTRA_MATCH_WEIGHT` for each further matching feature).
MATCH_WEIGHT = 4.0
EXTRA_MATCH_WEIGHT = 1.0
#: Weight of a question that targets features the program does not have.
MISMATCH_WEIGHT = 0.35
#: Factor for a question written for the program's specialty.
SPECIALTY_WEIGHT = 2.5


@dataclass(frozen=True)
class DrawnQuestion:
    """A question picked for a session, rendered for the program."""

    question: Question
    text: str
    follow_ups: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def category(self) -> str:
        return self.question.category

    def to_dict(self) -> dict:
        """A JSON-ready record (used by ``python -m interview questions --json``)."""
        q = self.question
        return {
            "id": q.id,
            "text": self.text,
            "category": q.category,
            "kind": q.kind,
            "opening": q.opening,
            "countries": list(q.countries),
            "specialties": list(q.specialties),
            "features": list(q.features),
            "suggested_seconds": q.suggested_seconds,
            "follow_ups": list(self.follow_ups),
            "follow_up_triggers": q.follow_up_triggers,
            "look_for": q.look_for,
        }


#: categories asked only by the formats that ask for them (MMI stations: long timed scenarios)
STATION_CATEGORIES: tuple[str, ...] = ("mmi",)


def question_weight(question: Question, profile: ProgramProfile, features: Iterable[str] | None = None) -> float:
    """How strongly ``question`` is preferred for ``profile`` (1.0 = neutral).

    ``features``: the program's features if already computed (default ``profile.all_features``).
    """
    weight = 1.0
    targeted = question.features or CATEGORY_FEATURES.get(question.category, ())
    if targeted:
        program_features = set(profile.all_features if features is None else features)
        matches = len(set(targeted) & program_features)
        weight = MATCH_WEIGHT + EXTRA_MATCH_WEIGHT * (matches - 1) if matches else MISMATCH_WEIGHT
    if question.specialties and profile.specialty in question.specialties:
        weight *= SPECIALTY_WEIGHT
    return weight


def render(question: Question, profile: ProgramProfile, context: dict | None = None) -> DrawnQuestion:
    """One question rendered for ``profile`` (``context``: its template context, if known)."""
    context = context if context is not None else template_context(profile)
    return DrawnQuestion(question, question.render(profile, context), question.render_follow_ups(profile, context))


def _weighted_order(rng: random.Random, items: list, weights: list[float]) -> list:
    """A random order in which heavier items tend to come first (Efraimidis–Spirakis keys)."""
    keys = [rng.random() ** (1.0 / w) for w in weights]
    return [items[i] for i in sorted(range(len(items)), key=lambda i: -keys[i])]


def _pick(rng: random.Random, questions: list[Question], weights: list[float]) -> Question:
    return rng.choices(questions, weights=weights, k=1)[0]


def draw(
    profile: ProgramProfile,
    count: int = 10,
    seed: int | None = None,
    bank: QuestionBank | None = None,
    opening: bool = True,
    exclude_ids: Iterable[str] = (),
    categories: Iterable[str] | None = None,
) -> list[DrawnQuestion]:
    """Pick ``count`` questions for a practice session with the program ``profile``.

    - only questions that suit the program's country and specialty;
    - the opening trio first (``opening=True``), then a balanced mix of categories, with
      "do you have any questions for us?" (if drawn) last;
    - questions targeting the program's features, or its specialty, are preferred;
    - no question twice; ``exclude_ids`` (e.g. practised recently, newest first as
      :meth:`interview.storage.Store.recent_question_ids` gives them) are avoided, and used
      only if nothing else is left; the opening slots follow :func:`opening_question`;
    - at most one "do you have any questions for us?" question, unless nothing else is left;
    - the same ``seed`` gives the same list (``seed=None``: a fresh random draw);
    - ``categories``: draw from these categories only, without the opening trio (an MMI
      circuit draws stations only); otherwise stations (:data:`STATION_CATEGORIES`) are
      left to the formats that ask for them.

    Returns fewer than ``count`` questions only when the bank has no more that suit.
    """
    if count < 1:
        raise BankError(f"count must be at least 1 (got {count})")
    bank = bank if bank is not None else load_bank()
    rng = random.Random(seed)
    # read once (it may be a generator); a list keeps the newest-first order
    exclude_ids = exclude_ids if isinstance(exclude_ids, (set, frozenset)) else list(exclude_ids)
    excluded = set(exclude_ids)
    suiting = bank.suiting(profile.country, profile.specialty)
    if categories is not None:
        wanted = set(categories)
        suiting = [q for q in suiting if q.category in wanted]
        opening = False
        if not suiting:
            raise BankError(f"the question bank has no {' or '.join(sorted(wanted))} questions "
                            f"for a {profile.country_name} program; add some (question_bank/README.md)")
    else:
        suiting = [q for q in suiting if q.category not in STATION_CATEGORIES]
    features = set(profile.all_features)
    weights = {q.id: question_weight(q, profile, features) for q in suiting}

    chosen: list[Question] = []
    if opening:
        for slot in (1, 2, 3):
            if len(chosen) >= count:
                break
            picked = opening_question([q for q in suiting if q.opening == slot], rng, exclude_ids, weights)
            if picked is not None:
                chosen.append(picked)

    # Opening questions are asked only as the opening. Fresh questions first; a second
    # "any questions for us?" or a recently practised question only if nothing else is left.
    pool = [q for q in suiting if q.opening is None]
    for preferred, closing_once in ((True, True), (False, True), (True, False), (False, False)):
        if len(chosen) >= count:
            break
        remaining = [q for q in pool if (q.id not in excluded) == preferred and q not in chosen]
        if closing_once and any(_closes(q) for q in chosen):
            remaining = [q for q in remaining if not _closes(q)]
        chosen.extend(_rounds(rng, remaining, weights, count - len(chosen), closing_once))
    # "Do you have any questions for us?" closes an interview.
    chosen.sort(key=_closes)
    context = template_context(profile)
    return [render(q, profile, context) for q in chosen]


def opening_question(slot_questions: Sequence[Question], rng: random.Random,
                     exclude_ids: Iterable[str] = (), weights: dict[str, float] | None = None) -> Question | None:
    """The question asked in one opening slot, from the slot's questions in bank order.

    A slot (1 tell me about yourself, 2 why this program, 3 a challenging clinical situation)
    may have several wordings of the same question. The first in the bank is the canonical
    one:

    - nothing practised yet (no ``exclude_ids``): the canonical question;
    - otherwise a question of the slot not practised recently, picked with ``rng`` (so the
      same seed gives the same choice);
    - if every question of the slot was practised recently: the one practised least recently
      when ``exclude_ids`` is ordered (newest first, as the store gives them), else the
      canonical one.
    """
    if not slot_questions:
        return None
    excluded = exclude_ids if isinstance(exclude_ids, (set, frozenset)) else list(exclude_ids)
    if not excluded:
        return slot_questions[0]
    fresh = [q for q in slot_questions if q.id not in excluded]
    if fresh:
        return _pick(rng, fresh, [(weights or {}).get(q.id, 1.0) for q in fresh])
    if isinstance(excluded, list):
        position = {qid: i for i, qid in reversed(list(enumerate(excluded)))}
        return max(slot_questions, key=lambda q: position[q.id])
    return slot_questions[0]


def _closes(question: Question) -> bool:
    """Whether ``question`` is a "do you have any questions for us?" (asked last)."""
    return question.kind == "applicant_questions" and question.opening is None


def _rounds(rng: random.Random, pool: list[Question], weights: dict[str, float], needed: int,
            closing_once: bool = False) -> list[Question]:
    """Up to ``needed`` questions from ``pool``, one per category per round (with
    ``closing_once``, at most one "any questions for us?")."""
    by_cat: dict[str, list[Question]] = {}
    for q in pool:
        by_cat.setdefault(q.category, []).append(q)
    out: list[Question] = []
    while len(out) < needed and by_cat:
        cats = sorted(by_cat)
        # A category weighs as much as its most relevant remaining question.
        cat_weights = [CATEGORY_WEIGHTS.get(c, 1.0) * max(weights[q.id] for q in by_cat[c]) for c in cats]
        for cat in _weighted_order(rng, cats, cat_weights):
            if len(out) >= needed:
                break
            qs = by_cat[cat]
            q = _pick(rng, qs, [weights[x.id] for x in qs])
            out.append(q)
            qs.remove(q)
            if closing_once and _closes(q):
                qs[:] = [x for x in qs if not _closes(x)]
            if not qs:
                del by_cat[cat]
    return out
