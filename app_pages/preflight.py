"""Pre-flight check: record five seconds, see the level, hear it back.

A good virtual interview starts with a microphone that works: this page records a short
clip in the browser, shows its peak and average (RMS) level in dBFS, warns about silence
or clipping, and plays it back.
"""

from __future__ import annotations

import streamlit as st

from app_pages import _ui

st.title("Pre-flight check")
st.write(
    "Say a sentence or two in your interview voice for about **five seconds**, as you "
    "would on the day: same room, same microphone, same distance."
)

clip_bytes = st.audio_input("Record about 5 seconds", key="preflight_audio")
if clip_bytes is None:
    st.info("Press the microphone button, speak for about five seconds, then press stop.")
    st.stop()

data = clip_bytes.getvalue()
st.audio(data, format="audio/wav")

from interview import audio  # noqa: E402  (import only when there is something to check)

try:
    clip = audio.load_audio(data, max_seconds=_ui.settings().max_seconds, check_speech=False)
except Exception as exc:  # noqa: BLE001 - shown to the user, with what to do
    _ui.show_error(exc, "This recording cannot be used")
    st.write("Check that the right microphone is selected in your browser and not muted, "
             "then record again.")
    st.stop()

speech_problem = None
try:
    audio.analyse(clip.samples, name="your recording", check_speech=True)
except Exception as exc:  # noqa: BLE001 - an AudioError saying "no speech detected"
    speech_problem = str(exc)
level = _ui.level_report(clip, speech_problem)
c1, c2, c3 = st.columns(3)
c1.metric("Peak level", level.peak_label)
c2.metric("Average level (RMS)", level.rms_label)
c3.metric("Length", f"{clip.duration:.1f} s")

for problem in level.problems:
    st.warning(problem, icon=":material/warning:")
if not level.problems:
    st.success("Your microphone sounds good: clear level, no clipping.", icon=":material/check:")
if clip.duration < 3:
    st.info("That was short; five seconds gives a better reading.")
