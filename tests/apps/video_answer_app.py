"""A one-question page for the browser test of video answers (tests/test_video_answer_browser.py).

The real recorder widget with ``video=True`` (camera and microphone) for the first question
of an existing session (``RECORDER_SESSION``), saved through the real service
(``interview.practice.submit_answer``), which transcribes the audio track and measures presence
from the video; the figures are shown with the app's presence renderer.
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
    take = recorder("video-take-1", answer_seconds=float(os.environ.get("RECORDER_LIMIT", "6")),
                    video=True)
except RecorderError as exc:
    st.error(str(exc))
    take = None
if take is not None:
    answer = submit_answer(store, session_id, 1, audio=take.audio, filename=take.filename,
                           source="audio")
    st.session_state["saved"] = (answer.id, answer.status, take.mime, take.has_video,
                                 (answer.metrics or {}).get("presence"))
if st.session_state.get("saved"):
    aid, status, mime, has_video, presence = st.session_state["saved"]
    st.success(f"Take saved: answer {aid} status {status}; {mime}; video {has_video}")
    if presence:
        st.write(f"Presence: eye contact {presence['eye_contact']:.2f}, face in frame "
                 f"{presence['face_in_frame']:.2f}, frames {presence['frames']}")
