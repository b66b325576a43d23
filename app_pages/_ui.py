"""Shared pieces of the Streamlit app: settings, cached resources and feedback rendering.

Every page imports this module. It keeps Streamlit-specific code out of ``interview/``:
the core returns plain records (scores, metrics, summaries) and this module shows them.

Cached resources:

* :func:`open_store` opens the database once per data directory / ``DATABASE_URL`` (for
  the guard in ``_access.py`` only: pages get a store bound to their viewer from it).
* :func:`start_model_loading` begins loading the Whisper model in a background thread
  (so the first page appears at once); :func:`get_transcriber` waits for it with a visible
  status the first time an answer needs transcribing.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import streamlit as st

from interview import paths
from interview.errors import InterviewError

_LOG = logging.getLogger("interview.app")

# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------

BACKENDS = ("faster-whisper", "openai-whisper")


@dataclass
class AppSettings:
    """The Settings page's choices. ``settings.json`` in the data dir keeps the defaults
    (and the speech model, which is loaded once per process for everyone); the longest
    recording and verbatim mode are each user's own (:data:`USER_FIELDS`, kept in
    ``st.session_state``) and are passed to the pipeline with every answer."""

    #: transcription backend
    backend: str = "faster-whisper"
    #: model size name (from the local cache) or a model directory; empty = the bundled default
    model: str = ""
    #: longest recording accepted, in seconds
    max_seconds: int = 600
    #: keep filler words in the transcript (verbatim mode)
    verbatim: bool = True
    #: read questions aloud (with a voice on this computer) in the interview formats
    voice: bool = True
    #: record answers with the camera too (video answers); audio only by default
    video_answers: bool = False
    #: live captions and pace meter while recording (never in the SVI / MMI formats unless
    #: turned on in the session)
    live_captions: bool = True
    #: keep answer videos: "keep", "after_scoring" or "days" (everyone's: admins only)
    video_retention: str = "keep"
    #: for "days": delete a video this many days after recording
    video_retention_days: int = 30

    @classmethod
    def path(cls) -> Path:
        return paths.data_dir() / "settings.json"

    @classmethod
    def load(cls) -> "AppSettings":
        """The saved settings; defaults where the file is missing or unreadable."""
        try:
            raw = json.loads(cls.path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in raw.items() if k in known})
        except TypeError:
            return cls()

    def save(self) -> None:
        self.path().write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")


#: settings each user chooses for themselves (this browser session), never process-wide
USER_FIELDS = ("max_seconds", "verbatim", "voice", "video_answers", "live_captions")
_USER_STATE = "user_settings"


def settings() -> AppSettings:
    """The settings in effect for this user: the saved defaults with this browser session's
    own longest recording and verbatim mode on top."""
    saved = AppSettings.load()
    try:
        mine = st.session_state.get(_USER_STATE) or {}
    except Exception:  # noqa: BLE001 - outside a script run (no session): the defaults
        mine = {}
    return replace(saved, **{k: v for k, v in mine.items() if k in USER_FIELDS})


def set_user_settings(*, max_seconds: int, verbatim: bool, voice: bool | None = None,
                      video_answers: bool | None = None,
                      live_captions: bool | None = None) -> None:
    """This user's longest recording, verbatim mode and interviewer's voice (other users
    keep their own)."""
    mine = {"max_seconds": int(max_seconds), "verbatim": bool(verbatim)}
    if voice is not None:
        mine["voice"] = bool(voice)
    if video_answers is not None:
        mine["video_answers"] = bool(video_answers)
    if live_captions is not None:
        mine["live_captions"] = bool(live_captions)
    st.session_state[_USER_STATE] = mine


def shared_server() -> bool:
    """Whether several people use this app (shared mode, see ``app_pages/_access.py``):
    then one user's choices must not become everyone's defaults."""
    from app_pages import _access

    return _access.shared()


def apply_video_retention_once(store) -> None:
    """Apply the "Keep answer videos" setting once per browser session (on app start), to
    the videos this viewer's store may reach; never fails the page."""
    if st.session_state.get("_video_retention_applied"):
        return
    st.session_state["_video_retention_applied"] = True
    from interview.practice import apply_video_retention

    apply_video_retention(store)


def answer_options() -> dict:
    """The per-answer pipeline options from this user's settings, for
    ``interview.practice.submit_answer`` / ``retry_answer``."""
    s = settings()
    return {"max_seconds": float(s.max_seconds), "verbatim": bool(s.verbatim)}


