"""Settings: speech model and backend, where the data lives, longest recording.

The longest recording and verbatim mode are each user's own: kept in ``st.session_state``
and passed with every answer to the pipeline, so that on a shared server one user's choice
never changes another's. The speech model (loaded once per process) and, on a single-user
install, the defaults for new sessions are saved in ``settings.json``.
"""

from __future__ import annotations

import os

import streamlit as st

from app_pages import _ui
from interview import paths

st.title("Settings")

current = _ui.settings()
shared = _ui.shared_server()

with st.form("settings"):
    backend = st.selectbox(
        "Transcription backend", _ui.BACKENDS, index=_ui.BACKENDS.index(current.backend)
        if current.backend in _ui.BACKENDS else 0,
        help="faster-whisper is the fast default; openai-whisper needs the optional extra "
        "(pip install '.[openai-whisper]').",
    )
    model = st.text_input(
        "Model (size name or directory)", value=current.model,
        placeholder="empty = the bundled tiny.en model",
        help="A size name such as 'base.en' (from the local Hugging Face cache) or the path "
        "of a model directory. Nothing is downloaded.",
    )
    max_seconds = st.number_input(
        "Longest recording (seconds)", min_value=5, max_value=3600, step=10,
        value=int(current.max_seconds), key="settings_max_seconds",
        help="A longer recording is kept but not transcribed; raise this and Retry it.",
    )
    verbatim = st.checkbox("Verbatim transcription (keep um, uh...)", value=current.verbatim,
                           key="settings_verbatim")
    voice = st.checkbox("Read questions aloud in interview formats", value=current.voice,
                        key="settings_voice",
                        help="The interviewer's voice: your browser reads each question with a "
                        "voice installed on this computer (never an online voice). The "
                        "question is always shown too.")
    video_answers = st.checkbox(
        "Record video answers (camera and microphone)", value=current.video_answers,
        key="settings_video_answers",
        help="Off by default. Video answers are saved like audio takes, on this computer, and "
        "give eye contact and framing figures (with the optional video extra: pip install "
        "'.[video]'). Each session can still turn it on or off.")
    if shared:
        st.caption("The speech model is shared by everyone using this app; the longest "
                   "recording and verbatim mode are yours only.")
    saved = st.form_submit_button("Save settings", type="primary")

if saved:
    _ui.set_user_settings(max_seconds=int(max_seconds), verbatim=verbatim, voice=voice,
                          video_answers=video_answers)
    defaults = _ui.AppSettings.load()
    defaults.backend, defaults.model = backend, model.strip()
    if not shared:  # a single user: keep these as the defaults for the next start too
        defaults.max_seconds, defaults.verbatim = int(max_seconds), verbatim
        defaults.voice = voice
        defaults.video_answers = video_answers
    defaults.save()
    st.success("Settings saved. The model loads again on the next answer if it changed.")
    _ui.start_model_loading()

st.subheader("Speech model")
state = _ui.model_state()
st.write({"loading": "Loading in the background...", "ready": "Ready.",
          "failed": "Failed to load.", "idle": "Loads when the first answer needs it."}[state])
if state == "failed":
    try:
        _ui.get_transcriber()
    except Exception as exc:  # noqa: BLE001 - shown to the user, with what to do
        _ui.show_error(exc, "The speech model could not be loaded")
        st.caption("Check the model name or directory above, or leave it empty for the "
                   "bundled model.")

st.subheader("Data")
if os.environ.get("DATABASE_URL"):
    st.write("Database: `DATABASE_URL` (a shared server)")
st.write(f"Data directory: `{paths.data_dir()}`")
st.caption("Set INTERVIEW_DATA_DIR before starting the app to keep the data elsewhere.")
