"""A one-question page for the browser test of the recorder component
(tests/test_recorder_browser.py).

It draws the real recorder widget (app_pages/_recorder.py) for the question of an existing
session (``RECORDER_SESSION`` in ``INTERVIEW_DATA_DIR``) with the read timer and answer
limit from the environment, and saves the take through the real service
(``interview.practice.submit_answer``): the same path the practice page uses.
"""

from __future__ import annotations

import os

import streamlit as st
from _question_page import record_and_save

saved = record_and_save("take-1", read_seconds=float(os.environ.get("RECORDER_READ", "0")) or None,
                        answer_seconds=float(os.environ.get("RECORDER_LIMIT", "0")) or None,
                        warning_seconds=float(os.environ.get("RECORDER_WARNING", "0")) or None,
                        auto_start=True)
if saved is not None:
    answer, take = saved
    st.session_state["saved"] = (answer.id, answer.status, take.answer_seconds, take.timed_out,
                                 take.read_seconds, take.started_at.isoformat()
                                 if take.started_at else None)
if st.session_state.get("saved"):
    aid, status, used, timed_out, read, started = st.session_state["saved"]
    st.success(f"Take saved: answer {aid} status {status}; answer time {used:.1f} s; "
               f"timed out {timed_out}; read time {read:.1f} s; started {started}")
