"""Session formats (interview.formats) and how timings and follow-up answers are stored."""

from __future__ import annotations

import pytest

from interview.errors import StorageError
from interview.formats import FORMATS, UnknownFormat, get_format, phase, timing_from_clock


def test_the_four_formats():
    assert list(FORMATS) == ["practice", "panel", "svi", "mmi"]
    svi, mmi = get_format("svi"), get_format("mmi")
    assert (svi.read_seconds, svi.answer_seconds, svi.one_take) == (30, 180, True)
    assert mmi.read_seconds == 120 and mmi.warning_seconds == 60 and mmi.recorded_follow_ups == 1
    assert get_format("panel").recorded_follow_ups == 1 and not get_format("panel").timed
    with pytest.raises(UnknownFormat, match="practice, panel, svi, mmi"):
        get_format("osce")


def test_a_station_keeps_its_own_time_within_six_to_eight_minutes():
    mmi = get_format("mmi")
    assert mmi.answer_limit({"suggested_seconds": 360}) == 360
    assert mmi.answer_limit({"suggested_seconds": 480}) == 480
    assert mmi.answer_limit({"suggested_seconds": 120}) == 420  # not a station time
    assert get_format("svi").answer_limit({"suggested_seconds": 90}) == 180


def test_phases_count_from_the_start_of_answering_not_from_the_card():
    mmi, q = get_format("mmi"), {"suggested_seconds": 420}
    assert phase(mmi, q, now=100, shown_at=0, started_at=None) == ("reading", 20)
    # started early at 50 s: the answer timer counts from there
    assert phase(mmi, q, now=100, shown_at=0, started_at=50) == ("answering", 370)
    assert phase(mmi, q, now=50 + 361, shown_at=0, started_at=50)[0] == "warning"
    assert phase(mmi, q, now=50 + 420, shown_at=0, started_at=50) == ("over", 0.0)
    # not started by hand: answering began when the read time ended
    assert phase(mmi, q, now=130, shown_at=0, started_at=None) == ("answering", 410)
    assert phase(get_format("practice"), q, now=1e6, shown_at=0, started_at=None) == ("answering", None)


def test_timing_of_a_take_beyond_the_limit_is_timed_out_and_capped():
    svi = get_format("svi")
    t = timing_from_clock(svi, {}, shown_at=0, started_at=30, stopped_at=250)
    assert t.timed_out and t.answer_seconds == 180 and t.read_seconds == 30
    t = timing_from_clock(svi, {}, shown_at=0, started_at=10, stopped_at=100)
    assert not t.timed_out and t.answer_seconds == 90 and t.read_seconds == 10
    t = timing_from_clock(get_format("practice"), {}, shown_at=0, started_at=None, stopped_at=75)
    assert t.read_seconds is None and t.answer_seconds == 75 and not t.timed_out


def test_follow_up_answers_and_timings_are_stored_with_their_main_answer(data_dir):
    from interview.formats import AnswerTiming
    from interview.storage import Store

    with Store.open() as store:
        sess = store.create_session(None, None, mode="interview", format="mmi",
                                    questions=[{"id": "mmi.x", "text": "A station"}])
        timing = AnswerTiming(read_seconds=40, answer_seconds=420, timed_out=True,
                              read_limit=120, answer_limit=420)
        main = store.add_answer(sess.id, 1, question_id="mmi.x", question_text="A station",
                                text="My answer", timing=timing)
        assert main.timed_out and main.answer_seconds == 420 and main.read_limit == 120
        up = store.add_answer(sess.id, 1, question_id=None, question_text="And then?",
                              text="Then this", parent_answer_id=main.id, follow_up=1)
        again = store.add_answer(sess.id, 1, question_id=None, question_text="And then?",
                                 text="Better", parent_answer_id=main.id, follow_up=1)
        assert (up.attempt, again.attempt) == (1, 2)
        full = store.get_session(sess.id)
        assert full.format == "mmi" and full.format_id == "mmi"
        assert len(full.answers) == 1 and len(full.attempts[1]) == 1  # not another attempt
        assert [a.text for a in full.answer_at(1).follow_up_answers] == ["Better"]
        assert [a.id for a in store.get_answer(main.id).follow_up_answers] == [again.id]
        with pytest.raises(StorageError, match="follow-up"):
            store.add_answer(sess.id, 1, question_id=None, question_text="?", text="x",
                             parent_answer_id=main.id)
        with pytest.raises(StorageError, match="not the main answer"):
            store.add_answer(sess.id, 2, question_id=None, question_text="?", text="x",
                             parent_answer_id=main.id, follow_up=1)
        with pytest.raises(StorageError, match="unknown session format"):
            store.create_session(None, None, format="osce")
        # export and import keep it all
        data = store.export_session(sess.id)
    with Store.open(f"sqlite:///{data_dir / 'other.db'}") as other:
        copy = other.import_session(data)
        assert copy.format == "mmi" and copy.answer_at(1).timed_out
        assert [a.text for a in copy.answer_at(1).follow_up_answers] == ["Better"]


def test_older_sessions_get_the_format_of_their_mode(data_dir):
    from interview.storage import Store

    with Store.open() as store:
        old = store.create_session(None, None, mode="interview")
        assert old.format is None and old.format_id == "panel"
        assert store.create_session(None, None).format_id == "practice"
