"""Streamed takes (interview.live) on a real SQLite store in a fresh data directory: the
first chunk saves the answer under a held claim, every later chunk is on disk before it is
acknowledged, finish/sweep score with the transcript made while it was spoken, and a take
cut off by a crash is sealed and finished by ``interview recover``.

The storage tests run without a model: their stream's worker never looks at the audio
(``check_every_seconds`` past any take). The tests that finish a take run the bundled
tiny.en (``get_transcriber()``) on the answer fixture and are marked slow.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
import wave

import pytest

from conftest import FIXTURES, ROOT
from interview.errors import StorageError
from interview.live import LiveTakes
from interview.recovery import find_unfinished, recover
from interview.storage.files import WAV_HEADER_BYTES, AnswerBusy, append_pcm, seal_wav, wav_header
from interview.streaming import StreamOptions

sys.path.insert(0, str(ROOT / "benchmarks"))

from speech_eval import normalizer_skip_reason, wer  # noqa: E402

REFS = json.loads((FIXTURES / "references.json").read_text())["texts"]
RATE = 16000
#: 2 s of 16-bit mono PCM
CHUNK = 2 * RATE * 2

with wave.open(str(FIXTURES / "answer.wav")) as _w:
    assert (_w.getframerate(), _w.getnchannels(), _w.getsampwidth()) == (RATE, 1, 2)
    PCM = _w.readframes(_w.getnframes())
CHUNKS = [PCM[i:i + CHUNK] for i in range(0, len(PCM), CHUNK)]
#: a worker that never looks (storage tests need no model)
IDLE_WORKER = StreamOptions(check_every_seconds=1e9)


def _file(store, take):
    return store.audio_file(store.get_answer(take.answer_id))


def _on_disk(path) -> bytes:
    """The samples a WAV reader gets from the file, checking the header's sizes first."""
    raw = path.read_bytes()
    assert raw[:4] == b"RIFF" and raw[8:16] == b"WAVEfmt " and raw[36:40] == b"data"
    data = len(raw) - WAV_HEADER_BYTES
    assert int.from_bytes(raw[40:44], "little") == data
    assert int.from_bytes(raw[4:8], "little") == 36 + data
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (RATE, 1, 2)
        assert w.getnframes() == data // 2
        return w.readframes(w.getnframes())


@pytest.fixture
def takes():
    live = LiveTakes(options=IDLE_WORKER)
    yield live
    for take_id in list(live._takes):
        live.abandon(live.get(take_id))


def _start(takes, store, session_id, pcm=CHUNKS[0], transcriber=None, **kw):
    return takes.start(store, take_id="take-1", session_id=session_id, position=1, pcm=pcm,
                       transcriber=transcriber, **kw)


# ---- start ------------------------------------------------------------------------------


def test_the_first_chunk_saves_the_answer_under_a_held_claim(store, session_id, takes):
    take = _start(takes, store, session_id)
    answer = store.get_answer(take.answer_id)
    assert answer.status == "recorded" and answer.session_id == session_id
    assert answer.position == 1 and answer.source == "audio"
    assert answer.question_id == "personal.tell-me-about-yourself"
    path = _file(store, take)
    assert path.suffix == ".wav" and _on_disk(path) == CHUNKS[0]
    assert take.stored_bytes == CHUNK and take.acked == 0
    # the same take id again (a rerun) is the same take, not a second answer
    assert _start(takes, store, session_id) is take
    assert len(store.get_session(session_id).answers) == 1

    # live: held, so recovery lists it as in progress and leaves it alone
    assert store.answer_claimed(take.answer_id)
    with pytest.raises(AnswerBusy):  # by the take, not by this thread
        with store.claim_answer(take.answer_id):
            pass
    report = find_unfinished(store)
    assert report.in_progress == [take.answer_id] and report.items == []
    # once let go it is work for recovery
    takes.abandon(take)
    assert not store.answer_claimed(take.answer_id) and takes.get("take-1") is None
    assert [(i.kind, i.answer_id) for i in find_unfinished(store).items] == [
        ("pending", take.answer_id)]


def test_a_damaged_first_chunk_saves_nothing(store, session_id, takes):
    with pytest.raises(StorageError) as err:
        _start(takes, store, session_id, pcm=CHUNKS[0][:-1])
    assert "\n" not in str(err.value) and "odd byte count" in str(err.value)
    assert store.get_session(session_id).answers == [] and len(takes) == 0


