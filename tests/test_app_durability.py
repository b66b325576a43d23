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
    start(app, count=1, method="browser")
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
