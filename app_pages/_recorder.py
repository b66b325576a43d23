"""The answer recorder: a page-level widget over a small Streamlit component.

``st.audio_input`` cannot say when recording started or stop itself at a limit, so timed
formats use this recorder: plain HTML and JavaScript (``interview/web/recorder/``, shipped
inside the package, no network) around the browser's MediaRecorder. It shows an optional
read timer, records with "Record" / "Stop recording" buttons, counts the answer time from
the recorder's real start, warns before the limit, stops by itself at the limit, and sends
the take back once: the audio (WebM/Opus where the browser has it) and its timings.

:func:`recorder` returns a :class:`RecordedTake` the first time a take arrives and None
otherwise (a component keeps its last value across reruns; each take is handed out once).
What it returns goes to ``interview.practice`` like any recording, never to the database.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

import interview

#: the component's files, installed with the package (package data)
BUILD_DIR = Path(interview.__file__).resolve().parent / "web" / "recorder"

_component = components.declare_component("answer_recorder", path=str(BUILD_DIR))

_EXTENSIONS = {"audio/webm": ".webm", "audio/ogg": ".ogg", "audio/mp4": ".m4a",
               "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav",
               "video/webm": ".webm", "video/mp4": ".mp4"}

_HANDLED = "recorder_handled_takes"


class RecorderError(ValueError):
    """A take that arrived but cannot be used (not audio, empty, malformed)."""


@dataclass(frozen=True)
class RecordedTake:
    """One take from the recorder: the audio and when and how long it was recorded."""

    take_id: str
    audio: bytes
    mime: str
    #: when recording really started (the MediaRecorder's start event), UTC
    started_at: datetime | None
    #: seconds from the question appearing to the start of recording
    read_seconds: float | None
    #: seconds from the start of recording to its end
    answer_seconds: float | None
    #: the recorder stopped itself at the answer time limit
    timed_out: bool
    #: the warning before the limit was shown
    warned: bool = False
    read_limit: float | None = None
    answer_limit: float | None = None
    #: identifies this take among those already handled (see :func:`recorder`'s ``handled``)
    marker: str = ""

    @property
    def has_video(self) -> bool:
        """A video answer (camera and microphone), recorded with ``recorder(video=True)``."""
        return self.mime.lower().startswith("video/")

    @property
    def filename(self) -> str:
        """A file name whose extension names the container (for storage and decoding)."""
        return "recording" + _EXTENSIONS.get(self.mime.split(";")[0].strip().lower(), ".webm")


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value >= 0 else None


def parse_take(value: dict) -> RecordedTake:
    """The component's value as a :class:`RecordedTake`; RecorderError if it is unusable."""
    if not isinstance(value, dict):
        raise RecorderError("the recorder sent something that is not a recording; record again")
    mime = str(value.get("mime") or "audio/webm")
    if not mime.lower().startswith(("audio/", "video/")):
        raise RecorderError(f"the recorder sent {mime!r}, not audio or video; record again")
    try:
        audio = base64.b64decode(value.get("audio_b64") or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise RecorderError("the recording arrived damaged (not base64); record again") from None
    if not audio:
        raise RecorderError("the recording is empty: check the microphone and record again")
    started_ms = _number(value.get("started_at_ms"))
    started = (datetime.fromtimestamp(started_ms / 1000, tz=timezone.utc)
               if started_ms is not None else None)
    return RecordedTake(
        take_id=str(value.get("take_id") or ""), audio=audio, mime=mime, started_at=started,
        read_seconds=_number(value.get("read_seconds")),
        answer_seconds=_number(value.get("answer_seconds")),
        timed_out=bool(value.get("timed_out")), warned=bool(value.get("warned")),
        read_limit=_number(value.get("read_limit")),
        answer_limit=_number(value.get("answer_limit")),
    )


def recorder(key: str, *, read_seconds: float | None = None,
             answer_seconds: float | None = None, warning_seconds: float | None = None,
             auto_start: bool = False, label: str = "Record your answer",
             disabled: bool = False, handled: set | None = None,
             video: bool = False) -> RecordedTake | None:
    """Draw the recorder; a :class:`RecordedTake` once per new take, else None.

    ``key`` identifies one take (change it for a fresh recorder). ``read_seconds``: a read
    timer before recording (``auto_start`` starts recording when it ends).
    ``answer_seconds``: the answer time limit (recording stops by itself there);
    ``warning_seconds``: show a warning that long before the limit.
    ``handled``: the caller's set of takes already stored; a take whose ``marker`` is in it
    is not returned again, and the caller adds the marker once the take is saved (so that a
    rerun between the two never drops a take). Without it, a take is marked handled here,
    as it is returned.
    ``video``: record the camera with the microphone (WebM video; a preview shows while
    recording).
    Raises :class:`RecorderError` for a take that cannot be used."""
    value = _component(take_key=key, read_seconds=read_seconds, answer_seconds=answer_seconds,
                       warning_seconds=warning_seconds, auto_start=auto_start, label=label,
                       disabled=disabled, video=video, key=f"recorder:{key}", default=None)
    if not value:
        return None
    mark_here = handled is None
    if handled is None:
        handled = st.session_state.setdefault(_HANDLED, set())
    marker = f"recorder:{key}:{value.get('take_id') if isinstance(value, dict) else value!r}"
    if marker in handled:
        return None
    if mark_here:
        handled.add(marker)
    return dataclasses.replace(parse_take(value), marker=marker)
