"""Settings: speech model and backend, where the data lives, longest recording, and (for
admins on a shared server) which coach each applicant has.

The longest recording and verbatim mode are each user's own: kept in ``st.session_state``
and passed with every answer to the pipeline, so that on a shared server one user's choice
never changes another's. The speech model (loaded once per process, so everyone's) and, on a
single-user install, the defaults for new sessions are saved in ``settings.json``; on a
shared server only an admin may change them.
"""

from __future__ import annotations

import os

import streamlit as st

from app_pages import _access, _ui
from interview import paths
from interview.errors import InterviewError

st.title("Settings")

access = _access.current()
current = _ui.settings()
shared = access.shared
#: settings that affect everyone: the single local user, or an admin on a shared server
may_change_global = access.admin

with st.form("settings"):
    backend = st.selectbox(
        "Transcription backend", _ui.BACKENDS, index=_ui.BACKENDS.index(current.backend)
        if current.backend in _ui.BACKENDS else 0, disabled=not may_change_global,
        key="settings_backend",
        help="Both run the bundled tiny.en on this machine. faster-whisper is the fast default; "
        "openai-whisper (the reference implementation, several times slower) needs the optional "
        "extra (pip install '.[openai-whisper]') and converts the bundled model for itself on "
        "first use (a few seconds, kept in the data directory).",
    )
    model = st.text_input(
        "Model (size name or directory)", value=current.model, disabled=not may_change_global,
        key="settings_model",
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
    live_captions = st.checkbox(
        "Live captions while recording", value=current.live_captions,
        key="settings_live_captions",
        help="Your words and your pace (words per minute, fillers) appear under the question "
        "while you answer in the browser. Turn them off if they distract you; they are off by "
        "default in the timed SVI and MMI formats, as on the day. Each session can still turn "
        "them on or off.")
    video_answers = st.checkbox(
        "Record video answers (camera and microphone)", value=current.video_answers,
        key="settings_video_answers",
        help="Off by default. Video answers are saved like audio takes, on this computer, and "
        "give eye contact and framing figures (with the optional video extra: pip install "
        "'.[video]'). Each session can still turn it on or off.")
    retention_modes = {"keep": "Keep them", "after_scoring": "Delete each once it is scored",
                       "days": "Delete them after a number of days"}
    retention = st.selectbox(
        "Keep answer videos", list(retention_modes), format_func=retention_modes.get,
        index=list(retention_modes).index(current.video_retention)
        if current.video_retention in retention_modes else 0,
        disabled=not may_change_global, key="settings_video_retention",
        help="Videos are large and personal. Deleting one keeps its transcript, scores and "
        "eye-contact and framing figures. Also on the command line: `interview videos prune`.")
    retention_days = st.number_input(
        "Days to keep answer videos (when deleting after a number of days)", min_value=1,
        max_value=3650, step=1, value=max(1, int(current.video_retention_days or 30)),
        disabled=not may_change_global, key="settings_video_retention_days")
    if shared:
        st.caption("The speech model is shared by everyone using this app"
                   + ("" if may_change_global else " and only an admin can change it")
                   + "; the longest recording and verbatim mode are yours only.")
        st.caption("How long answer videos are kept is set for everyone"
                   + ("." if may_change_global else " by an admin."))
    saved = st.form_submit_button("Save settings", type="primary")

if saved:
    _ui.set_user_settings(max_seconds=int(max_seconds), verbatim=verbatim, voice=voice,
                          video_answers=video_answers, live_captions=live_captions)
    if may_change_global:  # the speech model is everyone's: admins (or the local user) only
        defaults = _ui.AppSettings.load()
        defaults.backend, defaults.model = backend, model.strip()
        defaults.video_retention = retention
        defaults.video_retention_days = int(retention_days)
        if not shared:  # a single user: keep these as the defaults for the next start too
            defaults.max_seconds, defaults.verbatim = int(max_seconds), verbatim
            defaults.voice = voice
            defaults.video_answers = video_answers
            defaults.live_captions = live_captions
        defaults.save()
        st.success("Settings saved. The model loads again on the next answer if it changed.")
        if retention != "keep":  # videos already due go now
            from interview.practice import prune_videos

            gone = [v for v in prune_videos(access.store) if v.deleted]
            if gone:
                st.info(f"{len(gone)} answer video(s) deleted; their figures are kept.")
        _ui.start_model_loading()
    else:
        st.success("Your settings are saved for this browser session.")

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

if shared and access.admin:
    st.subheader("Applicants and coaches")
    st.caption("A coach sees the sessions of the applicants assigned to them; applicants see "
               "their own. Also on the command line: `interview applicants assign`.")
    people = access.store.list_applicants()
    if not people:
        st.info("No applicants yet: they appear here after their first practice session.")
    else:
        st.dataframe([{"Applicant": a.name, "Login email": a.email or "",
                       "Coach": a.coach_email or ""} for a in people],
                     hide_index=True, width="stretch")
        by_id = {a.id: a for a in people}
        with st.form("assign_coach", clear_on_submit=True):
            who = st.selectbox("Applicant", list(by_id), key="assign_applicant",
                               format_func=lambda i: by_id[i].name
                               + (f" ({by_id[i].email})" if by_id[i].email else ""))
            coach = st.text_input("Coach's login email (empty: no coach)", key="assign_coach")
            if st.form_submit_button("Assign", key="assign_submit"):
                try:
                    rec = access.store.assign_coach(who, coach)
                except InterviewError as exc:
                    _ui.show_error(exc, "Not assigned")
                else:
                    st.success(f"{_ui.plain(rec.name)}: coach "
                               f"{_ui.plain(rec.coach_email or 'none')}.")

if may_change_global:  # where the data lives is the server owner's business
    st.subheader("Data")
    if os.environ.get("DATABASE_URL"):
        st.write("Database: `DATABASE_URL` (a shared server)")
    st.write(f"Data directory: `{paths.data_dir()}`")
    st.caption("Set INTERVIEW_DATA_DIR before starting the app to keep the data elsewhere.")