# ---------------------------------------------------------------------------------------------
# Cached resources: the store and the transcriber
# ---------------------------------------------------------------------------------------------


def _store_key() -> str:
    """Where the store lives; part of the cache key so a new data dir gets a new store."""
    return os.environ.get("DATABASE_URL") or str(paths.data_dir())


@st.cache_resource(show_spinner=False)
def _open_store(key: str):
    from interview.storage import Store

    return Store.open()


def open_store():
    """The application's unscoped :class:`interview.storage.Store` (opened once per
    location). Pages never call this: they get the store bound to their viewer from
    ``app_pages._access.current()``."""
    return _open_store(_store_key())


_LOADER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whisper-load")


def _load_transcriber(backend: str, model: str | None):
    from interview.transcribe import get_transcriber as _get

    return _get(backend=backend, model=model or None)


#: (backend, model) pairs whose load has started in this process
_STARTED: set[tuple[str, str]] = set()


@st.cache_resource(show_spinner=False)
def _model_future(backend: str, model: str) -> Future:
    """A background load of one model; cached, so each model loads once per process."""
    _STARTED.add((backend, model))
    return _LOADER.submit(_load_transcriber, backend, model)


def start_model_loading() -> None:
    """Begin loading the configured model in the background (returns at once).
    ``INTERVIEW_NO_PRELOAD=1`` leaves it to the first answer (tests)."""
    if os.environ.get("INTERVIEW_NO_PRELOAD"):
        return
    s = settings()
    _model_future(s.backend, s.model)


def model_state() -> str:
    """'loading', 'ready', 'failed' or 'idle' (not started) for the configured model."""
    s = settings()
    if (s.backend, s.model) not in _STARTED:
        return "idle"
    fut = _model_future(s.backend, s.model)
    if not fut.done():
        return "loading"
    return "failed" if fut.exception() else "ready"


def get_transcriber():
    """The configured transcriber, waiting with a visible status while it loads.

    Raises the loader's :class:`InterviewError` (e.g. a missing model) and forgets the
    failed load, so that fixing the setting and retrying loads again.
    """
    s = settings()
    fut = _model_future(s.backend, s.model)
    if not fut.done():
        with st.status("Loading the speech model (first use only)...", expanded=False) as status:
            fut.result()
            status.update(label="Speech model ready", state="complete")
    exc = fut.exception()
    if exc is not None:
        _model_future.clear()
        _STARTED.discard((s.backend, s.model))
        raise exc
    return fut.result()


def answer_transcriber():
    """The transcriber for the practice pipeline (the user's options go with each call,
    see :func:`answer_options`). If the model cannot be loaded, a stand-in that fails with
    the loader's message is returned instead, so that the pipeline still saves the
    recording first and stores the failure for a Retry."""
    try:
        return get_transcriber()
    except InterviewError as exc:
        return FailingTranscriber(exc)


def sidebar_status() -> None:
    """A small line in the sidebar: where the data is, whether the model is ready."""
    with st.sidebar:
        state = model_state()
        label = {"loading": "Speech model: loading in the background...",
                 "ready": "Speech model: ready", "failed": "Speech model: failed to load "
                 "(see Settings)", "idle": "Speech model: loads on first answer"}[state]
        st.caption(label)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def show_error(exc: BaseException, what: str = "") -> None:
    """An error the user can act on, in one red box (no traceback for InterviewError)."""
    prefix = f"{what}: " if what else ""
    if isinstance(exc, InterviewError):
        st.error(f"{prefix}{exc}", icon=":material/error:")
    else:
        # the details (paths, queries, data) go to the server's log, never to the browser
        _LOG.error("%s", what or "unexpected error", exc_info=exc)
        st.error(f"{prefix}an unexpected error occurred; the details are in the server's log.",
                 icon=":material/error:")


_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: Any) -> str:
    """Typed text (names, programs, emails) for Markdown-rendering widgets, shown exactly as
    typed: every ASCII punctuation character is backslash-escaped, so no link, image,
    emphasis, HTML, ``:color[...]`` directive or autolink can come out of it; line breaks
    become spaces."""
    flat = " ".join(str(text or "").split())
    return _MD_PUNCT.sub(r"\\\1", flat)


def dbfs(value: float) -> float:
    """A linear amplitude (0..1) in dB relative to full scale; -inf for silence."""
    return 20 * math.log10(value) if value > 0 else float("-inf")


