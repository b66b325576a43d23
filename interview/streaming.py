"""Transcription while the applicant speaks: finished stretches of speech are decoded in the
background, so at "stop" only the last few seconds are left.

:class:`StreamingTranscription` is fed 16 kHz mono samples as they arrive (:meth:`feed`). A
worker thread runs the Silero VAD over the audio not yet transcribed and, once a stretch of at
least :attr:`StreamOptions.min_stretch_seconds` ends at a pause, decodes that stretch with the
already-loaded :class:`~interview.transcribe.Transcriber` (the same call, options, prompt and
VAD chunking as for a whole file), shifting its segment and word timings by the stretch's
offset so that they stay continuous across stretches. Stretches are cut only at pauses the VAD
found (never inside a word), at most :attr:`StreamOptions.max_stretch_seconds` long
(Whisper's window is 30 s).

Between cuts, whenever the applicant pauses, the worker also decodes the open stretch up to
that pause (provisionally): it feeds the live captions (:meth:`partial`), becomes the
stretch when the cut falls on that pause, and at :meth:`finish` is kept, so that only what
was said after the last pause is decoded then (nothing, when the applicant paused before
stopping). :meth:`finish` returns one :class:`~interview.transcript.Transcript`, shaped like
the whole-file result. ``benchmarks/bench_streaming.py`` compares it with the whole-file
transcript (WER on ``../shared/real_speech`` and the 2-minute answer) and measures the work
left at stop.

No Streamlit here: :mod:`interview.live` keeps one of these per take being recorded.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np

from .audio import SAMPLE_RATE, AudioClip
from .errors import InterviewError, TranscriptionError
from .transcript import Segment, Transcript, Word


@dataclass(frozen=True)
class StreamOptions:
    """When a stretch of speech is decoded (chosen with benchmarks/bench_streaming.py)."""

    #: decode a stretch once it is at least this long and ends at a pause
    min_stretch_seconds: float = 8.0
    #: never hold back more than this (Whisper decodes 30 s at a time)
    max_stretch_seconds: float = 28.0
    #: a speech region counts as finished when it ends this long before the newest audio
    #: (for a cut; regions already end 0.4 s after the last word, the VAD's padding)
    settle_seconds: float = 0.5
    #: the same for a provisional decode: soon after the applicant pauses, so that a take
    #: stopped a moment after its last words has nothing left to decode
    provisional_settle_seconds: float = 0.5
    #: while the applicant is mid-sentence, decode what followed the last decoded pause
    #: ahead of time, when it is at most this long (a cheap decode that rarely delays "stop")
    speculate_up_to_seconds: float = 4.0
    #: look for a cut at most this often (seconds of new audio)
    check_every_seconds: float = 1.0


@dataclass(frozen=True)
class Partial:
    """The transcript so far of a take being recorded."""

    segments: list[Segment]
    #: seconds of audio received / transcribed
    received_seconds: float
    transcribed_seconds: float

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments).strip()


#: speech may end this much later (samples) than where the provisional decode stopped
_TOLERANCE = int(0.2 * SAMPLE_RATE)
#: a VAD region ends 0.4 s (its padding) after the last word: a speculative decode that
#: stopped at most this long before a region's end holds all of its words
_PAD_TOLERANCE = int(0.45 * SAMPLE_RATE)


def _regions(samples: np.ndarray, options) -> list[tuple[int, int]]:
    """Speech regions (start, end) in samples, with the decoder's own VAD settings."""
    from faster_whisper.vad import get_speech_timestamps

    if samples.size == 0:
        return []
    return [(c["start"], c["end"]) for c in get_speech_timestamps(samples, options)]


def next_cut(regions: Sequence[tuple[int, int]], available: int, options: StreamOptions,
             rate: int = SAMPLE_RATE) -> int | None:
    """Where to end the next stretch, in samples from its start, or None to wait.

    ``regions``: the VAD's speech regions in the audio not yet transcribed (``available``
    samples). A region is finished when it ends at least ``settle_seconds`` before the end of
    the audio. The cut is the end of the first finished region that makes the stretch at least
    ``min_stretch_seconds`` long, or, when the stretch would pass ``max_stretch_seconds``, the
    end of the last finished region inside that limit (if there is none, the limit itself).
    A cut in the middle of a pause never passes ``max_stretch_seconds``.
    """
    settle = int(options.settle_seconds * rate)
    least = int(options.min_stretch_seconds * rate)
    most = int(options.max_stretch_seconds * rate)
    finished = [(s, e) for s, e in regions if e <= available - settle]
    for i, (_start, end) in enumerate(finished):
        if end > most:
            break
        if end >= least:
            return min(_between(finished, i, available), most)
    inside = [i for i, (_s, e) in enumerate(finished) if e <= most]
    if available > most:
        return min(_between(finished, inside[-1], available), most) if inside else most
    return None


