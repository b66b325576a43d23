"""The streaming answer recorder on the page: audio saved and transcribed while it is spoken,
live captions and pace under the question, feedback the moment the applicant stops.

:func:`live_answer` draws the recorder component in stream mode (``app_pages/_recorder.py``)
inside a fragment, so each chunk reruns only the recorder: the chunk goes to
:class:`interview.live.LiveTakes` (on disk and committed before it is acknowledged, then
transcribed in the background), and the component gets back what is stored and the captions.
At "Stop recording" the take is finished (only its tail is left to decode), scored, and the
whole page reruns to show the feedback. A browser that cannot stream sends the whole take
instead, which goes through the file path (``submit``) like an ``st.audio_input`` take.

The registry of takes in progress lives in ``st.cache_resource`` (one per server process);
its sweeper finishes a take whose tab was closed, with what arrived.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import streamlit as st

from app_pages import _access, _ui
from app_pages._recorder import RecordedTake, RecorderError, StreamUpdate, recorder
from interview.errors import InterviewError

_TAKES = "live_takes"
#: how often the browser sends audio: each chunk reruns only the recorder's fragment, and
#: the sooner a pause reaches the server, the sooner the words before it are transcribed
CHUNK_SECONDS = 2.0
_LOG = logging.getLogger("interview.app")  # st.session_state: recorder key -> take id in progress


@st.cache_resource(show_spinner=False)
def registry():
    """This server process's takes in progress."""
    from interview.live import LiveTakes

    return LiveTakes(store_factory=lambda: _access._raw_store())


def in_progress(prefix: str) -> bool:
    """Whether a recorder whose key starts with ``prefix`` has a take being streamed right
    now (the page keeps that recorder on screen until the take ends)."""
    takes = registry()
    return any(k.startswith(prefix) and takes.get(t) is not None
               for k, t in st.session_state.get(_TAKES, {}).items())


def live_answer(key: str, *, session_id: str, position: int, question: dict | None,
                submit: Callable, on_done: Callable, handled: set, timing: Callable,
                captions: bool = True, parent_answer_id: str | None = None,
                follow_up_text: str | None = None, read_seconds: float | None = None,
                answer_seconds: float | None = None, warning_seconds: float | None = None,
                auto_start: bool = False, label: str = "Record your answer") -> None:
    """One streamed take (see the module docstring). ``submit(audio=, filename=, source=,
    timing=, take=)`` stores a whole take from a browser that cannot stream;
    ``on_done(answer)`` runs once a streamed take is scored (or failed), before the page
    reruns; ``timing(take)`` gives the take's :class:`~interview.formats.AnswerTiming`.
    ``handled``: the caller's set of takes already finished."""
    _fragment(key, session_id=session_id, position=position, question=question,
              submit=submit, on_done=on_done, handled=handled, timing=timing,
              captions=captions, parent_answer_id=parent_answer_id,
              follow_up_text=follow_up_text, read_seconds=read_seconds,
              answer_seconds=answer_seconds, warning_seconds=warning_seconds,
              auto_start=auto_start, label=label)


@st.fragment
def _fragment(key: str, *, session_id, position, question, submit, on_done, handled, timing,
              captions, parent_answer_id, follow_up_text, read_seconds, answer_seconds,
              warning_seconds, auto_start, label) -> None:
    began = time.perf_counter()
    takes = registry()
    mine = st.session_state.setdefault(_TAKES, {})
    take = takes.get(mine.get(key))
    acked = {"take_id": take.take_id, "seq": take.acked} if take else None
    if take is None and takes.finished(mine.get(key)) is not None:
        # finished (stopped, or closed after a long silence): nothing more is needed of it
        acked = {"take_id": mine.get(key), "seq": 2 ** 31 - 1}
    shown = take.captions().to_dict() if take and captions else None
    settings_limit = float(_ui.settings().max_seconds)
    answer_seconds = min(answer_seconds, settings_limit) if answer_seconds else settings_limit
    try:
        update = recorder(key, stream=True, chunk_seconds=CHUNK_SECONDS, acked=acked, captions=shown, show_captions=captions,
                          handled=handled, read_seconds=read_seconds,
                          answer_seconds=answer_seconds, warning_seconds=warning_seconds,
                          auto_start=auto_start, label=label)
    except RecorderError as exc:
        _ui.show_error(exc, "The recording could not be used")
        return
    if isinstance(update, RecordedTake):  # a browser that cannot stream: the file path
        submit(audio=update.audio, filename=update.filename, source="audio",
               timing=timing(update), take=update.marker)
        return
    if not isinstance(update, StreamUpdate):
        return
    access = _access.current_quiet()  # a fragment rerun may not draw the login UI
    if access is None:
        st.error("You are no longer signed in: what was recorded is saved. Sign in again, "
                 "then use \"Finish now\" on the Practice page.")
        return
    store = access.store
    chunks = [(c.seq, c.pcm) for c in update.chunks]
    try:
        take = takes.get(update.take_id)
        if take is not None and (take.session_id, take.position) != (session_id, position):
            return  # a take of another question or session is never fed from here
        done = takes.finished(update.take_id) if take is None else None
        if done is not None:  # finished already: this run replays its "stop", or the take
            if update.final:  # was closed after a long silence while the browser went on
                handled.add(update.marker)
                mine.pop(key, None)
                on_done(done)
                st.rerun()
            st.warning("This answer was closed after a long silence (nothing arrived for "
                       "45 s): what arrived until then is saved and scored. Press Stop "
                       "recording, then record again if you want to.")
            return
        if take is None:
            if not chunks:
                if update.final:
                    handled.add(update.marker)
                    st.error("Nothing was recorded: check the microphone and press Record again.")
                return
            if chunks[0][0] != 0:  # its start went to a server that has since restarted
                if update.final:
                    handled.add(update.marker)
                st.warning("The app restarted while you were answering: what it received is "
                           "saved. Use \"Finish now\" on the Practice page to score it, or "
                           "record the answer again.")
                return
            old = takes.get(mine.get(key))
            if old is not None:  # one take at a time per recorder: the earlier one ends
                takes.finish(store, old)
            options = _ui.answer_options()
            take = takes.start(
                store, take_id=update.take_id, session_id=session_id, position=position,
                pcm=chunks[0][1], transcriber=_ui.answer_transcriber(), question=question,
                verbatim=options["verbatim"], max_seconds=options["max_seconds"],
                started_at=update.started_at, parent_answer_id=parent_answer_id,
                follow_up_text=follow_up_text)
            mine[key] = take.take_id
            chunks = chunks[1:]
        takes.append(store, take, chunks)
        _LOG.debug("recorder run: %d chunk(s) stored in %.0f ms", len(chunks),
                   (time.perf_counter() - began) * 1000)
        if update.final:
            _LOG.info("take %s: stop received", update.take_id)
            with st.spinner("Scoring your answer..."):
                answer = takes.finish(store, take, timing=timing(update))
            handled.add(update.marker)
            mine.pop(key, None)
            on_done(answer)
            st.rerun()  # the whole page: the feedback replaces the recorder
        # (what is stored is acknowledged with the next chunk's run: one run per chunk)
    except InterviewError as exc:  # one line; what is saved stays saved
        _ui.show_error(exc, "The answer could not be saved")