# ---- append -----------------------------------------------------------------------------


def test_chunks_are_stored_in_order_once_and_on_disk_before_they_are_acknowledged(
        store, session_id, takes):
    take = _start(takes, store, session_id)
    path = _file(store, take)
    c = CHUNKS
    assert takes.append(store, take, [(1, c[1])]) == 1
    assert _on_disk(path) == c[0] + c[1] and take.acked == 1
    # sent again (the ack was lost): ignored
    assert takes.append(store, take, [(0, c[0]), (1, c[1])]) == 0
    assert _on_disk(path) == c[0] + c[1]
    # a gap: 2 is missing, so 3 waits
    assert takes.append(store, take, [(3, c[3])]) == 0
    assert _on_disk(path) == c[0] + c[1] and take.acked == 1
    # the recorder sends everything unacknowledged again, in any order
    assert takes.append(store, take, [(3, c[3]), (2, c[2]), (1, c[1])]) == 2
    assert _on_disk(path) == c[0] + c[1] + c[2] + c[3] and take.acked == 3
    # a gap inside one batch: what comes before it is stored, nothing after it
    assert takes.append(store, take, [(4, c[4][:1000]), (6, b"\0\0")]) == 1
    assert _on_disk(path) == c[0] + c[1] + c[2] + c[3] + c[4][:1000] and take.acked == 4
    # an odd byte count is refused in one line, nothing of it stored
    with pytest.raises(StorageError) as err:
        takes.append(store, take, [(5, b"\1\2\3")])
    assert "\n" not in str(err.value) and "odd byte count" in str(err.value)
    assert _on_disk(path) == c[0] + c[1] + c[2] + c[3] + c[4][:1000] and take.acked == 4
    assert take.stored_bytes == len(_on_disk(path))
    assert store.get_answer(take.answer_id).status == "recorded"


def test_audio_past_the_limit_is_not_kept(store, session_id, takes):
    take = _start(takes, store, session_id, max_seconds=3.0)
    path = _file(store, take)
    assert takes.append(store, take, [(1, CHUNKS[1])]) == 1
    assert _on_disk(path) == CHUNKS[0] + CHUNKS[1][:RATE * 2]  # exactly 3 s
    assert take.seconds == 3.0
    assert takes.append(store, take, [(2, CHUNKS[2])]) == 1  # acknowledged, not kept
    assert _on_disk(path) == CHUNKS[0] + CHUNKS[1][:RATE * 2] and take.acked == 2


def test_a_chunk_whose_write_failed_half_way_is_stored_once_when_sent_again(
        store, session_id, takes):
    # an append that fails between its two writes (disk full, an I/O error at fsync) leaves
    # samples past the header and is not acknowledged: the recorder sends the chunk again
    take = _start(takes, store, session_id)
    path = _file(store, take)
    with path.open("ab") as f:
        f.write(CHUNKS[1][:5000])
    assert takes.append(store, take, [(1, CHUNKS[1])]) == 1
    assert _on_disk(path) == CHUNKS[0] + CHUNKS[1]
    assert take.stored_bytes == len(CHUNKS[0] + CHUNKS[1])


# ---- the WAV helpers ----------------------------------------------------------------------


def test_seal_wav_corrects_a_short_header_and_leaves_other_files(tmp_path):
    path = tmp_path / "take.wav"
    path.write_bytes(wav_header(4) + b"\1\0\2\0")
    assert not seal_wav(path)  # already right
    assert append_pcm(path, b"\3\0\4\0") == 8
    with path.open("ab") as f:  # a crash between the samples and the header
        f.write(b"\5\0\6\0\7")
    assert seal_wav(path)
    assert _on_disk(path) == b"\1\0\2\0\3\0\4\0\5\0\6\0"  # the odd byte dropped
    assert not seal_wav(path)

    for name in ("answer.webm", "answer.flac", "answer.mp3"):
        other = tmp_path / name
        shutil.copy(FIXTURES / name, other)
        before = other.read_bytes()
        assert seal_wav(other) is False and other.read_bytes() == before
        with pytest.raises(StorageError):
            append_pcm(other, b"\0\0")
        assert other.read_bytes() == before
    assert seal_wav(tmp_path / "missing.wav") is False


