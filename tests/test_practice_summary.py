"""Session summaries from real stored sessions (scores written as the scorer stores them)."""

from __future__ import annotations

import pytest

from interview.profile import make_profile
from interview.storage import Store
from interview.summary import summarise_session


@pytest.fixture
def store(data_dir):
    s = Store.open()
    yield s
    s.close()


def _crit(cid, score, tips):
    return {"id": cid, "name": cid.title(), "score": score, "band": "", "evidence": [],
            "signals": {}, "tips": tips}


def _answer(store, sess, pos, overall, crits, metrics=None, status="scored"):
    a = store.add_answer(sess.id, pos, question_id=f"q{pos}", question_text=f"Question {pos}?",
                         text="answer")
    return store.update_answer(a.id, status=status, overall=overall, metrics=metrics,
                               scores={"overall": overall, "criteria": crits} if crits else None)


def test_summary_criteria_answers_focus_and_delivery(store):
    prof = store.add_profile(make_profile(name="P", country="us"))
    sess = store.create_session(None, prof.id)
    timed = {"timed": True, "words_per_minute": 120.0, "filler_per_minute": 4.0,
             "filler_per_100_words": 3.0, "longest_pause": 2.5}
    timed2 = {"timed": True, "words_per_minute": 160.0, "filler_per_minute": 2.0,
              "filler_per_100_words": 1.0, "longest_pause": 4.0}
    typed = {"timed": False, "words_per_minute": None, "filler_per_100_words": 2.0}
    _answer(store, sess, 1, 3.0, [_crit("structure", 2, ["Use STAR: situation, task, action, result."]),
                                  _crit("specificity", 4, ["Name one patient."]),
                                  _crit("fit", 3, ["Mention the program's mission."]),
                                  _crit("delivery", 5, [])], timed)
    _answer(store, sess, 2, 4.5, [_crit("structure", 3, ["Use STAR: situation, task, action, result.",
                                                         "Close with what you learned."]),
                                  _crit("specificity", 5, []),
                                  _crit("fit", 2, ["Mention the program's mission."]),
                                  _crit("delivery", 5, [])], timed2)
    _answer(store, sess, 3, 2.0, [_crit("structure", 1, ["Close with what you learned."]),
                                  _crit("specificity", 3, ["Give a number."]),
                                  _crit("fit", 4, []),
                                  _crit("delivery", 5, [])], typed)
    failed = store.add_answer(sess.id, 4, question_id="q4", question_text="Q4", text="x")
    store.update_answer(failed.id, status="failed", error="boom")

    s = summarise_session(store.get_session(sess.id))
    assert (s.answered, s.scored, s.failed) == (4, 3, 1)
    assert s.overall == pytest.approx((3.0 + 4.5 + 2.0) / 3, abs=0.01)
    means = {c.id: c.mean for c in s.criteria}
    assert means == {"structure": 2.0, "specificity": 4.0, "fit": 3.0, "delivery": 5.0}
    assert [c.id for c in s.criteria] == ["structure", "specificity", "fit", "delivery"]
    assert s.strongest.position == 2 and s.weakest.position == 3
    assert s.weakest.question == "Question 3?"
    # the three lowest criteria, each with its most pressing tip; a perfect one never
    assert [f.criterion_id for f in s.work_on] == ["structure", "fit", "specificity"]
    assert s.work_on[0].tip == "Close with what you learned."  # weighted towards the 1/5
    assert s.work_on[1].tip == "Mention the program's mission."
    assert s.delivery.words_per_minute == 140.0
    assert s.delivery.fillers_per_minute == 3.0
    assert s.delivery.fillers_per_100_words == 2.0
    assert s.delivery.longest_pause == 4.0 and s.delivery.timed_answers == 2
    assert s.to_dict()["work_on"][0]["name"] == "Structure"


def test_summary_uses_latest_attempt_and_overrides(store):
    sess = store.create_session(None, None)
    _answer(store, sess, 1, 1.0, [_crit("structure", 1, ["a"]), _crit("fit", 1, ["b"])])
    latest = _answer(store, sess, 1, 2.0, [_crit("structure", 2, ["a"]), _crit("fit", 2, ["b"])])
    store.set_override(latest.id, "fit", 4, reason="Clearly tied to the mission", author="coach")
    s = summarise_session(store.get_session(sess.id))
    assert s.answered == 1
    assert {c.id: c.mean for c in s.criteria} == {"structure": 2.0, "fit": 4.0}
    assert s.overall == 3.0  # final overall after the override
    assert [f.criterion_id for f in s.work_on] == ["structure", "fit"]


def test_empty_session_summary(store):
    s = summarise_session(store.create_session(None, None))
    assert s.answered == 0 and s.overall is None and s.criteria == [] and s.work_on == []
    assert s.strongest is None and s.delivery.words_per_minute is None