def fmt_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def get(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute or key access, so pages work with records and with their dict forms."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


# ---------------------------------------------------------------------------------------------
# Microphone level (pre-flight check)
# ---------------------------------------------------------------------------------------------

#: below this average level the recording is effectively silent
SILENCE_RMS_DBFS = -50.0
#: below this average level speech will be hard to transcribe
QUIET_RMS_DBFS = -35.0
#: a share of samples at full scale above this means clipping
CLIPPED_FRACTION = 0.001


@dataclass
class LevelReport:
    peak_dbfs: float
    rms_dbfs: float
    problems: list[str]

    @property
    def peak_label(self) -> str:
        return "silent" if math.isinf(self.peak_dbfs) else f"{self.peak_dbfs:.1f} dBFS"

    @property
    def rms_label(self) -> str:
        return "silent" if math.isinf(self.rms_dbfs) else f"{self.rms_dbfs:.1f} dBFS"


def level_report(clip, speech_problem: str | None = None) -> LevelReport:
    """Peak and RMS in dBFS and the problems worth telling the applicant about.

    ``clip`` is an :class:`interview.audio.AudioClip` (its warnings already cover clipping);
    ``speech_problem`` the message of a failed speech check ("no speech detected ...")."""
    peak = dbfs(float(get(clip, "peak", 0.0)))
    rms = dbfs(float(get(clip, "rms", 0.0)))
    problems: list[str] = []
    if speech_problem:
        problems.append(speech_problem[:1].upper() + speech_problem[1:])
    elif rms < SILENCE_RMS_DBFS:
        problems.append("Almost nothing was heard (silence). Check that the right microphone "
                        "is selected and not muted, then record again.")
    elif rms < QUIET_RMS_DBFS:
        problems.append("The level is low: move closer to the microphone or raise its input "
                        "volume.")
    clipped = float(get(clip, "clipped_fraction", 0.0) or 0.0) > CLIPPED_FRACTION
    warnings = [str(w) for w in (get(clip, "warnings", []) or [])]
    if clipped and not any("clip" in w for w in warnings):
        problems.append("The recording clips (too loud): move back from the microphone or "
                        "lower its input volume.")
    problems.extend(w[:1].upper() + w[1:] for w in warnings)
    return LevelReport(peak, rms, problems)


# ---------------------------------------------------------------------------------------------
# Feedback on one answer
# ---------------------------------------------------------------------------------------------


def _band_colour(score: float) -> str:
    return "green" if score >= 4 else ("orange" if score >= 3 else "red")


def render_transcript(text: str, evidence: list) -> None:
    """The transcript with fillers and local-system terms highlighted, plus the legend."""
    from interview import highlight

    st.markdown(highlight.highlight_html(text, evidence), unsafe_allow_html=True)
    st.markdown(highlight.legend_html(), unsafe_allow_html=True)


def all_evidence(score: dict) -> list[dict]:
    """Every criterion's evidence (dicts), for highlighting the transcript."""
    return [ev for crit in score.get("criteria", []) for ev in crit.get("evidence", [])]


def render_scores(score: dict, answer=None) -> None:
    """Each criterion with its score, band, evidence and tips (and a coach's override)."""
    for crit in score.get("criteria", []):
        if crit.get("score") is None:  # a criterion this question does not assess
            st.markdown(f"**{crit.get('name', crit.get('id'))}**: not assessed"
                        + (f" · {crit['band_description']}" if crit.get("band_description") else ""))
            continue
        value = float(crit.get("score", 0))
        override = answer.override(crit.get("id")) if answer is not None and hasattr(
            answer, "override") else None
        shown = float(override.score) if override is not None else value
        colour = _band_colour(shown)
        title = (f"**{crit.get('name', crit.get('id'))}**: :{colour}[{shown:.1f} / 5]"
                 + (f" · {crit['band']}" if crit.get("band") else ""))
        if override is not None:
            title += f" (coach; automatic {value:.1f})"
        with st.expander(title, expanded=shown < 3):
            if override is not None:
                st.caption(f"Coach's override: {plain(override.reason)}")
            if crit.get("band_description"):
                st.caption(crit["band_description"])
            quotes = [ev for ev in crit.get("evidence", []) if ev.get("kind") != "filler"]
            if quotes:
                st.markdown("Evidence: " + "; ".join(
                    f"*\u201c{ev.get('text', '')}\u201d*"
                    + (f" ({ev['label']})" if ev.get("label") else "")
                    for ev in quotes[:8]))
            fillers = [ev for ev in crit.get("evidence", []) if ev.get("kind") == "filler"]
            if fillers:
                st.caption(f"{len(fillers)} filler words highlighted in your answer.")
            for tip in crit.get("tips", []):
                st.markdown(f"- {tip}")


def render_delivery(metrics: dict, suggested_seconds: int | None = None) -> None:
    """Speaking rate, fillers per minute, longest pause and length against the suggested time.

    ``metrics`` is ``DeliveryMetrics.to_dict()``; typed answers have no timing, so their
    rate and pauses show as "-" and their length is estimated from the word count."""
    c1, c2, c3, c4 = st.columns(4)
    wpm = metrics.get("words_per_minute")
    c1.metric("Speaking rate", f"{wpm:.0f} wpm" if wpm else "-",
              help="About 130-160 words per minute is easy to follow.")
    fpm = metrics.get("filler_per_minute")
    c2.metric("Fillers per minute", f"{fpm:.1f}" if fpm is not None else "-",
              help=f"{metrics.get('filler_count', 0)} filler words in all")
    pause = metrics.get("longest_pause")
    c3.metric("Longest pause", f"{pause:.1f} s" if pause is not None else "-")
    length = metrics.get("length_seconds") or metrics.get("duration")
    suggested = metrics.get("suggested_seconds") or suggested_seconds
    verdict = metrics.get("length_verdict")
    if length:
        label = fmt_seconds(length) + (" (est.)" if metrics.get("length_estimated") else "")
        c4.metric("Length", label)
        if suggested:
            verdict_text = {"short": "shorter than", "long": "longer than",
                            "ok": "about right for"}.get(verdict or "", "against")
            c4.caption(f"{verdict_text} the suggested {fmt_seconds(suggested)}")
    else:
        c4.metric("Length", f"{metrics.get('word_count', 0)} words")
    presence = metrics.get("presence")
    if presence:  # a video answer: eye contact, framing and the look-away timeline
        from app_pages._presence import show_presence
        from interview.presence import PresenceReport

        st.markdown("##### On camera")
        digest = hash(json.dumps(presence, sort_keys=True, default=str))
        show_presence(PresenceReport.from_dict(presence), key=f"presence:{digest}")


def render_timing(answer) -> None:
    """The take's timers (read time used, answer time from the start of recording), if timed."""
    from interview.reports import answer_timing, timing_text

    text = timing_text(answer_timing(answer))
    if text:
        st.caption(f"Timing: {text}.")


#: said where a video the retention setting deleted would have been shown
VIDEO_DELETED = ("The video of this answer was deleted (Settings: Keep answer videos); its "
                 "transcript and figures are kept.")


def render_answer_feedback(store, answer) -> None:
    """Everything an applicant learns from one scored answer (an ``AnswerRecord``)."""
    scores = answer.scores or {}
    metrics = answer.metrics or {}
    text = answer.text or ""
    overall = answer.final_overall if hasattr(answer, "final_overall") else answer.overall
    head = st.columns([1, 3])
    if overall is not None:
        head[0].metric("Overall", f"{float(overall):.1f} / 5")
    if "off_topic" in (scores.get("flags") or []):
        st.warning("This answer does not address the question that was asked, so its overall "
                   "is capped. See the Relevance tip below.")
    if answer.audio_path:
        path = store.audio_file(answer)
        if path is not None and path.is_file():
            if metrics.get("presence"):  # a video answer
                head[1].video(str(path))
            else:
                head[1].audio(str(path))
    elif metrics.get("video_deleted"):
        head[1].caption(VIDEO_DELETED)
    elif answer.source == "typed":
        head[1].caption("Typed answer: delivery figures that need timing are not available.")

    st.markdown("#### Your answer")
    try:
        render_transcript(text, all_evidence(scores))
    except Exception:  # noqa: BLE001 - never lose the transcript over a highlighting problem
        st.write(text)

    st.markdown("#### Delivery")
    render_delivery(metrics, answer.suggested_seconds)
    render_timing(answer)

    st.markdown("#### Scores")
    render_scores(scores, answer)

    if answer.look_for:
        st.markdown("#### What interviewers look for")
        st.info(answer.look_for, icon=":material/lightbulb:")


def render_attempts(attempts: list) -> None:
    """Earlier attempts at the same question (all kept), newest last."""
    with st.expander(f"All attempts at this question ({len(attempts)})"):
        for a in attempts:
            when = a.created_at.strftime("%Y-%m-%d %H:%M") if a.created_at else ""
            score = f"{a.overall:.1f} / 5" if a.overall is not None else a.status
            st.markdown(f"**Attempt {a.attempt}** · {when} · {score}")
            if a.text:
                st.caption(a.text[:300] + ("..." if len(a.text) > 300 else ""))


class FailingTranscriber:
    """Stands in for a transcriber that could not be loaded, so that the pipeline still saves
    the recording first and stores the failure (with the loader's message) for a retry."""

    def __init__(self, exc: BaseException):
        self.exc = exc

    def transcribe(self, *args, **kwargs):
        raise self.exc


class _Progress:
    """Transcription progress inside an ``st.status`` box, fed segment by segment."""

    def __init__(self, status, duration: float | None):
        self.status = status
        self.duration = duration
        self.bar = status.progress(0.0, text="Transcribing...")

    def on_segment(self, segment) -> None:
        end = float(getattr(segment, "end", 0.0) or 0.0)
        if self.duration:
            frac = max(0.0, min(end / self.duration, 1.0))
            self.bar.progress(frac, text=f"Transcribed {fmt_seconds(end)} of "
                                         f"{fmt_seconds(self.duration)}")
        else:
            self.bar.progress(0.5, text=f"Transcribed {fmt_seconds(end)}")
        self.status.write(str(getattr(segment, "text", "")).strip())

    def done(self, answer) -> None:
        if getattr(answer, "status", "") == "scored":
            self.bar.progress(1.0, text="Done")
            self.status.update(label="Answer transcribed and scored", state="complete")
        else:
            self.status.update(label="The answer was saved, but could not be processed",
                               state="error")


class progress_status:
    """``with progress_status(label) as p: ... on_segment=p.on_segment ... p.done(answer)``."""

    def __init__(self, label: str, duration: float | None = None):
        self.label = label
        self.duration = duration

    def __enter__(self) -> _Progress:
        self._status = st.status(self.label, expanded=True)
        self._status.__enter__()
        return _Progress(self._status, self.duration)

    def __exit__(self, *exc) -> None:
        self._status.__exit__(*exc)


def audio_duration(data: bytes, max_seconds: float | None = None) -> float | None:
    """Length of a recording in seconds (None if it cannot be decoded or is longer than
    ``max_seconds``; the pipeline will then report why)."""
    try:
        from interview import audio

        samples = audio.decode_audio(data, max_seconds=max_seconds)
        return len(samples) / audio.SAMPLE_RATE
    except Exception:  # noqa: BLE001 - only used for the progress bar
        return None


# ---------------------------------------------------------------------------------------------
# This computer's microphone
# ---------------------------------------------------------------------------------------------

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"}


def running_locally() -> bool:
    """True when the browser talks to the app on this same computer."""
    try:
        host = (st.context.headers.get("host") or "").rsplit(":", 1)[0].lower()
    except Exception:  # noqa: BLE001 - no request context (tests)
        return False
    return host in _LOCAL_HOSTS


def local_microphones() -> tuple[bool, list[tuple[Any, str]], str]:
    """(usable, [(device index, label)], why not) for this computer's microphone."""
    if not running_locally():
        return False, [], ("This computer's microphone can only be used when the app runs on "
                           "the computer you are using (http://localhost). Record in the "
                           "browser or upload a recording instead.")
    try:
        from interview import record

        devices = record.list_input_devices()
    except Exception as exc:  # noqa: BLE001 - no PortAudio, audio system unusable
        return False, [], f"No local microphone can be used: {exc}"
    if not devices:
        return False, [], ("No microphone (input device) was found on this computer. Record "
                           "in the browser or upload a recording instead.")
    return True, [(d.index, d.name + (" (default)" if d.is_default else "")) for d in devices], ""


def record_locally(device, seconds: float) -> bytes:
    """Record ``seconds`` from a local input device, showing the level; WAV bytes."""
    import tempfile

    from interview import record

    meter = st.empty()

    def on_level(level) -> None:
        meter.progress(max(0.0, min(1.0, (level.dbfs + 60) / 60)),
                       text=f"Input level {level.dbfs:.0f} dBFS")

    with tempfile.TemporaryDirectory() as tmp:
        with st.spinner(f"Recording for {seconds:.0f} seconds... speak now."):
            path = record.record(seconds=seconds, device=device, on_level=on_level,
                                 path=Path(tmp) / "microphone.wav")
        meter.empty()
        return Path(path).read_bytes()
