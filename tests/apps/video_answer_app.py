"""A one-question page for the browser test of video answers (tests/test_video_answer_browser.py).

The real recorder widget with ``video=True`` (camera and microphone) for the first question
of an existing session (``RECORDER_SESSION``), saved through the real service
(``interview.practice.submit_answer``), which transcribes the audio track and measures presence
from the video; the figures are shown with the app's presence renderer.
"""

from __future__ import annotations

import os

import streamlit as st
from _question_page import record_and_save

saved = record_and_save("video-take-1", answer_seconds=float(os.environ.get("RECORDER_LIMIT", "6")),
                        video=True)
if saved is not None:
    answer, take = saved
    st.session_state["saved"] = (answer.id, answer.status, take.mime, take.has_video,
                                 (answer.metrics or {}).get("presence"))
if st.session_state.get("saved"):
    aid, status, mime, has_video, presence = st.session_state["saved"]
    st.success(f"Take saved: answer {aid} status {status}; {mime}; video {has_video}")
    if presence:
        st.write(f"Presence: eye contact {presence['eye_contact']:.2f}, face in frame "
                 f"{presence['face_in_frame']:.2f}, frames {presence['frames']}")
