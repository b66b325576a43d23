"""The answer recorder: a page-level widget over a small Streamlit component.

``st.audio_input`` cannot say when recording started or stop itself at a limit, so timed
formats use this recorder: plain HTML and JavaScript (``interview/web/recorder/``, shipped
inside the package, no network) around the browser's MediaRecorder. It shows an optional
read timer, records with "Record" / "Stop recording" buttons, counts the answer time from
the recorder's real start, warns before the limit, stops by itself at the limit, and sends
the take back once: the audio (WebM/Opus where the browser has it) and its timings.

With ``stream=True`` (audio only) it captures with Web Audio instead (an AudioWorklet,
``pcm-worklet.js``) and sends the answer *while it is being recorded*: every
``chunk_seconds`` a chunk of 16-bit little-endian mono PCM at 16 kHz, numbered from 0.
Streamlit keeps only a component's latest value, so each value carries every chunk the
server has not yet acknowledged (``acked``: the highest ``seq`` stored for that take); the
last value (``final``) adds the rest of the audio and the timings. The server passes back
``captions`` (the transcript so far and a pace line), which the component shows under its
buttons. A browser without AudioWorklet falls back to the whole-take MediaRecorder value.

:func:`recorder` returns a :class:`RecordedTake` the first time a whole take arrives, a
:class:`StreamUpdate` on every run while the value is a streamed one (the caller ignores
chunks it already has, by ``seq``) except a final update already handled, and None
otherwise (a component keeps its last value across reruns). What it returns goes to
``interview.practice`` like any recording, never to the database.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

import interview
from interview.errors import InterviewError

#: the component's files, installed with the package (package data)
BUILD_DIR = Path(interview.__file__).resolve().parent / "web" / "recorder"

_component = components.declare_component("answer_recorder", path=str(BUILD_DIR))

_EXTENSIONS = {"audio/webm": ".webm", "audio/ogg": ".ogg", "audio/mp4": ".m4a",
               "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav",
               "video/webm": ".webm", "video/mp4": ".mp4"}

_HANDLED = "recorder_handled_takes"

#: the streamed audio: 16-bit little-endian mono PCM at this rate (``stream=True``)
SAMPLE_RATE = 16000
#: the longest chunk accepted: 10 s of audio
MAX_CHUNK_BYTES = 10 * SAMPLE_RATE * 2
#: the most chunks one value may carry (800 s unacknowledged at the default 2 s chunks)
MAX_CHUNKS = 400
_TAKE_ID = re.compile(r"[0-9a-f]{32}")


class RecorderError(InterviewError, ValueError):
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


@dataclass(frozen=True)
class StreamChunk:
    """One piece of a streamed take, in order of ``seq`` (0, 1, 2, ...)."""

    seq: int
    #: 16-bit little-endian mono PCM at :data:`SAMPLE_RATE`
    pcm: bytes


@dataclass(frozen=True)
class StreamUpdate:
    """A streamed take so far: the chunks not yet acknowledged and, when ``final``, the end
    of the take with its timings."""

    #: 32 lowercase hex digits, new for each take
    take_id: str
    #: in ``seq`` order; may repeat chunks an earlier update carried (de-duplicate by ``seq``)
    chunks: tuple[StreamChunk, ...]
    #: recording has ended: these chunks finish the take
    final: bool
    #: when audio capture really started, UTC
    started_at: datetime | None
    read_seconds: float | None
    #: seconds from the start of recording to its end (final updates only)
    answer_seconds: float | None
    timed_out: bool
    warned: bool
    read_limit: float | None
    answer_limit: float | None
    #: ``recorder:KEY:TAKE_ID:final``: identifies the final update among those handled
    marker: str = ""

    @property
    def seconds(self) -> float:
        """The length of the audio in these chunks."""
        return sum(len(c.pcm) for c in self.chunks) / 2 / SAMPLE_RATE


def _number(value) -> float | None:
    """A non-negative finite number, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def _started(value) -> datetime | None:
    """When recording started, from the browser's epoch milliseconds (None if unusable)."""
    ms = _number(value)
    try:
        return datetime.fromtimestamp(ms / 1000, tz=timezone.utc) if ms is not None else None
    except (OverflowError, ValueError, OSError):
        return None


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
    started = _started(value.get("started_at_ms"))
    return RecordedTake(
        take_id=str(value.get("take_id") or ""), audio=audio, mime=mime, started_at=started,
        read_seconds=_number(value.get("read_seconds")),
        answer_seconds=_number(value.get("answer_seconds")),
        timed_out=bool(value.get("timed_out")), warned=bool(value.get("warned")),
        read_limit=_number(value.get("read_limit")),
        answer_limit=_number(value.get("answer_limit")),
    )


