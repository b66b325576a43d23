"""Real stored sessions for the coach tests (reports, sharing, progress, pages).

Sessions are created through the storage API with typed answers, measured by
``interview.metrics.compute_metrics`` and scored by ``interview.scoring.score_answer`` — the
real pipeline pieces, not hand-written score dicts. An answer may also carry audio bytes (a
real recording from tests/fixtures) so that export/import has files to move.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from interview.bank import load_bank
from interview.metrics import compute_metrics
from interview.profile import make_profile
from interview.scoring import score_answer

FIXTURES = Path(__file__).resolve().parent / "fixtures"

STRONG_US = (
    "I am an internal medicine applicant from Lagos. After finishing my USMLE Step 1 and "
    "Step 2 CK, I completed ECFMG certification and did a twelve-week observership at a "
    "community hospital in Ohio, where I learned how the team handles transitions of care. "
    "For example, when a patient with heart failure was discharged, I prepared the "
    "medication reconciliation and called the patient two days later; she was not "
    "readmitted. I want to join your program because of its focus on underserved patients "
    "and I will need J-1 sponsorship through ECFMG."
)
WEAK_US = (
    "Um, so, like, I think I, uh, just really like medicine, you know. Um, I worked hard and, "
    "uh, I think I would be good, like, for the program, basically."
)
STRONG_CA = (
    "I trained in Cairo, passed the MCCQE Part I and the NAC OSCE, and I hold permanent "
    "residence. Through physiciansapply I verified my credentials with the MCC. I worked as "
    "a clinical assistant in rural Alberta, where I saw how return of service supports "
    "communities; for example I organised a diabetes clinic that reduced missed visits. The "
    "CanMEDS roles of advocate and collaborator guide how I practise, and I am applying in "
    "the first iteration of CaRMS."
)


@dataclass
class Answer:
    text: str
    question_id: str | None = None
    category: str | None = None
    audio: bytes | None = None
    filename: str | None = None


def pick_question(bank, country: str, *, question_id: str | None = None, category: str | None = None):
    if question_id:
        return bank.get(question_id)
    for q in bank.suiting(country, any_specialty=True):
        if category is None or q.category == category:
            return q
    raise LookupError(f"no {category} question for {country} in the bank")


def store_session(
    store,
    answers: list[Answer],
    *,
    applicant: str = "Amina Diallo",
    email: str | None = "amina@example.org",
    coach_email: str | None = "coach.kim@example.org",
    country: str = "us",
    program: str = "Riverside Internal Medicine",
    mode: str = "practice",
):
    """Store one session with scored answers; returns the SessionRecord."""
    bank = load_bank()
    who = store.find_applicant(applicant) or store.add_applicant(
        applicant, email=email, coach_email=coach_email)
    profile = make_profile(
        name=program, country=country, region="OH" if country == "us" else "AB",
        city="Dayton" if country == "us" else "Red Deer", specialty="internal_medicine",
        mission="We serve underserved and rural communities and welcome international medical graduates.",
    )
    prof = store.find_or_add_profile(profile, applicant_id=who.id)
    questions = [pick_question(bank, country, question_id=a.question_id, category=a.category)
                 for a in answers]
    sess = store.create_session(
        who.id, prof.id, mode=mode,
        questions=[{"id": q.id, "text": q.render(profile), "category": q.category} for q in questions],
    )
    for position, (a, q) in enumerate(zip(answers, questions), start=1):
        rec = store.add_answer(
            sess.id, position, question_id=q.id, question_text=q.render(profile),
            category=q.category, kind=q.kind, suggested_seconds=q.suggested_seconds,
            look_for=q.look_for, text=a.text, audio=a.audio, filename=a.filename,
            source="upload" if a.audio is not None else "typed",
        )
        metrics = compute_metrics(a.text, suggested_seconds=q.suggested_seconds)
        score = score_answer(a.text, question=q, profile=profile, metrics=metrics)
        store.update_answer(rec.id, status="scored", metrics=metrics, scores=score,
                            overall=score.overall)
    store.finish_session(sess.id)
    return store.get_session(sess.id)


def fixture_audio(name: str = "answer.wav") -> bytes:
    return (FIXTURES / name).read_bytes()
