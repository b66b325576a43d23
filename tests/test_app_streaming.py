"""The streaming recorder through the whole app (``AppTest``): chunks of real speech arrive
as the recorder component's values (what the browser sends every two seconds), each is on
disk and committed before the next run, the answer is transcribed while it is "spoken" by
the real Whisper model, captions come back to the component, and "Stop recording" (the final
value) gives the scored answer. The component itself runs in Chromium in
tests/test_recorder_stream_browser.py and tests/test_streaming_browser.py.
"""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import FIXTURES, ROOT
from test_app import create_profile, start, texts, wer

APP = str(ROOT / "app.py")
RUN_TIMEOUT = 240

pytestmark = pytest.mark.slow


def pcm_chunks(seconds: float = 2.0) -> list[bytes]:
    """The spoken answer fixture as 16 kHz 16-bit PCM, cut as the recorder cuts it."""
    from interview.audio import decode_audio

    samples = decode_audio(FIXTURES / "answer.wav")
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    step = int(seconds * 16000) * 2
    return [pcm[i:i + step] for i in range(0, len(pcm), step)]


def value(take_id: str, chunks: dict[int, bytes], *, final: bool = False,
          answer_seconds: float | None = None) -> dict:
    return {"take_key": "k", "take_id": take_id, "mode": "stream", "format": "pcm_s16le",
            "sample_rate": 16000, "final": final,
            "chunks": [{"seq": s, "b64": base64.b64encode(p).decode()}
                       for s, p in sorted(chunks.items())],
            "started_at_ms": 1_790_000_000_000, "read_seconds": 1.0, "read_limit": None,
            "answer_limit": 600, "warned": False, "timed_out": False,
            "answer_seconds": answer_seconds}


@pytest.fixture
def app(data_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    create_profile(at)
    start(at, count=1, method="browser")
    return at


def store():
    from interview.storage import Store

    return Store.open()


def test_a_streamed_answer_is_saved_chunk_by_chunk_captioned_and_scored_at_stop(app):
    from app_pages._live import registry

    sid = app.session_state["active_session_id"]
    key = f"recorder:live:main:{sid}:1:0"
    chunks = pcm_chunks()
    take_id = "a" * 32
    sent: dict[int, bytes] = {}
    answer_id = None
    captions_seen = ""
    for seq, pcm in enumerate(chunks):
        sent[seq] = pcm
        app.session_state[key] = value(take_id, sent)
        app.run()
        assert not app.exception, app.exception
        take = registry().get(take_id)
        assert take is not None and take.acked == seq
        sent = {}  # acknowledged: the component drops them
        # saved before anything else: the row is committed, the samples are on disk
        answer = store().get_session(sid).answer_at(1)
        answer_id = answer_id or answer.id
        assert answer.id == answer_id and answer.status == "recorded"
        path = store().audio_file(answer)
        assert path.stat().st_size == 44 + sum(len(p) for p in chunks[:seq + 1])
        # the recorder stays on the page while the take runs (a full rerun keeps it)
        assert not any("Your score" in t for t in texts(app).splitlines())
        take.stream.wait_idle(60)
        captions_seen = take.captions().text or captions_seen
    assert len(captions_seen.split()) >= 10, captions_seen  # words while still "speaking"

    # a rerun with the same value stores nothing twice
    app.session_state[key] = value(take_id, {len(chunks) - 1: chunks[-1]})
    app.run()
    assert registry().get(take_id).stored_bytes == sum(len(p) for p in chunks)

    started = time.perf_counter()
    app.session_state[key] = value(take_id, {}, final=True, answer_seconds=len(chunks) * 2.0)
    app.run()
    elapsed = time.perf_counter() - started
    assert not app.exception, app.exception
    answer = store().get_answer(answer_id)
    assert answer.status == "scored", answer.error
    assert answer.source == "audio" and answer.answer_seconds == pytest.approx(len(chunks) * 2.0)
    assert wer(answer.text) < 0.15, answer.text
    assert registry().get(take_id) is None
    assert not store().answer_claimed(answer_id)
    page = texts(app)
    assert answer.text.split()[0].strip(",.") in page  # the feedback is on the page now
    print(f"stop -> scored page in AppTest: {elapsed:.2f} s")


def test_a_take_that_restarted_mid_way_is_not_mixed_into_a_new_answer(app):
    sid = app.session_state["active_session_id"]
    key = f"recorder:live:main:{sid}:1:0"
    chunks = pcm_chunks()
    # the server never saw chunk 0 of this take (it went to a process that is gone)
    app.session_state[key] = value("b" * 32, {3: chunks[3], 4: chunks[4]})
    app.run()
    assert not app.exception, app.exception
    assert "restarted while you were answering" in texts(app)
    assert store().get_session(sid).answer_at(1) is None


def test_a_damaged_chunk_gets_one_line_and_keeps_what_was_saved(app):
    sid = app.session_state["active_session_id"]
    key = f"recorder:live:main:{sid}:1:0"
    chunks = pcm_chunks()
    app.session_state[key] = value("c" * 32, {0: chunks[0]})
    app.run()
    bad = value("c" * 32, {1: chunks[1]})
    bad["chunks"][0]["b64"] = "not base64!"
    app.session_state[key] = bad
    app.run()
    assert not app.exception, app.exception
    message = [e.value for e in app.error]
    assert message and "record again" in message[0] and "\n" not in message[0].strip()
    answer = store().get_session(sid).answer_at(1)
    assert store().audio_file(answer).stat().st_size == 44 + len(chunks[0])


def test_live_captions_are_on_in_practice_and_off_in_timed_formats(data_dir, monkeypatch):
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    shown = {}
    for fmt in ("practice", "svi", "mmi"):
        at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
        at.run()
        if not shown:  # the saved profile is reused afterwards
            create_profile(at)
        start(at, count=1, mode=fmt, method="browser")
        sid = at.session_state["active_session_id"]
        shown[fmt] = at.session_state[f"captions_on:{sid}"]
        assert at.toggle(key=f"captions_on:{sid}").label == "Live captions"
    assert shown == {"practice": True, "svi": False, "mmi": False}
