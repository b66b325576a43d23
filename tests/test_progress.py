"""Progress across sessions: per-criterion scores and delivery in date order, overrides
counted, and the question categories not practised yet (against the real bank)."""

from __future__ import annotations

import pytest

from coach_data import STRONG_CA, STRONG_US, WEAK_US, Answer, store_session
from interview.bank import load_bank
from interview.errors import NotFound
from interview.progress import applicant_progress, bank_categories, progress_from_sessions
from interview.storage import Store


@pytest.fixture
def store(data_dir):
    with Store.open() as s:
        yield s


def test_series_in_date_order_with_criteria(store):
    s1 = store_session(store, [Answer(WEAK_US, category="personal")])
    s2 = store_session(store, [Answer(STRONG_US, category="personal"),
                               Answer(STRONG_US, category="us_system")])
    p = applicant_progress(store, s1.applicant_id)
    assert [pt.session_id for pt in p.points] == [s1.id, s2.id]
    assert p.points[0].date < p.points[1].date
    names = {c["id"]: c["name"] for c in s2.answers[0].criteria if c["score"] is not None}
    assert p.criteria == names
    # each point's criterion score is the mean of that session's answers' scores
    for pt, sess in zip(p.points, (s1, s2)):
        sess = store.get_session(sess.id)
        for cid in names:
            vals = [a.final_scores[cid] for a in sess.answers]
            assert pt.criteria[cid] == pytest.approx(sum(vals) / len(vals), abs=0.01)
        assert pt.overall == sess.overall
    # the strong session scores higher overall than the weak one
    assert p.points[1].overall > p.points[0].overall
    rows = p.criterion_rows()
    assert [set(r) for r in rows] == [{"session", *names.values()}] * 2
    delivery = p.delivery_rows()
    assert set(delivery[0]) == {"session", "Words per minute", "Fillers per minute"}
    # typed answers have no timing
    assert delivery[0]["Words per minute"] is None


def test_override_changes_the_series(store):
    s1 = store_session(store, [Answer(WEAK_US, category="personal")])
    a = s1.answers[0]
    cid = a.criteria[0]["id"]
    before = applicant_progress(store, s1.applicant_id).points[0].criteria[cid]
    new = 5 if before < 5 else 1
    store.set_override(a.id, cid, new, reason="coach listened to the recording")
    after = applicant_progress(store, s1.applicant_id).points[0].criteria[cid]
    assert after == new != before


def test_categories_not_practised_against_bank(store):
    bank = load_bank()
    s = store_session(store, [Answer(WEAK_US, category="personal"),
                              Answer(STRONG_US, category="us_system")])
    p = applicant_progress(store, s.applicant_id, bank=bank)
    us_categories = bank_categories(["us"], bank)
    assert p.categories_practised == ["personal", "us_system"]
    assert p.not_practised == [c for c in us_categories if c not in ("personal", "us_system")]
    # a U.S. applicant is not told to practise the Canadian system
    assert "ca_system" not in p.not_practised
    assert "ca_system" in bank.categories


def test_canadian_applicant_categories(store):
    bank = load_bank()
    s = store_session(store, [Answer(STRONG_CA, category="ca_system")], applicant="Omar Haddad",
                      email="omar@example.org", country="ca", program="Red Deer Family Medicine")
    p = applicant_progress(store, s.applicant_id, bank=bank)
    assert "ca_system" not in p.not_practised and "us_system" not in p.not_practised
    assert "personal" in p.not_practised


def test_applicants_are_separate_and_unknown_id(store):
    a = store_session(store, [Answer(WEAK_US, category="personal")])
    b = store_session(store, [Answer(STRONG_US, category="personal")], applicant="Li Wei",
                      email="li@example.org")
    assert [p.session_id for p in applicant_progress(store, a.applicant_id).points] == [a.id]
    assert [p.session_id for p in applicant_progress(store, b.applicant_id).points] == [b.id]
    with pytest.raises(NotFound):
        applicant_progress(store, "nobody")


def test_no_sessions_yet(store):
    who = store.add_applicant("New Person")
    p = applicant_progress(store, who.id)
    assert p.points == [] and p.criteria == {}
    assert p.not_practised == load_bank().categories


def test_pure_function_sorts_by_date(store):
    s1 = store_session(store, [Answer(WEAK_US, category="personal")])
    s2 = store_session(store, [Answer(STRONG_US, category="personal")])
    sessions = store.list_sessions(applicant_id=s1.applicant_id)  # newest first
    p = progress_from_sessions(sessions, ["personal", "ethics"])
    assert [pt.session_id for pt in p.points] == [s1.id, s2.id]
    assert p.not_practised == ["ethics"]
    assert p.to_dict()["points"][0]["date"] == s1.created_at.isoformat()


@pytest.mark.slow
def test_recorded_answers_give_wpm_and_fillers_per_minute(store):
    """Real transcription of a recorded answer through the practice pipeline."""
    from coach_data import FIXTURES
    from interview.practice import start_session, submit_answer
    from interview.profile import make_profile

    who = store.add_applicant("Recorded Applicant", email="rec@example.org")
    sess = start_session(store, who, make_profile(name="Metro IM", country="us"), count=1, seed=3)
    ans = submit_answer(store, sess.id, 1, audio=FIXTURES / "fillers1.wav")
    assert ans.status == "scored", ans.error
    p = applicant_progress(store, who.id)
    (pt,) = p.points
    assert pt.wpm == pytest.approx(ans.metrics["words_per_minute"], abs=0.01) and pt.wpm > 0
    assert pt.fillers_per_min == pytest.approx(ans.metrics["filler_per_minute"], abs=0.01)
    assert p.delivery_rows()[0]["Words per minute"] == pt.wpm