def parse_stream(value: dict) -> StreamUpdate:
    """A streamed value (``mode: "stream"``) as a :class:`StreamUpdate`; RecorderError (one
    line saying what is wrong) if it is unusable."""
    if not isinstance(value, dict):
        raise RecorderError("the recorder sent something that is not a recording; record again")
    if value.get("format") != "pcm_s16le":
        raise RecorderError(f"the recorder streamed {str(value.get('format'))[:40]!r} audio, "
                            "not 16-bit PCM; record again")
    rate = value.get("sample_rate")
    if isinstance(rate, bool) or rate != SAMPLE_RATE:
        raise RecorderError(f"the recorder streamed audio at {str(rate)[:20]} Hz, not "
                            f"{SAMPLE_RATE} Hz; record again")
    take_id = value.get("take_id")
    if not isinstance(take_id, str) or not _TAKE_ID.fullmatch(take_id):
        raise RecorderError("the streamed take has no valid take id; record again")
    raw = value.get("chunks")
    if not isinstance(raw, list):
        raise RecorderError("the streamed take has no list of chunks; record again")
    if len(raw) > MAX_CHUNKS:
        raise RecorderError(f"the streamed take sent {len(raw)} chunks at once (at most "
                            f"{MAX_CHUNKS}); record again")
    chunks: list[StreamChunk] = []
    for item in raw:
        seq = item.get("seq") if isinstance(item, dict) else None
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
            raise RecorderError("a streamed chunk has no valid sequence number; record again")
        if chunks and seq <= chunks[-1].seq:
            raise RecorderError(f"streamed chunk {seq} arrived out of order (after "
                                f"{chunks[-1].seq}); record again")
        b64 = item.get("b64")
        if not isinstance(b64, str):
            raise RecorderError(f"streamed chunk {seq} has no audio; record again")
        if len(b64) > (MAX_CHUNK_BYTES + 2) // 3 * 4 + 4:
            raise RecorderError(f"streamed chunk {seq} is longer than 10 s of audio; "
                                "record again")
        try:
            pcm = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise RecorderError(f"streamed chunk {seq} arrived damaged (not base64); "
                                "record again") from None
        if len(pcm) % 2:
            raise RecorderError(f"streamed chunk {seq} has an odd number of bytes (not 16-bit "
                                "PCM); record again")
        if len(pcm) > MAX_CHUNK_BYTES:
            raise RecorderError(f"streamed chunk {seq} is longer than 10 s of audio; "
                                "record again")
        chunks.append(StreamChunk(seq=seq, pcm=pcm))
    final = value.get("final") is True
    started = _started(value.get("started_at_ms"))
    return StreamUpdate(
        take_id=take_id, chunks=tuple(chunks), final=final, started_at=started,
        read_seconds=_number(value.get("read_seconds")),
        answer_seconds=_number(value.get("answer_seconds")) if final else None,
        timed_out=final and bool(value.get("timed_out")), warned=bool(value.get("warned")),
        read_limit=_number(value.get("read_limit")),
        answer_limit=_number(value.get("answer_limit")),
        marker=f"recorder:{value.get('take_key')}:{take_id}:final",
    )


def recorder(key: str, *, read_seconds: float | None = None,
             answer_seconds: float | None = None, warning_seconds: float | None = None,
             auto_start: bool = False, label: str = "Record your answer",
             disabled: bool = False, handled: set | None = None,
             video: bool = False, stream: bool = False, chunk_seconds: float = 2.0,
             acked: dict | None = None, captions: dict | None = None,
             show_captions: bool = True) -> RecordedTake | StreamUpdate | None:
    """Draw the recorder; a :class:`RecordedTake` once per new take, a :class:`StreamUpdate`
    on every run while a streamed take is the value (see below), else None.

    ``key`` identifies one take (change it for a fresh recorder). ``read_seconds``: a read
    timer before recording (``auto_start`` starts recording when it ends).
    ``answer_seconds``: the answer time limit (recording stops by itself there);
    ``warning_seconds``: show a warning that long before the limit.
    ``handled``: the caller's set of takes already stored; a take whose ``marker`` is in it
    is not returned again, and the caller adds the marker once the take is saved (so that a
    rerun between the two never drops a take). Without it, a take is marked handled here,
    as it is returned.
    ``video``: record the camera with the microphone (WebM video; a preview shows while
    recording; ``stream`` is ignored then).
    ``stream``: send the answer while it is recorded, a chunk of 16 kHz PCM every
    ``chunk_seconds``; each run while the value is streamed returns a :class:`StreamUpdate`
    with every chunk not yet acknowledged (the caller keeps each ``seq`` once). Pass back
    ``acked={"take_id": ..., "seq": N}``, the highest ``seq`` stored for that take, so the
    browser stops resending those chunks, and ``captions={"text", "words", "wpm",
    "fillers"}`` (or None) to show the transcript so far and the pace under the buttons
    (``show_captions=False`` hides them). The final update (``final``) is handed out until
    its ``marker`` is in ``handled`` (the caller adds it once the take is finished); without
    ``handled`` it is handed out once. A browser that cannot stream sends a whole take
    (a :class:`RecordedTake`) instead.
    Raises :class:`RecorderError` for a take that cannot be used."""
    value = _component(take_key=key, read_seconds=read_seconds, answer_seconds=answer_seconds,
                       warning_seconds=warning_seconds, auto_start=auto_start, label=label,
                       disabled=disabled, video=video, stream=bool(stream) and not video,
                       chunk_seconds=float(chunk_seconds), acked=acked, captions=captions,
                       show_captions=bool(show_captions), key=f"recorder:{key}", default=None)
    if not value:
        return None
    mark_here = handled is None
    if handled is None:
        handled = st.session_state.setdefault(_HANDLED, set())
    if isinstance(value, dict) and value.get("mode") == "stream":
        update = parse_stream(value)
        update = dataclasses.replace(update, marker=f"recorder:{key}:{update.take_id}:final")
        if update.final:
            if update.marker in handled:
                return None
            if mark_here:
                handled.add(update.marker)
        return update
    marker = f"recorder:{key}:{value.get('take_id') if isinstance(value, dict) else value!r}"
    if marker in handled:
        return None
    if mark_here:
        handled.add(marker)
    return dataclasses.replace(parse_take(value), marker=marker)