def _between(regions: Sequence[tuple[int, int]], i: int, available: int) -> int:
    """The middle of the pause after region ``i`` (its end if nothing follows yet)."""
    end = regions[i][1]
    if i + 1 < len(regions):
        return (end + regions[i + 1][0]) // 2
    return end


def _tail_after(provisional, start: int, regions: Sequence[tuple[int, int]]
                ) -> tuple[int, bool] | None:
    """How to finish a stretch starting at ``start`` whose open part was decoded
    provisionally: (where the rest begins, in samples from ``start``; whether any speech
    comes after), or None when the provisional decode cannot be kept (another stretch, or
    speech running across its end)."""
    if provisional is None or provisional[0] != start:
        return None
    end = provisional[1] - start
    later = [(s, e) for s, e in regions if e > end + _TOLERANCE]
    if later and later[0][0] < end - _TOLERANCE:
        return None  # a region runs across the provisional end: decode the stretch whole
    return end, bool(later)


def _covers(provisional, start: int, regions: Sequence[tuple[int, int]], cut: int) -> bool:
    """Whether a provisional decode of the stretch starting at ``start`` holds exactly the
    speech up to ``cut``: it ends within :data:`_TOLERANCE` of the last region before the
    cut, and no speech after it comes before the cut."""
    if provisional is None or provisional[0] != start:
        return False
    before = [e for s, e in regions if s < cut]
    if not before:
        return False
    end = start + before[-1]
    return abs(provisional[1] - end) <= _TOLERANCE


def _shift(segment: Segment, seconds: float) -> Segment:
    words = [Word(w.word, round(w.start + seconds, 3), round(w.end + seconds, 3), w.probability)
             for w in segment.words]
    return Segment(segment.id, round(segment.start + seconds, 3),
                   round(segment.end + seconds, 3), segment.text, words)


