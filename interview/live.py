"""Answers streamed while they are spoken: each chunk on disk as it arrives, transcribed in
the background, scored the moment the applicant stops.

A :class:`LiveTake` is one answer being recorded by the browser's streaming recorder:

1. The first chunk saves the answer like any take (:func:`interview.practice.save_answer`:
   a 16 kHz 16-bit WAV on disk, fsync'd, its row committed with status "recorded"), under a
   claim this process holds until the take ends (so ``interview recover`` in another process
   leaves it alone while it is live, and finishes it if this process dies).
2. Every later chunk is appended to that WAV durably (:meth:`Store.append_audio`: samples,
   fsync, header, fsync) *before* it is acknowledged or transcribed, so a closed tab, a rerun
   or a server restart keeps everything that arrived (``interview recover`` transcribes a
   take cut off by a restart).
3. The samples go to a :class:`~interview.streaming.StreamingTranscription`, which decodes
   finished stretches of speech with the loaded model while the applicant speaks and gives
   the live captions and pace figures.
4. :meth:`LiveTakes.finish` decodes only the tail and scores the answer
   (:func:`interview.practice.finish_streamed`).

:class:`LiveTakes` is the process's registry of takes in progress (the app keeps one in
``st.cache_resource``); a take that hears nothing for :attr:`LiveTakes.idle_seconds` (a
closed tab) is finished by the registry's sweeper with what arrived. No Streamlit here.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .errors import InterviewError, StorageError
from .storage.files import AnswerBusy, wav_header
from .streaming import StreamingTranscription, StreamOptions

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
#: a take that hears nothing for this long (a closed tab) is finished with what arrived
IDLE_SECONDS = 45.0
#: takes one server process receives at once (each holds a worker and its audio)
MAX_LIVE_TAKES = 32
#: audio may arrive at most this far ahead of the time since the take started (seconds):
#: a take is spoken, so its audio cannot come faster than real time
AHEAD_SLACK_SECONDS = 30.0


@dataclass(frozen=True)
class Captions:
    """What has been transcribed so far, for live captions and the pace meter."""

    text: str
    words: int
    #: words per minute over the speech so far (None until there are a few words)
    wpm: float | None
    #: "um", "uh", ... so far
    fillers: int
    received_seconds: float
    transcribed_seconds: float

    def to_dict(self) -> dict:
        return {"text": self.text, "words": self.words, "wpm": self.wpm,
                "fillers": self.fillers}


def captions_of(partial) -> Captions:
    """Captions from a :class:`~interview.streaming.Partial`, with the pace and filler
    figures the feedback will use (:func:`interview.metrics.compute_metrics`)."""
    from .metrics import compute_metrics

    words = [w for s in partial.segments for w in s.words]
    m = compute_metrics(partial.text, words=words or None)
    wpm = m.words_per_minute if m.word_count >= 5 and (m.speech_span or 0) >= 3 else None
    return Captions(text=partial.text, words=m.word_count,
                    wpm=round(wpm) if wpm is not None else None, fillers=m.filler_count,
                    received_seconds=round(partial.received_seconds, 2),
                    transcribed_seconds=round(partial.transcribed_seconds, 2))


@dataclass
class LiveTake:
    """One answer being streamed: its saved row and file, and its transcription."""

    take_id: str
    answer_id: str
    session_id: str
    position: int
    stream: StreamingTranscription
    #: the next chunk expected (chunks are appended in order, each once)
    next_seq: int = 1
    #: bytes of samples on disk
    stored_bytes: int = 0
    max_seconds: float | None = None
    question: Any = None
    last_seen: float = field(default_factory=time.monotonic)
    done: Any = None
    claim: Any = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    #: set (under ``lock``) once the take is finished or abandoned: nothing more is written
    closed: bool = False
    started: float = field(default_factory=time.monotonic)
    _captions: tuple | None = None

    @property
    def acked(self) -> int:
        """The highest chunk sequence number stored."""
        return self.next_seq - 1

    @property
    def seconds(self) -> float:
        return self.stored_bytes / 2 / SAMPLE_RATE

    def captions(self) -> Captions:
        """The live captions (recomputed only when new words arrive)."""
        partial = self.stream.partial()
        key = (len(partial.segments), partial.transcribed_seconds)
        if self._captions is None or self._captions[0] != key:
            self._captions = (key, captions_of(partial))
        return self._captions[1]


def pcm_samples(pcm: bytes) -> np.ndarray:
    """16-bit little-endian PCM as float32 samples in [-1, 1]."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


