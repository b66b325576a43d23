"""A one-question page for the browser test of the recorder's stream mode
(tests/test_recorder_stream_browser.py).

It draws the real recorder widget (app_pages/_recorder.py) with ``stream=True`` inside a
fragment, keeps each chunk once (by ``seq``), acknowledges what it has stored and sends back
captions made from the number of chunks received (so the test sees them change while the
applicant is still speaking). On the final update it writes the take as a 16 kHz WAV in
``RECORDER_OUT`` with a JSON note of the sequence numbers and timings, and says
"Take saved". A browser that cannot stream sends the whole take instead: it is written as
it came, and the page says "Whole take saved".
"""

from __future__ import annotations

import json
import os
import wave
from pathlib import Path

import streamlit as st

from app_pages._recorder import SAMPLE_RATE, RecordedTake, StreamUpdate, recorder

OUT = Path(os.environ["RECORDER_OUT"])
CHUNK = float(os.environ.get("RECORDER_CHUNK", "1"))
#: an SVI-style question: a read timer, recording starting by itself, an answer limit
TIMED = {"read_seconds": float(os.environ.get("RECORDER_READ", "0")) or None,
         "answer_seconds": float(os.environ.get("RECORDER_LIMIT", "0")) or None,
         "warning_seconds": float(os.environ.get("RECORDER_WARNING", "0")) or None,
         "auto_start": bool(os.environ.get("RECORDER_READ"))}


@st.fragment
def question() -> None:
    take = st.session_state.setdefault("take", {"take_id": None, "chunks": {}})
    handled = st.session_state.setdefault("handled", set())
    acked = captions = None
    if take["take_id"] and take["chunks"]:
        n = len(take["chunks"])
        acked = {"take_id": take["take_id"], "seq": max(take["chunks"])}
        seconds = sum(len(p) for p in take["chunks"].values()) / 2 / SAMPLE_RATE
        captions = {"text": f"received {n} chunks", "words": n,
                    "wpm": round(n * 60 / seconds, 1) if seconds else None, "fillers": n % 3}
    update = recorder("q1", stream=True, chunk_seconds=CHUNK, acked=acked, captions=captions,
                      handled=handled, **TIMED)
    if isinstance(update, RecordedTake):
        (OUT / update.filename).write_bytes(update.audio)
        st.session_state["whole"] = (update.mime, update.answer_seconds)
    if isinstance(update, StreamUpdate):
        if update.take_id != take["take_id"]:
            take.update(take_id=update.take_id, chunks={})
        new = [c for c in update.chunks if c.seq not in take["chunks"]]
        for c in new:
            take["chunks"][c.seq] = c.pcm
        if update.final:
            seqs = sorted(take["chunks"])
            pcm = b"".join(take["chunks"][s] for s in seqs)
            with wave.open(str(OUT / "take.wav"), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(SAMPLE_RATE)
                w.writeframes(pcm)
            (OUT / "take.json").write_text(json.dumps({
                "seqs": seqs, "answer_seconds": update.answer_seconds,
                "started_at": update.started_at.isoformat() if update.started_at else None,
                "timed_out": update.timed_out, "warned": update.warned,
                "read_seconds": update.read_seconds, "answer_limit": update.answer_limit}))
            handled.add(update.marker)
            st.session_state["saved"] = (len(seqs), len(pcm) / 2 / SAMPLE_RATE,
                                         update.answer_seconds)
        elif new:
            st.rerun(scope="fragment")  # draw the new acknowledgement and captions now
    if st.session_state.get("saved"):
        n, seconds, used = st.session_state["saved"]
        st.success(f"Take saved: {n} chunks, {seconds:.2f} seconds; answer time {used:.2f} s")
    if st.session_state.get("whole"):
        mime, used = st.session_state["whole"]
        st.success(f"Whole take saved: {mime}; answer time {used:.2f} s")


st.title("Stream recorder")
question()
