"""Timed formats on the page: the read timer, the answer timer and the follow-up answered aloud.

Used by ``app_pages/_flow.py`` for sessions whose format (``interview.formats``) is timed
(SVI style, MMI) and for recorded follow-ups (panel, MMI). Recording in the browser goes
through the recorder component (``app_pages/_recorder.py``), which times the take from the
real start of recording and stops at the limit; typed, uploaded and local-microphone
answers are timed on the page's clock. The clock is :func:`now`: ``time.time`` unless a test
puts its own callable in ``st.session_state["clock"]``.

State kept in ``st.session_state``:

``shown:<session>:<position>:<follow-up>:<nonce>``
    when the card appeared (clock seconds);
``began:<...same...>``
    when answering started on the page's clock (typed/uploaded answers; the browser
    recorder reports its own start).
"""

from __future__ import annotations

import time

import streamlit as st

from app_pages import _ui
from interview.formats import AnswerTiming, SessionFormat, get_format, phase, timing_from_clock, warning_text


def now() -> float:
    """The page's clock in seconds (a test may set ``st.session_state["clock"]``)."""
    clock = st.session_state.get("clock")
    return float(clock()) if callable(clock) else time.time()


def session_format(sess) -> SessionFormat:
    return get_format(sess.format_id)


def _keys(sid: str, pos: int, follow_up: int, nonce: int) -> tuple[str, str]:
    base = f"{sid}:{pos}:{follow_up}:{nonce}"
    return f"shown:{base}", f"began:{base}"


def take_timing(take, fmt: SessionFormat, question: dict) -> AnswerTiming:
    """The timing of a browser take, as the recorder measured it."""
    return AnswerTiming(read_seconds=take.read_seconds if fmt.read_seconds else None,
                        answer_seconds=take.answer_seconds, timed_out=take.timed_out,
                        started_at=take.started_at, read_limit=fmt.read_seconds,
                        answer_limit=fmt.answer_limit(question))


def scenario_card(question: dict, fmt: SessionFormat) -> None:
    """What the applicant is told about the station's timing under the question."""
    limit = fmt.answer_limit(question)
    parts = []
    if fmt.read_seconds:
        parts.append(f"{_ui.fmt_seconds(fmt.read_seconds)} to read")
    if limit:
        parts.append(f"{_ui.fmt_seconds(limit)} to answer")
    if fmt.warning_seconds and limit:
        parts.append("a warning one minute before the end" if fmt.warning_seconds == 60
                     else f"a warning {fmt.warning_seconds} s before the end")
    if fmt.one_take:
        parts.append("one take")
    if parts:
        st.caption(" · ".join(parts) + ". The answer timer starts when recording starts.")


def timed_answer(sess, question: dict, pos: int, *, method: str, nonce: int,
                 submit, follow_up: int = 0, live=None) -> None:
    """Read timer, answer timer and the answer input for one timed take.

    ``submit(audio=..., filename=..., text=..., source=..., timing=...)`` stores the take
    through the service. Browser recordings use the recorder component: streamed through
    ``live`` (``_flow.live_recorder``: transcribed while spoken) for audio, whole for video;
    other methods are timed on the page's clock."""
    fmt = session_format(sess)
    limit = fmt.answer_limit(question) if not follow_up else None
    read = fmt.read_seconds if not follow_up else None
    shown_key, began_key = _keys(sess.id, pos, follow_up, nonce)
    state = st.session_state
    state.setdefault(shown_key, now())

    def timing_of(take) -> AnswerTiming:
        if follow_up:
            return AnswerTiming(answer_seconds=take.answer_seconds, started_at=take.started_at)
        return take_timing(take, fmt, question)

    video = bool(st.session_state.get(f"video_on:{sess.id}"))
    if method == "browser" and live is not None and not video:
        live(f"live:{'fu' if follow_up else 'main'}:{sess.id}:{pos}:{follow_up}:{nonce}",
             timing=timing_of, read_seconds=read, answer_seconds=limit,
             warning_seconds=fmt.warning_seconds if limit else None,
             auto_start=fmt.auto_start and bool(read))
        return
    if method == "browser":
        from app_pages._recorder import RecorderError, recorder

        try:
            take = recorder(f"{sess.id}:{pos}:{follow_up}:{nonce}", read_seconds=read,
                            answer_seconds=limit, warning_seconds=fmt.warning_seconds if limit else None,
                            auto_start=fmt.auto_start and bool(read),
                            handled=state.setdefault("handled_uploads", set()),
                            video=video)
        except RecorderError as exc:
            _ui.show_error(exc, "The recording could not be used")
            return
        if take is not None:
            timing = timing_of(take)
            # the take is marked handled once it is saved (never before: see _flow._submit)
            submit(audio=take.audio, filename=take.filename, source="audio", timing=timing,
                   take=take.marker)
        return

    # typed, uploaded or this computer's microphone: timed on the page's clock
    timer_fmt = fmt if not follow_up else get_format("practice")
    shown = state[shown_key]
    stage, _ = phase(timer_fmt, question, now=now(), shown_at=shown,
                     started_at=state.get(began_key))
    _live_timer(timer_fmt, question, shown_key, began_key, stage)
    if stage == "reading":
        if st.button("Start answering now", key=f"begin:{began_key}", type="primary"):
            state[began_key] = now()
            st.rerun()
        return
    if state.get(began_key) is None:  # the read time ran out: answering began when it ended
        state[began_key] = shown + (read or 0)
    began = state[began_key]

    def timed_submit(**kwargs) -> None:
        timing = timing_from_clock(timer_fmt, question, shown_at=shown, started_at=began,
                                   stopped_at=now())
        submit(timing=timing, **kwargs)

    from app_pages import _flow

    _flow.answer_widgets(sess, pos, method, f"{sess.id}:{pos}:{follow_up}:{nonce}", question,
                         timed_submit, seconds=limit)


@st.fragment(run_every=1.0)
def _live_timer(fmt: SessionFormat, question: dict, shown_key: str, began_key: str,
                drawn_stage: str) -> None:
    """The read or answer timer, redrawn every second; the whole page reruns when the read
    time ends (the answer input appears) and not otherwise, so nothing typed is disturbed."""
    state = st.session_state
    t = now()
    shown = state.get(shown_key, t)
    began = state.get(began_key)
    stage, left = phase(fmt, question, now=t, shown_at=shown, started_at=began)
    if drawn_stage == "reading" and stage != "reading":
        st.rerun(scope="app")
    if stage == "reading":
        st.progress(min(1.0, (t - shown) / fmt.read_seconds),
                    text=f"Reading time left: {_ui.fmt_seconds(left)} — answering starts when it ends")
        return
    limit = fmt.answer_limit(question)
    if not limit:
        return
    began = began if began is not None else shown + (fmt.read_seconds or 0)
    used = t - began
    st.progress(min(1.0, used / limit),
                text=f"Answer time left: {_ui.fmt_seconds(max(0.0, limit - used))}")
    if stage == "warning":
        st.warning(warning_text(fmt.warning_seconds), icon=":material/timer:")
    elif stage == "over":
        st.error("Time is up. Submit what you have: it is saved, marked as over time.",
                 icon=":material/timer_off:")
