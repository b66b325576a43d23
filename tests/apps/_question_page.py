"""What the one-question pages of the browser tests share (tests/apps/recorder_app.py and
video_answer_app.py): the project on the path, the first question of an existing session
(``RECORDER_SESSION`` in ``INTERVIEW_DATA_DIR``) shown as a heading, the real recorder widget
(app_pages/_recorder.py), and the take saved through the real service
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


def record_and_save(key: str, **options):
    """Show the question and the recorder (``options`` go to it); once a take is recorded,
    save it and return ``(answer, take)``, else ``None`` (an error shows on the page)."""
    session_id = os.environ["RECORDER_SESSION"]
    store = Store.open()
    sess = store.get_session(session_id)
    st.markdown(f"### {sess.questions[0]['text']}")
    try:
        take = recorder(key, **options)
    except RecorderError as exc:
        st.error(str(exc))
        return None
    if take is None:
        return None
    answer = submit_answer(store, session_id, 1, audio=take.audio, filename=take.filename,
                           source="audio")
    return answer, take
