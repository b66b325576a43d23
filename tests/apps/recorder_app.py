"""A one-question page for the browser test of the recorder component (tests/test_recorder_browser.py).

It draws the real recorder widget (app_pages/_recorder.py) for the question of an existing
session (``RECORDER_SESSION`` in ``INTERVIEW_DATA_DIR``) with the read timer and answer
limit from the environment, and saves the take through the real service
(``interview.practice.submit_answer``): the same path the practice page uses.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app_pages._recorder import RecorderError, recorder  # noqa: E402
from interview.practice import submit_answer  # noqa: E402
from interview.storage import Store  # noqa: E402

session_id = os.environ["RECORDER_SESSION"]
store = Store.open()
sess = store.get_session(session_id)
st.markdown(f"### {sess.questions[0]['text']}")
try:
    take = recorder("take-1", read_seconds=float(os.environ.get("RECORDER_READ", "0")) or None,
                    answer_seconds=float(os.environ.get("RECORDER_LIMIT", "0")) or None,
                    warning_seconds=float(os.environ.get("RECORDER_WARNING", "0")) or None,
                    auto_start=True)
except RecorderError as exc:
    st.error(str(exc))
    take = None
if take is not None:
    answer = submit_answer(store, session_id, 1, audio=take.audio, filename=take.filename,
                           source="audio")
    st.session_state["saved"] = (answer.id, answer.status, take.answer_seconds, take.timed_out,
                                 take.read_seconds, take.started_at.isoformat()
                                 if take.started_at else None)
if st.session_state.get("saved"):
    aid, status, used, timed_out, read, started = st.session_state["saved"]
    st.success(f"Take saved: answer {aid} status {status}; answer time {used:.1f} s; "
               f"timed out {timed_out}; read time {read:.1f} s; started {started}")