# ---- finishing (the model) ----------------------------------------------------------------


def _need_normaliser():
    if normalizer_skip_reason():
        pytest.skip(normalizer_skip_reason())


def _whole_text(transcriber):
    return transcriber.transcribe(FIXTURES / "answer.wav").text


def _send(live, store, take, chunks, first_seq=1):
    for seq, pcm in enumerate(chunks, start=first_seq):
        assert live.append(store, take, [(seq, pcm)]) == 1
        assert take.stream.wait_idle(timeout=300)


@pytest.mark.slow
def test_finish_scores_the_streamed_answer_and_lets_it_go(store, session_id, transcriber):
    _need_normaliser()
    live = LiveTakes()
    take = _start(live, store, session_id, transcriber=transcriber)
    _send(live, store, take, CHUNKS[1:])
    assert take.captions().words > 0  # captions while it was spoken

    done = live.finish(store, take)
    assert done.status == "scored" and done.error is None and done.overall is not None
    whole = _whole_text(transcriber)
    assert wer(REFS["answer"], done.text) <= wer(REFS["answer"], whole) + 0.02, (done.text, whole)
    assert done.transcript["duration"] == round(len(PCM) / 2 / RATE, 3)
    assert done.metrics["word_count"] >= 20
    assert _on_disk(_file(store, take)) == PCM
    # let go: no claim, not in the registry, nothing for recovery
    assert not store.answer_claimed(take.answer_id)
    assert live.get("take-1") is None and len(live) == 0
    assert find_unfinished(store).items == [] and find_unfinished(store).in_progress == []
    # a second stop (a double click, a rerun) gets the same record; a late chunk is ignored
    again = live.finish(store, take)
    assert again is done
    assert live.append(store, take, [(len(CHUNKS), b"\0\0")]) == 0
    assert store.get_answer(take.answer_id).status == "scored"


@pytest.mark.slow
def test_sweep_finishes_a_take_whose_tab_was_closed(store, session_id, transcriber):
    live = LiveTakes(store_factory=lambda: store)
    take = _start(live, store, session_id, transcriber=transcriber)
    _send(live, store, take, CHUNKS[1:2])  # 4 s arrived, then nothing
    assert live.sweep(now=time.monotonic()) == []  # not idle yet
    assert store.get_answer(take.answer_id).status == "recorded"

    assert live.sweep(now=time.monotonic() + live.idle_seconds + 1) == [take.answer_id]
    done = store.get_answer(take.answer_id)
    assert done.status == "scored", done.error
    assert done.transcript["duration"] == 4.0
    assert "internal medicine" in done.text.lower()
    assert len(live) == 0 and not store.answer_claimed(take.answer_id)


@pytest.mark.slow
def test_recover_seals_and_finishes_a_take_cut_off_by_a_crash(store, session_id, transcriber):
    _need_normaliser()
    live = LiveTakes(options=IDLE_WORKER)
    take = _start(live, store, session_id, transcriber=transcriber)
    for seq, pcm in enumerate(CHUNKS[1:-1], start=1):
        assert live.append(store, take, [(seq, pcm)]) == 1
    path = _file(store, take)
    # the process dies between the two writes of the last append: its samples are on disk,
    # the header still has the size before them, and its claim dies with it
    with path.open("ab") as f:
        f.write(CHUNKS[-1])
    live.abandon(take)
    headed = int.from_bytes(path.read_bytes()[40:44], "little")
    assert headed == len(PCM) - len(CHUNKS[-1])
    assert [(i.kind, i.answer_id) for i in find_unfinished(store).items] == [
        ("pending", take.answer_id)]

    report = recover(store, transcriber=transcriber)
    assert [(i.kind, i.answer_id, i.outcome) for i in report.items] == [
        ("pending", take.answer_id, "scored")]
    assert _on_disk(path) == PCM  # sealed: the header covers every sample
    done = store.get_answer(take.answer_id)
    assert done.status == "scored"
    assert done.transcript["duration"] == round(len(PCM) / 2 / RATE, 3)
    # the words of the unheaded tail are in the transcript
    assert wer(REFS["answer"], done.text) <= wer(REFS["answer"], _whole_text(transcriber)) + 0.02
    assert recover(store, transcriber=transcriber).items == []
