"""Transcription while the answer is spoken (interview.streaming).

``next_cut`` (where a stretch ends) is checked as a pure function. Everything else runs the
bundled tiny.en through ``get_transcriber()`` on real speech (the answer fixture and clips of
``../shared/real_speech``), fed in 2-second chunks in lock-step with the worker (``wait_idle``
after each, as benchmarks/bench_streaming.py does), and compares the result with the
whole-file transcription of the same samples.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from conftest import FIXTURES, ROOT, SHARED, need
from interview.audio import SAMPLE_RATE, AudioClip, load_audio
from interview.errors import TranscriptionError
from interview.live import captions_of
from interview.streaming import StreamingTranscription, StreamOptions, next_cut

sys.path.insert(0, str(ROOT / "benchmarks"))

from speech_eval import normalizer_skip_reason, real_speech, wer  # noqa: E402

REFS = json.loads((FIXTURES / "references.json").read_text())["texts"]
CHUNK = int(2.0 * SAMPLE_RATE)

# ---- next_cut: where the next stretch ends (pure) -------------------------------------------

#: samples per second in these cases (a small rate keeps the numbers readable)
R = 100
OPTS = StreamOptions()  # at least 8 s, at most 28 s, settled 0.5 s before the newest audio


def cut(regions, available):
    got = next_cut([(int(s * R), int(e * R)) for s, e in regions], int(available * R), OPTS, rate=R)
    return None if got is None else got / R


def test_next_cut_waits_below_the_shortest_stretch():
    assert cut([], 0) is None
    assert cut([(0.2, 3.0), (3.5, 6.0)], 7.0) is None
    assert cut([(0.2, 7.9)], 20.0) is None  # a finished region, but short of 8 s
    assert cut([], 27.9) is None  # silence only, under the limit


def test_next_cut_ends_at_the_first_finished_region_past_the_shortest_stretch():
    # nothing after it yet: its end
    assert cut([(0.2, 5.0), (5.5, 9.0)], 10.0) == 9.0
    # a later region follows: the middle of the pause (never inside a word)
    assert cut([(0.2, 5.0), (5.5, 9.0), (10.0, 11.0), (12.0, 20.0)], 21.0) == 9.5
    # the first one past 8 s, not a later one
    assert cut([(0.2, 8.5), (9.5, 15.0), (16.0, 20.0)], 21.0) == 9.0


def test_next_cut_ignores_a_region_still_running():
    # ends 0.2 s before the newest audio: not settled (0.5 s), the speaker may go on
    assert cut([(0.2, 5.0), (5.5, 9.8)], 10.0) is None
    assert cut([(0.2, 9.8)], 10.0) is None
    # the same region settled
    assert cut([(0.2, 5.0), (5.5, 9.5)], 10.0) == 9.5
    # a running region after a finished one: the finished one's end, not the pause middle
    assert cut([(0.2, 9.0), (9.6, 11.9)], 12.0) == 9.0


def test_next_cut_forces_a_cut_at_the_last_finished_region_under_the_limit():
    # one long region runs past 28 s: cut after the last finished region inside the limit
    assert cut([(0.2, 3.0), (3.5, 6.0), (6.5, 29.0)], 29.5) == 6.25
    # still running: not counted, so the cut is the last finished region's end
    assert cut([(0.2, 3.0), (3.5, 6.0), (6.5, 30.0)], 30.0) == 6.0
    # ...under the limit, not the one ending past it
    assert cut([(0.2, 3.0), (3.5, 6.0), (6.5, 28.5), (29.0, 29.2)], 30.0) == 6.25
    # under the limit the same audio waits
    assert cut([(0.2, 3.0), (3.5, 6.0), (6.5, 27.5)], 27.7) is None


def test_next_cut_forces_a_cut_at_the_limit_when_no_region_finished_under_it():
    assert cut([(0.2, 29.0)], 29.5) == 28.0
    assert cut([(0.2, 30.0)], 30.0) == 28.0
    assert cut([], 28.5) == 28.0  # silence only


@pytest.mark.parametrize("regions, available", [
    ([(0.2, 5.0), (6.0, 27.5), (40.0, 45.0)], 46.0),  # first region past 8 s, long pause after
    ([(0.2, 3.0), (3.5, 6.0), (51.0, 52.0)], 53.0),  # forced, long pause after
])
def test_a_cut_in_a_long_pause_never_makes_the_stretch_longer_than_the_limit(regions, available):
    got = cut(regions, available)
    assert got is not None and got <= OPTS.max_stretch_seconds
    # ...and still inside the pause, after the last word kept
    ends = [e for _s, e in regions if e <= OPTS.max_stretch_seconds]
    assert got >= max(ends)


# ---- real Whisper ------------------------------------------------------------------------


def _need_normaliser():
    if normalizer_skip_reason():
        need("Whisper's English normaliser", f"{normalizer_skip_reason()}; pip install '.[openai-whisper]'")


def _clips(*names):
    clips = {c.path.name: c for c in real_speech(SHARED / "real_speech")}
    if not all(n in clips for n in names):
        need(f"the real speech clips in {SHARED / 'real_speech'}", "CI checks out ../shared")
    return [clips[n] for n in names]


def _stream(transcriber, samples, options=None):
    """Feed ``samples`` in 2 s chunks, waiting for the worker after each; returns the stream
    (not finished) and the captions seen after each chunk."""
    stream = StreamingTranscription(transcriber, options=options)
    seen = []
    for i in range(0, samples.size, CHUNK):
        stream.feed(samples[i:i + CHUNK])
        assert stream.wait_idle(timeout=300)
        seen.append(captions_of(stream.partial()))
    return stream, seen


def _whole(transcriber, samples):
    return transcriber.transcribe(AudioClip(samples=samples, sample_rate=SAMPLE_RATE,
                                            duration=samples.size / SAMPLE_RATE))


def _check_timeline(transcript, seconds):
    """Segment and word times never go back, across stretches too, and stay in the audio."""
    segments = transcript.segments
    assert [s.id for s in segments] == list(range(len(segments)))
    last_seg = last_word = 0.0
    for s in segments:
        assert last_seg <= s.start <= s.end <= seconds + 0.01, (s, last_seg)
        last_seg = s.start
        for w in s.words:
            assert last_word <= w.start <= w.end <= seconds + 0.01, (w, last_word)
            last_word = w.start


@pytest.fixture(scope="module")
def answer_run(transcriber):
    samples = load_audio(FIXTURES / "answer.wav").samples
    stream, seen = _stream(transcriber, samples)
    return samples, stream, seen, stream.finish(), _whole(transcriber, samples)


@pytest.fixture(scope="module")
def long_run(transcriber):
    """~38 s of real speech: JFK's inaugural line, half a second of silence, the MFA
    acoustic-corpus monologue (fast and slow speech, um/uh)."""
    clips = _clips("jfk.wav", "mfa_acoustic_corpus.wav")
    gap = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
    samples = np.concatenate([gap, load_audio(clips[0].path, check_speech=False).samples, gap,
                              load_audio(clips[1].path, check_speech=False).samples])
    reference = " ".join(c.transcript for c in clips)
    stream, seen = _stream(transcriber, samples)
    return samples, reference, stream, seen, stream.finish(), _whole(transcriber, samples)


@pytest.mark.slow
def test_a_streamed_answer_matches_the_whole_file_transcription(answer_run):
    _need_normaliser()
    samples, stream, seen, streamed, whole = answer_run
    seconds = samples.size / SAMPLE_RATE
    assert wer(REFS["answer"], streamed.text) <= wer(REFS["answer"], whole.text) + 0.02, \
        (streamed.text, whole.text)
    assert streamed.duration == round(seconds, 3)
    _check_timeline(streamed, seconds)
    assert streamed.backend == whole.backend and streamed.model == whole.model
    # words before the end: the first sentence is captioned while the second is spoken
    assert any(c.words for c in seen[:-1]), seen
    assert seen[-1].received_seconds == round(seconds, 2)
    # speech went on to the end: at finish only what followed the last pause was decoded
    # (or, without a provisional decode to keep, the open stretch)
    assert stream.stretches >= 1
    assert not stream.reused_provisional or stream.tail_decoded_seconds > 0
    with pytest.raises(TranscriptionError, match="finished"):
        stream.feed(samples[:CHUNK])


@pytest.mark.slow
def test_a_long_take_is_decoded_in_stretches_while_it_is_spoken(long_run):
    _need_normaliser()
    samples, reference, stream, seen, streamed, whole = long_run
    seconds = samples.size / SAMPLE_RATE
    assert 35 < seconds < 40
    streamed_wer, whole_wer = wer(reference, streamed.text), wer(reference, whole.text)
    assert streamed_wer <= whole_wer + 0.02, (streamed_wer, whole_wer, streamed.text, whole.text)
    assert stream.stretches >= 2
    assert streamed.duration == round(seconds, 3)
    _check_timeline(streamed, seconds)
    # captions grow while it is spoken; the pace appears once there are enough words
    counts = [c.words for c in seen]
    assert counts[len(counts) // 2] > 0 and counts[-1] > counts[len(counts) // 2], counts
    assert seen[0].wpm is None
    paced = [c for c in seen if c.wpm is not None]
    assert paced and all(c.words >= 5 for c in paced) and all(60 < c.wpm < 300 for c in paced)
    assert paced[0] is not seen[-1]  # before the end of the take
    assert all(c.transcribed_seconds <= c.received_seconds for c in seen)
    with pytest.raises(TranscriptionError):
        stream.feed(samples[:CHUNK])


@pytest.mark.slow
def test_a_take_stopped_after_a_pause_reuses_the_decode_made_while_it_was_spoken(transcriber):
    # the answer, then 1.5 s of silence; 12 s stretches so that no cut happens before stop
    samples = load_audio(FIXTURES / "answer.wav").samples
    samples = np.concatenate([samples, np.zeros(int(1.5 * SAMPLE_RATE), dtype=np.float32)])
    stream, seen = _stream(transcriber, samples, StreamOptions(min_stretch_seconds=12.0))
    before = seen[-1]
    assert before.words >= 10 and before.transcribed_seconds > 8.0, before
    streamed = stream.finish()
    assert stream.reused_provisional and stream.tail_decoded_seconds == 0.0
    assert streamed.text == before.text
    assert streamed.duration == round(samples.size / SAMPLE_RATE, 3)
    _check_timeline(streamed, samples.size / SAMPLE_RATE)


# ---- a failure inside the model -------------------------------------------------------------


@pytest.fixture(scope="module")
def flaky():
    """The bundled model, whose N-th decode raises RuntimeError (the narrowest fault: the
    call itself; every other call is the real thing)."""
    from interview.transcribe import FasterWhisperTranscriber

    class Flaky(FasterWhisperTranscriber):
        calls = 0
        fail_at = None

        def transcribe(self, *args, **kwargs):
            self.calls += 1
            if self.calls == self.fail_at:
                raise RuntimeError("ctranslate2 ran out of memory (test)")
            return super().transcribe(*args, **kwargs)

    return Flaky()


@pytest.mark.slow
@pytest.mark.parametrize("where", ["while recording", "at finish"])
def test_a_model_failure_is_one_transcription_error_at_finish(flaky, where):
    samples = load_audio(FIXTURES / "answer.wav").samples
    flaky.calls = 0
    flaky.fail_at = 1 if where == "while recording" else None
    stream, _seen = _stream(flaky, samples)
    assert flaky.calls >= 1  # the worker decoded while it was fed
    if where == "at finish":
        flaky.fail_at = flaky.calls + 1  # the tail decode
    with pytest.raises(TranscriptionError) as err:
        stream.finish()
    msg = str(err.value)
    assert "\n" not in msg and "ran out of memory" in msg and "faster-whisper" in msg, msg
    assert flaky.calls == flaky.fail_at
    # the model itself is fine: the next take transcribes
    flaky.fail_at = None
    again, _ = _stream(flaky, samples[: 4 * SAMPLE_RATE])
    assert "internal medicine" in again.finish().text.lower()