class LiveTakes:
    """The takes this process is receiving, by the recorder's take id."""

    def __init__(self, *, idle_seconds: float = IDLE_SECONDS,
                 store_factory: Callable[[], Any] | None = None,
                 options: StreamOptions | None = None,
                 ahead_slack_seconds: float = AHEAD_SLACK_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self.ahead_slack_seconds = ahead_slack_seconds
        #: a store for the sweeper (a closed tab has no page to finish its take)
        self.store_factory = store_factory
        self.options = options
        self._takes: dict[str, LiveTake] = {}
        #: take id -> answer record of takes finished lately (a replayed "stop" finds it)
        self._finished: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None

    def get(self, take_id: str | None) -> LiveTake | None:
        with self._lock:
            return self._takes.get(take_id) if take_id else None

    def finished(self, take_id: str | None):
        """The answer of a take this process finished lately, or None."""
        with self._lock:
            return self._finished.get(take_id) if take_id else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._takes)

    # ------------------------------------------------------------------ start
    def start(self, store, *, take_id: str, session_id: str, position: int, pcm: bytes,
              transcriber, question: Any = None, verbatim: bool = True,
              vocabulary: Sequence[str] | None = None, max_seconds: float | None = None,
              started_at: datetime | None = None, parent_answer_id: str | None = None,
              follow_up_text: str | None = None) -> LiveTake:
        """Save a new streamed answer with its first chunk (``pcm``, sequence 0) and start
        transcribing it. ``question``: the drawn question (dict) for a main answer; for a
        follow-up give ``parent_answer_id`` and ``follow_up_text``. Raises
        :class:`~interview.errors.InterviewError` (one line) if it cannot be saved."""
        from .storage import new_id

        existing = self.get(take_id)
        if existing is not None:
            return existing
        if len(self) >= MAX_LIVE_TAKES:
            raise StorageError("too many answers are being recorded on this server right "
                               "now; wait a minute and record again")
        if len(pcm) % 2:
            raise StorageError("the recording arrived damaged (odd byte count); record again")
        if max_seconds is not None:
            pcm = pcm[:int(max_seconds * SAMPLE_RATE) * 2]
        answer_id = new_id()
        held = store.hold_claim(answer_id)
        try:
            audio = wav_header(len(pcm)) + pcm
            from .formats import AnswerTiming

            timing = AnswerTiming(started_at=started_at) if started_at else None
            with held.here():
                answer = self._save(store, audio, answer_id, timing, session_id=session_id,
                                    position=position, question=question,
                                    parent_answer_id=parent_answer_id,
                                    follow_up_text=follow_up_text)
            return self._register(take_id, answer, held, pcm, transcriber, verbatim=verbatim,
                                  vocabulary=vocabulary, max_seconds=max_seconds,
                                  follow_up_text=follow_up_text if parent_answer_id else None)
        except BaseException:
            held.release()  # the saved answer stays, for `interview recover`
            raise

    @staticmethod
    def _save(store, audio: bytes, answer_id: str, timing, *, session_id, position, question,
              parent_answer_id, follow_up_text):
        from .practice import save_answer, save_follow_up

        if parent_answer_id is not None:
            return save_follow_up(store, parent_answer_id, follow_up_text or "",
                                  audio=audio, filename="recording.wav", source="audio",
                                  id=answer_id, timing=timing, claimed=True)
        return save_answer(store, session_id, position, question, audio=audio,
                           filename="recording.wav", source="audio", id=answer_id,
                           timing=timing, claimed=True)

    def _register(self, take_id: str, answer, held, pcm: bytes, transcriber, *, verbatim,
                  vocabulary, max_seconds, follow_up_text) -> LiveTake:
        stream = StreamingTranscription(transcriber, verbatim=verbatim, vocabulary=vocabulary,
                                        options=self.options, name="recording")
        take = LiveTake(take_id=take_id, answer_id=answer.id, session_id=answer.session_id,
                        position=answer.position, stream=stream, stored_bytes=len(pcm),
                        max_seconds=max_seconds, claim=held, question=follow_up_text)
        try:
            if pcm:
                stream.feed(pcm_samples(pcm))
            with self._lock:
                if take_id in self._takes:  # a concurrent start of the same take won
                    raise StorageError("this recording is already being saved; record again")
                self._takes[take_id] = take
        except BaseException:
            stream.close()
            raise
        self._start_sweeper()
        _warm_scorer()
        return take

    # ------------------------------------------------------------------ chunks
    def append(self, store, take: LiveTake, chunks: Iterable[tuple[int, bytes]]) -> int:
        """Store the chunks that come next in order (each once; earlier ones are ignored, a
        gap waits for the recorder to send again), then transcribe them. Returns how many
        were stored. Audio past ``max_seconds`` is not kept."""
        stored = 0
        with take.lock:
            if take.closed:
                return 0
            take.last_seen = time.monotonic()
            spoken = take.last_seen - take.started + self.ahead_slack_seconds
            for seq, pcm in sorted(chunks, key=lambda c: c[0]):
                if seq < take.next_seq:
                    continue
                if seq > take.next_seq:
                    break  # a gap: the recorder sends everything unacknowledged again
                if len(pcm) % 2:
                    raise StorageError("a piece of the recording arrived damaged (odd byte "
                                       "count); record again")
                if take.seconds + len(pcm) / 2 / SAMPLE_RATE > spoken:
                    raise StorageError("the recording arrives faster than it can be spoken; "
                                       "record again")
                if take.max_seconds is not None:  # a safety net: the recorder stops there
                    room = int(take.max_seconds * SAMPLE_RATE) * 2 - take.stored_bytes
                    pcm = pcm[:max(room, 0)]
                if pcm:
                    answer = store.get_answer(take.answer_id)
                    take.stored_bytes = store.append_audio(answer, pcm)  # durable first
                    take.stream.feed(pcm_samples(pcm))
                take.next_seq = seq + 1
                stored += 1
        return stored

    # ------------------------------------------------------------------ the end
    def finish(self, store, take: LiveTake, *, timing: Any = None, question: Any = None,
               idle_since: float | None = None):
        """The applicant stopped: decode the tail, score, store; returns the answer record
        (status 'scored', or 'failed' with its error; the recording is kept either way).
        Idempotent: a second call returns the first result. ``idle_since``: finish only if
        nothing arrived after that moment (``time.monotonic()``), else return None."""
        from .practice import _store_failure, finish_streamed

        with take.lock:
            if take.done is not None:
                return take.done
            if take.closed or (idle_since is not None and take.last_seen > idle_since):
                return None
            take.closed = True
            try:
                answer = store.get_answer(take.answer_id)
                began = time.perf_counter()
                try:
                    transcript = take.stream.finish()
                except InterviewError as exc:
                    take.done = _store_failure(
                        store, answer, f"{exc} (the recording is saved: {answer.audio_path}; "
                        "retry it from the saved audio)")
                    return take.done
                if not transcript.text.strip():
                    from .errors import TranscriptionError

                    take.done = _store_failure(store, answer, str(TranscriptionError(
                        "no words were recognised in the recording; check the microphone, "
                        "speak closer to it, and record again (or retry with another model)")))
                    return take.done
                decoded = time.perf_counter()
                with take.claim.here():
                    take.done = finish_streamed(store, take.answer_id, transcript,
                                                question=question if question is not None
                                                else take.question)
                if timing is not None:  # known only now; the answer is scored already
                    try:
                        take.done = store.update_answer(take.answer_id, timing=timing)
                    except InterviewError as exc:
                        log.warning("the timing of answer %s was not saved: %s",
                                    take.answer_id, exc)
                stream = take.stream
                log.info("take %s (%.1f s of audio, %d stretches) finished: %.2f s to the "
                         "transcript (%.2f s waiting for the worker, %s), scoring %.2f s",
                         take.answer_id, take.seconds, stream.stretches, decoded - began,
                         stream.waited_seconds or 0.0,
                         "the words after the last pause were decoded while spoken"
                         if stream.reused_speculative else
                         f"{stream.tail_decoded_seconds or 0:.1f} s decoded after stop",
                         time.perf_counter() - decoded)
                return take.done
            finally:
                take.stream.close()
                if take.claim is not None:
                    take.claim.release()
                with self._lock:
                    self._takes.pop(take.take_id, None)
                    if take.done is not None:
                        self._finished[take.take_id] = take.done
                        while len(self._finished) > 1000:
                            self._finished.pop(next(iter(self._finished)))

    def abandon(self, take: LiveTake) -> None:
        """Stop transcribing a take without scoring it (its saved audio and row stay, for
        ``interview recover`` or a Retry)."""
        with take.lock:
            take.closed = True
        take.stream.close()
        if take.claim is not None:
            take.claim.release()
        with self._lock:
            self._takes.pop(take.take_id, None)

    # ------------------------------------------------------------------ closed tabs
    def sweep(self, now: float | None = None) -> list[str]:
        """Finish every take idle for :attr:`idle_seconds` (its tab was closed) with what
        arrived; returns their answer ids."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [t for t in self._takes.values() if now - t.last_seen >= self.idle_seconds]
        done = []
        for take in idle:
            store = self.store_factory() if self.store_factory else None
            if store is None:
                self.abandon(take)
                continue
            try:  # unless a chunk arrived since it was found idle
                if self.finish(store, take, idle_since=now - self.idle_seconds) is None:
                    continue
            except (InterviewError, AnswerBusy) as exc:
                log.warning("could not finish the abandoned take %s: %s", take.answer_id, exc)
                self.abandon(take)
            done.append(take.answer_id)
        return done

    def _start_sweeper(self) -> None:
        with self._lock:
            if self._sweeper is not None:
                return

            def loop() -> None:
                while True:
                    time.sleep(min(self.idle_seconds / 3, 10.0))
                    try:
                        self.sweep()
                    except Exception:  # noqa: BLE001 - the sweeper never dies
                        log.exception("sweeping abandoned takes failed")
                    with self._lock:
                        if not self._takes:
                            self._sweeper = None
                            return

            self._sweeper = threading.Thread(target=loop, name="live-takes-sweeper",
                                             daemon=True)
            self._sweeper.start()


_warmed = threading.Event()


def _warm_scorer() -> None:
    """Read the rubrics, lexicons and bank into their caches while the first take is
    spoken (about a second on a busy 2-core machine), not after "stop"."""
    if _warmed.is_set():
        return
    _warmed.set()

    def warm() -> None:
        try:
            from .scoring import score_answer

            score_answer("I would bring my clinical experience to your program, um, "
                         "and I learned to work with interpreters in a team.")
        except Exception:  # noqa: BLE001 - only a warm-up: the real scoring reports errors
            log.debug("warming the scorer failed", exc_info=True)

    threading.Thread(target=warm, name="warm-scorer", daemon=True).start()
