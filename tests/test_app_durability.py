"""Save first, in the app: a rerun in the middle of a submission keeps the take.

Streamlit abandons a running script when the user clicks during it: the next Streamlit
call raises ``RerunException`` and the script starts again. Here that click arrives while
the model is being fetched for the recording just received (the moment the issue found a
take lost): the stand-in for ``_ui.answer_transcriber`` calls ``st.rerun()`` once, which
is exactly what Streamlit raises. The take must be stored, shown, and retried to a score.
"""

from __future__ import annotations

import pytest
import streamlit as st

from conftest import FIXTURES
from test_app import TRANSCRIBE_TIMEOUT, app, create_profile, errors, start, store, texts  # noqa: F401


@pytest.mark.slow
def test_a_rerun_in_the_middle_of_a_submission_keeps_the_take(app, monkeypatch):
    from app_pages import _ui

    create_profile(app)
    start(app, count=1, method="browser_file")
    sid = app.session_state["active_session_id"]

    real = _ui.answer_transcriber
    interrupted = []

    def click_arrives_now():
        if not interrupted:
            interrupted.append(True)
            st.rerun()  # what Streamlit raises when a click abandons the run
        return real()

    monkeypatch.setattr(_ui, "answer_transcriber", click_arrives_now)
    wav = (FIXTURES / "answer.wav").read_bytes()
    app.audio_input[0].upload("recording.wav", wav)
    app.run(timeout=TRANSCRIBE_TIMEOUT)
    assert interrupted, "the submission was not interrupted"
    assert not app.exception, app.exception

    # the take was saved before the interruption: on disk, committed, shown with Retry
    answer = store().get_session(sid).answer_at(1)
    assert answer is not None, "the take was lost"
    assert answer.status == "recorded" and answer.source == "audio"
    assert store().audio_file(answer).read_bytes() == wav
    assert "saved but not processed yet" in texts(app)

    # the next run does not store it twice, and Retry finishes it from the saved audio
    app.run()
    assert len(store().answer_attempts(sid, 1)) == 1
    app.button(key=f"retry:{answer.id}").click().run(timeout=TRANSCRIBE_TIMEOUT)
    assert not app.exception, app.exception
    assert not errors(app), errors(app)
    done = store().get_answer(answer.id)
    assert done.status == "scored", done.error
    assert "chronic conditions" in done.text.lower()
    assert len(store().answer_attempts(sid, 1)) == 1


def test_the_app_offers_to_finish_answers_left_unfinished(app):
    """An answer saved by a process that stopped before processing it (a closed app, a
    killed command): the set-up page says so, and "Finish now" scores it."""
    from interview.practice import save_answer, start_session
    from interview.profile import make_profile

    s = store()
    prof = make_profile(name="Riverside Internal Medicine", country="us")
    sess = start_session(s, s.add_applicant("Amina Diallo"), prof, count=1, seed=4)
    left = save_answer(s, sess.id, 1, audio=FIXTURES / "answer.wav", source="upload")
    s.update_answer(left.id, status="transcribing")  # as a process that died would leave it
    app.run()
    assert not app.exception, app.exception
    assert "saved but not finished" in texts(app)
    app.button(key="recover_now").click().run(timeout=TRANSCRIBE_TIMEOUT)
    assert not app.exception, app.exception
    done = store().get_answer(left.id)
    assert done.status == "scored" and "chronic conditions" in done.text.lower()
    assert "saved but not finished" not in texts(app)


def test_a_database_error_on_a_page_is_one_line_and_the_next_try_works(data_dir, monkeypatch):
    """The database is locked by another program past the busy timeout while the user ends
    a session: the page shows one line (no traceback), and the same click works later."""
    import sqlite3

    from streamlit.testing.v1 import AppTest

    from test_app import APP, RUN_TIMEOUT

    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    monkeypatch.setenv("INTERVIEW_DB_BUSY_TIMEOUT", "0.3")
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.run()
    create_profile(at)
    start(at, count=1, method="typed")
    sid = at.session_state["active_session_id"]

    raw = sqlite3.connect(data_dir / "interview.db")
    raw.execute("BEGIN EXCLUSIVE")  # another program holds the database
    try:
        at.button(key="end_session").click().run()
    finally:
        raw.rollback()
        raw.close()
    assert not at.exception, at.exception
    msgs = errors(at)
    assert len(msgs) == 1 and "busy" in msgs[0] and "\n" not in msgs[0], msgs
    assert store().get_session(sid).finished_at is None

    at.button(key="end_session").click().run()  # the lock is gone: it works
    assert not at.exception and not errors(at)
    assert store().get_session(sid).finished_at is not None