@dataclass
class _State:
    samples: list[np.ndarray] = field(default_factory=list)
    #: the take's sample index of ``samples[0][0]`` (earlier samples are transcribed)
    base: int = 0
    received: int = 0
    #: samples before this point are transcribed (or being transcribed)
    committed: int = 0
    segments: list[Segment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: the open stretch decoded up to a pause: (start, end, segments) in take samples;
    #: reused at :meth:`StreamingTranscription.finish` when no speech came after it
    provisional: tuple[int, int, list[Segment]] | None = None
    #: what was said after that pause (or from the stretch's start), decoded up to the
    #: newest audio while the applicant is still speaking: (from, to, segments); kept at
    #: finish() when no speech came after ``to``
    speculative: tuple[int, int, list[Segment]] | None = None
    decode_seconds: float = 0.0
    stretches: int = 0
    checked_at: int = 0
    #: the worker is looking for a cut or decoding
    busy: bool = False
    finishing: bool = False
    closed: bool = False
    error: BaseException | None = None


class StreamingTranscription:
    """One take being transcribed while it is recorded (thread-safe; one worker thread)."""

    def __init__(self, transcriber, *, verbatim: bool = True,
                 vocabulary: Sequence[str] | None = None, options: StreamOptions | None = None,
                 name: str = "recording") -> None:
        from .transcribe import _vad_options

        self.transcriber = transcriber
        self.verbatim = verbatim
        self.vocabulary = vocabulary
        self.options = options or StreamOptions()
        self.name = name
        self._vad = _vad_options(transcriber.options) if hasattr(transcriber, "options") else None
        self._state = _State()
        #: finish() kept the provisional decode of the open stretch (and decoded only what
        #: came after it: ``tail_decoded_seconds``)
        self.reused_provisional = False
        self.tail_decoded_seconds: float | None = None
        #: finish() kept the decode made while the last words were spoken
        self.reused_speculative = False
        self.waited_seconds: float | None = None
        self._cond = threading.Condition()
        self._worker = threading.Thread(target=self._run, name=f"stream:{name}", daemon=True)
        self._worker.start()

    # ---------------------------------------------------------------- feeding and reading
    def feed(self, samples: np.ndarray) -> None:
        """Append 16 kHz mono float32 samples (in [-1, 1]) to the take."""
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        if not samples.size:
            return
        with self._cond:
            if self._state.finishing or self._state.closed:
                raise TranscriptionError("this take is finished: start a new recording")
            self._state.samples.append(samples)
            self._state.received += samples.size
            self._cond.notify_all()

    def partial(self) -> Partial:
        """What is transcribed so far (decoded stretches, then the open stretch's
        provisional and speculative decodes), for live captions."""
        with self._cond:
            st = self._state
            segments = list(st.segments)
            transcribed = st.committed
            if st.provisional is not None and st.provisional[0] == st.committed:
                segments += st.provisional[2]
                transcribed = st.provisional[1]
            if st.speculative is not None and st.speculative[0] == transcribed:
                segments += st.speculative[2]
                transcribed = st.speculative[1]
            return Partial(segments=segments, received_seconds=self._state.received / SAMPLE_RATE,
                           transcribed_seconds=transcribed / SAMPLE_RATE)

    # ---------------------------------------------------------------- the worker
    def _audio(self, start: int) -> np.ndarray:
        """Samples from ``start`` (an index into the take) to the newest (caller holds the
        lock). Samples before ``start`` are transcribed: they are dropped from memory (the
        take is on disk), so a long answer does not hold its whole audio here."""
        st = self._state
        if len(st.samples) > 1 or st.base < start:
            whole = np.concatenate(st.samples) if st.samples else np.zeros(0, np.float32)
            st.samples = [whole[start - st.base:]]
            st.base = start
        return st.samples[0][start - st.base:] if st.samples else np.zeros(0, np.float32)

    def _run(self) -> None:
        step = int(self.options.check_every_seconds * SAMPLE_RATE)
        while True:
            with self._cond:
                st = self._state
                while not (st.closed or st.finishing
                           or st.received - st.checked_at >= step):
                    self._cond.wait()
                if st.closed or st.finishing:
                    return
                st.checked_at = st.received
                st.busy = True
                start = st.committed
                pending = self._audio(start)
            try:
                regions = _regions(pending, self._vad)
                cut = next_cut(regions, pending.size, self.options)
                if cut is not None:
                    with self._cond:
                        if self._state.finishing or self._state.closed:
                            return
                        self._state.committed = start + cut  # finish() decodes from here on
                        provisional, self._state.provisional = self._state.provisional, None
                    if _covers(provisional, start, regions, cut):
                        # the open stretch was decoded up to this very pause: keep that
                        with self._cond:
                            self._state.segments.extend(provisional[2])
                            self._state.stretches += 1
                            self._cond.notify_all()
                    else:
                        self._decode(pending[:cut], start)
                elif not self._provisional(regions, pending, start):
                    self._speculate(regions, pending, start)
            except BaseException as exc:  # noqa: BLE001 - kept for finish() to report
                with self._cond:
                    self._state.error = exc
                    self._cond.notify_all()
                return
            finally:
                with self._cond:
                    self._state.busy = False
                    self._cond.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until the worker has looked at all the audio received so far (and decoded
        what it cut); False on timeout. For benchmarks and tests that feed faster than real
        time but want the cuts a live take would get."""
        step = int(self.options.check_every_seconds * SAMPLE_RATE)
        with self._cond:
            return self._cond.wait_for(
                lambda: self._state.error is not None or self._state.closed or (
                    not self._state.busy and self._state.received - self._state.checked_at < step),
                timeout)

    def _provisional(self, regions, pending: np.ndarray, start: int) -> bool:
        """Decode the open stretch up to its last pause (for the captions, and so that a take
        stopped after a pause has nothing left to decode). Only when new speech ended;
        True if it decoded."""
        settle = int(self.options.provisional_settle_seconds * SAMPLE_RATE)
        finished = [e for _s, e in regions if e <= pending.size - settle]
        if not finished:
            return False
        end = start + finished[-1]
        old = self._state.provisional
        if old is not None and old[0] == start and old[1] >= end:
            return False
        segments = self._transcribe(pending[:finished[-1]], start)
        with self._cond:
            if self._state.committed == start and not self._state.closed:
                self._state.provisional = (start, end, segments)
        return True

    def _speculate(self, regions, pending: np.ndarray, start: int) -> None:
        """While the applicant is mid-sentence, decode what followed the last decoded pause
        up to the newest audio: if they stop right after it, that is the tail, ready."""
        provisional = self._state.provisional
        base = provisional[1] if provisional is not None and provisional[0] == start else start
        old = self._state.speculative
        if old is not None and old[0] == base and \
                start + pending.size - old[1] < self.options.check_every_seconds * SAMPLE_RATE:
            return
        if not any(e > base - start for _s, e in regions):
            return  # only silence after the pause
        if start + pending.size - base > self.options.speculate_up_to_seconds * SAMPLE_RATE:
            return  # too long to decode ahead cheaply: the provisional decode comes first
        segments = self._transcribe(pending[base - start:], base)
        with self._cond:
            if self._state.committed == start and not self._state.closed:
                self._state.speculative = (base, start + pending.size, segments)

    def _transcribe(self, samples: np.ndarray, offset: int) -> list[Segment]:
        """Transcribe samples that start ``offset`` samples into the take: its segments, on
        the take's timeline."""
        if not samples.size:
            return []
        started = time.perf_counter()
        clip = AudioClip(samples=samples, sample_rate=SAMPLE_RATE,
                         duration=samples.size / SAMPLE_RATE, name=self.name)
        result = self.transcriber.transcribe(clip, verbatim=self.verbatim,
                                             vocabulary=self.vocabulary)
        with self._cond:
            st = self._state
            st.warnings.extend(w for w in result.warnings if w not in st.warnings)
            st.decode_seconds += time.perf_counter() - started
        return [_shift(s, offset / SAMPLE_RATE) for s in result.segments]

    def _decode(self, samples: np.ndarray, offset: int) -> None:
        """Transcribe one finished stretch and keep its segments."""
        if not samples.size:
            return
        segments = self._transcribe(samples, offset)
        with self._cond:
            self._state.segments.extend(segments)
            self._state.stretches += 1
            self._cond.notify_all()

    # ---------------------------------------------------------------- the end
    def finish(self, timeout: float | None = None) -> Transcript:
        """Decode what is left after the last stretch and return the whole transcript.

        Waits for a stretch being decoded (``timeout`` seconds at most, None = no limit).
        Raises :class:`~interview.errors.TranscriptionError` if decoding failed."""
        started = time.perf_counter()
        with self._cond:
            self._state.finishing = True
            self._cond.notify_all()
        self._worker.join(timeout)
        #: seconds finish() waited for a stretch the worker was decoding at "stop"
        self.waited_seconds = time.perf_counter() - started
        if self._worker.is_alive():
            raise TranscriptionError(
                "transcribing the answer is taking too long; it is saved: retry it from the "
                "saved audio")
        st = self._state
        if st.error is not None:
            raise _as_error(st.error, self.transcriber)
        with self._cond:
            rest = self._audio(st.committed)
            offset = st.committed
            provisional = st.provisional
            st.committed = st.received
            st.provisional = None
        try:
            regions = _regions(rest, self._vad)
            keep = _tail_after(provisional, offset, regions) \
                if provisional is not None else None
            split, more, kept = (0, True, []) if keep is None else (*keep, provisional[2])
            # the open stretch is decoded up to its last pause: only what was said after
            # that pause is left (nothing, when the applicant paused before stopping)...
            self.reused_provisional = keep is not None
            tail: list[Segment] = []
            if more:
                speculative = st.speculative
                if speculative is not None and speculative[0] == offset + split and not any(
                        offset + e > speculative[1] + _PAD_TOLERANCE for _s, e in regions):
                    tail = speculative[2]  # ...and that was decoded while it was spoken
                    self.reused_speculative = True
                else:
                    self.tail_decoded_seconds = (rest.size - split) / SAMPLE_RATE
                    tail = self._transcribe(rest[split:], offset + split)
            else:
                self.tail_decoded_seconds = 0.0
            with self._cond:
                st.segments.extend(kept + tail)
                st.stretches += bool(kept or tail)
        except BaseException as exc:  # noqa: BLE001
            raise _as_error(exc, self.transcriber) from exc
        segments = [replace(s, id=i) for i, s in enumerate(st.segments)]
        text = " ".join(s.text for s in segments).strip()
        warnings = list(st.warnings)
        if not text:
            warnings.append("no words were recognised: speak closer to the microphone and try again")
        return Transcript(
            text=text, segments=segments, language=getattr(self.transcriber, "_language",
                                                           lambda: "en")(),
            duration=round(st.received / SAMPLE_RATE, 3),
            backend=getattr(self.transcriber, "backend", ""),
            model=getattr(self.transcriber, "model_name", ""),
            elapsed=round(st.decode_seconds, 3), warnings=warnings,
        )

    def close(self) -> None:
        """Stop the worker without finishing (the take is abandoned or finished elsewhere)."""
        with self._cond:
            self._state.closed = True
            self._cond.notify_all()

    @property
    def stretches(self) -> int:
        """Stretches decoded so far."""
        return self._state.stretches


def _as_error(exc: BaseException, transcriber) -> InterviewError:
    if isinstance(exc, InterviewError):
        return exc
    return TranscriptionError(
        f"{getattr(transcriber, 'backend', 'the model')} failed while transcribing: {exc}")
