"""Practice: a tailored mock interview, answered out loud (or typed), with feedback.

The flow lives in ``st.session_state``:

* no active session: choose or create the program profile (with the applicant's name),
  the number of questions, the mode and how to answer; "Start" draws the questions and
  stores the session (``interview.practice.start_session``);
* an active session (``active_session_id``): one question at a time (``position``), the
  answer saved first and then transcribed, measured and scored
  (``interview.practice.submit_answer``, with this user's own longest recording and verbatim
  setting passed in the call); a failed step shows its message and a Retry
  button (``interview.practice.retry_answer``) that runs again from the saved audio.

Everything that matters is in the database, so a closed tab resumes from History.
"""

from __future__ import annotations

import streamlit as st

from app_pages import _access, _flow

st.title("Practice")

store = _access.current().store  # the viewer practises as themself

state = st.session_state
session_id = state.get("active_session_id")
if session_id:
    _flow.run_session(store, session_id)
else:
    _flow.session_setup(store)
