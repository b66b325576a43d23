"""The recorder widget's Python side: what it accepts from the browser, and that each take is
handed out once. (The browser side runs in tests/test_recorder_browser.py.)"""

from __future__ import annotations

import base64

import pytest

from conftest import FIXTURES


def _value(**over):
    audio = (FIXTURES / "answer.webm").read_bytes()
    value = {"take_key": "k", "take_id": "t1", "mime": "audio/webm;codecs=opus",
             "audio_b64": base64.b64encode(audio).decode(), "started_at_ms": 1_790_000_000_000,
             "read_seconds": 4.2, "answer_seconds": 180.0, "timed_out": True, "warned": True,
             "read_limit": 30, "answer_limit": 180}
    value.update(over)
    return value


def test_a_take_carries_its_audio_and_timings():
    from app_pages._recorder import parse_take

    take = parse_take(_value())
    assert take.audio == (FIXTURES / "answer.webm").read_bytes()
    assert take.filename == "recording.webm"
    assert take.timed_out and take.warned
    assert take.read_seconds == 4.2 and take.answer_seconds == 180.0
    assert take.started_at.year == 2026 and take.started_at.tzinfo is not None
    assert parse_take(_value(mime="audio/ogg;codecs=opus")).filename == "recording.ogg"


@pytest.mark.parametrize("over, words", [
    ({"audio_b64": "not base64!!"}, "damaged"),
    ({"audio_b64": ""}, "empty"),
    ({"mime": "text/html"}, "not audio"),
])
def test_a_bad_take_is_refused_with_a_message(over, words):
    from app_pages._recorder import RecorderError, parse_take

    with pytest.raises(RecorderError, match=words):
        parse_take(_value(**over))
    with pytest.raises(RecorderError):
        parse_take("<script>")


def test_nonsense_timings_are_dropped_not_trusted():
    from app_pages._recorder import parse_take

    take = parse_take(_value(read_seconds=-3, answer_seconds="lots", started_at_ms=None))
    assert take.read_seconds is None and take.answer_seconds is None and take.started_at is None


def test_the_widget_hands_each_take_out_once(tmp_path):
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "page.py"
    script.write_text(
        "import streamlit as st\n"
        "from app_pages._recorder import recorder\n"
        "take = recorder('q1', answer_seconds=180, warning_seconds=60)\n"
        "st.session_state.setdefault('takes', [])\n"
        "if take: st.session_state['takes'].append(take.take_id)\n")
    at = AppTest.from_file(str(script), default_timeout=30)
    at.run()
    assert not at.exception and at.session_state["takes"] == []
    at.session_state["recorder:q1"] = _value()
    at.run()
    at.run()
    assert at.session_state["takes"] == ["t1"]


# -- stream mode -----------------------------------------------------------------------------

TAKE_ID = "0123456789abcdef0123456789abcdef"


def _pcm(seconds: float) -> bytes:
    import numpy as np

    t = np.arange(int(seconds * 16000)) / 16000
    return (np.sin(2 * np.pi * 220 * t) * 8000).astype("<i2").tobytes()


def _stream(pieces=None, **over):
    """A streamed value with ``pieces`` ((seq, pcm) pairs) as its chunks; ``over`` replaces
    fields (``chunks`` as sent, for malformed ones)."""
    if pieces is None:
        pieces = [(0, _pcm(2)), (1, _pcm(2)), (2, _pcm(0.5))]
    value = {"take_key": "q1", "take_id": TAKE_ID, "mode": "stream", "format": "pcm_s16le",
             "sample_rate": 16000,
             "chunks": [{"seq": s, "b64": base64.b64encode(p).decode()} for s, p in pieces],
             "final": False, "started_at_ms": 1_790_000_000_000, "read_seconds": 3.5,
             "read_limit": 30, "answer_limit": 180, "warned": False, "timed_out": False,
             "answer_seconds": None}
    value.update(over)
    return value


def test_a_stream_update_carries_its_chunks_in_order():
    from app_pages._recorder import SAMPLE_RATE, parse_stream

    update = parse_stream(_stream())
    assert SAMPLE_RATE == 16000
    assert update.take_id == TAKE_ID and not update.final
    assert [c.seq for c in update.chunks] == [0, 1, 2]
    assert update.chunks[0].pcm == _pcm(2) and update.seconds == 4.5
    assert update.answer_seconds is None and not update.timed_out
    assert update.started_at.year == 2026 and update.read_seconds == 3.5
    assert update.read_limit == 30 and update.answer_limit == 180
    assert update.marker == f"recorder:q1:{TAKE_ID}:final"

    final = parse_stream(_stream([(7, _pcm(1)), (8, b"")], final=True, answer_seconds=18.25,
                                 timed_out=True, warned=True))
    assert final.final and final.answer_seconds == 18.25 and final.timed_out and final.warned
    assert [c.seq for c in final.chunks] == [7, 8] and final.chunks[1].pcm == b""
    assert parse_stream(_stream([], final=True)).chunks == ()


@pytest.mark.parametrize("over, words", [
    ({"format": "audio/webm"}, "not 16-bit PCM"),
    ({"sample_rate": 48000}, "48000 Hz, not 16000 Hz"),
    ({"sample_rate": True}, "not 16000 Hz"),
    ({"take_id": "t1"}, "take id"),
    ({"take_id": TAKE_ID.upper()}, "take id"),
    ({"take_id": None}, "take id"),
    ({"chunks": "lots"}, "no list of chunks"),
    ({"chunks": [{"seq": -1, "b64": ""}]}, "sequence number"),
    ({"chunks": [{"seq": "0", "b64": ""}]}, "sequence number"),
    ({"chunks": [{"seq": 1.0, "b64": ""}]}, "sequence number"),
    ({"chunks": [{"seq": True, "b64": ""}]}, "sequence number"),
    ({"chunks": ["AAAA"]}, "sequence number"),
    ({"chunks": [{"seq": 2, "b64": ""}, {"seq": 2, "b64": ""}]}, "out of order"),
    ({"chunks": [{"seq": 3, "b64": ""}, {"seq": 1, "b64": ""}]}, "out of order"),
    ({"chunks": [{"seq": 0, "b64": "not base64!!"}]}, "damaged"),
    ({"chunks": [{"seq": 0}]}, "no audio"),
    ({"chunks": [{"seq": 0, "b64": base64.b64encode(b"abc").decode()}]}, "odd number of bytes"),
    ({"chunks": [{"seq": 0, "b64": base64.b64encode(bytes(320_002)).decode()}]}, "10 s"),
    ({"chunks": [{"seq": 0, "b64": "A" * 1_000_000}]}, "10 s"),
    ({"chunks": [{"seq": i, "b64": ""} for i in range(401)]}, "401 chunks"),
])
def test_a_bad_stream_update_is_refused_with_a_message(over, words):
    from app_pages._recorder import RecorderError, parse_stream

    with pytest.raises(RecorderError, match=words) as caught:
        parse_stream(_stream(**over))
    message = str(caught.value)
    assert "record again" in message and "\n" not in message
    with pytest.raises(RecorderError):
        parse_stream("<script>")


def test_the_longest_chunk_and_the_most_chunks_are_accepted():
    from app_pages._recorder import parse_stream

    assert parse_stream(_stream([(0, bytes(320_000))])).seconds == 10
    assert len(parse_stream(_stream([(i, b"") for i in range(400)])).chunks) == 400


_STREAM_PAGE = (
    "import streamlit as st\n"
    "from app_pages._recorder import StreamUpdate, recorder\n"
    "st.session_state.setdefault('updates', [])\n"
    "{handled}"
    "update = recorder('q1', stream=True, chunk_seconds=2, acked=None, captions=None{arg})\n"
    "if isinstance(update, StreamUpdate):\n"
    "    st.session_state['updates'].append(([c.seq for c in update.chunks], update.final,\n"
    "                                        update.marker))\n")


def test_stream_updates_are_handed_out_every_run_and_a_final_until_handled(tmp_path):
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "page.py"
    script.write_text(_STREAM_PAGE.format(
        handled="handled = st.session_state.setdefault('mine', set())\n", arg=", handled=handled"))
    at = AppTest.from_file(str(script), default_timeout=30)
    at.run()
    assert not at.exception and at.session_state["updates"] == []
    marker = f"recorder:q1:{TAKE_ID}:final"
    at.session_state["recorder:q1"] = _stream([(0, _pcm(2))])
    at.run()
    at.run()  # a rerun hands the same chunks again: the caller keeps each seq once
    assert at.session_state["updates"] == [([0], False, marker), ([0], False, marker)]
    at.session_state["recorder:q1"] = _stream([(1, _pcm(2)), (2, _pcm(1))], final=True,
                                              answer_seconds=5.0)
    at.run()
    at.run()  # not yet finished by the caller: handed out again
    assert at.session_state["updates"][2:] == [([1, 2], True, marker)] * 2
    at.session_state["mine"].add(marker)
    at.run()
    assert len(at.session_state["updates"]) == 4


def test_without_handled_a_stream_final_is_handed_out_once(tmp_path):
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "page.py"
    script.write_text(_STREAM_PAGE.format(handled="", arg=""))
    at = AppTest.from_file(str(script), default_timeout=30)
    at.run()
    at.session_state["recorder:q1"] = _stream([(0, _pcm(1))])
    at.run()
    at.session_state["recorder:q1"] = _stream([(1, _pcm(1))], final=True, answer_seconds=2.0)
    at.run()
    at.run()
    assert [u[1] for u in at.session_state["updates"]] == [False, True]


def test_a_broken_stream_value_raises_recorder_error_from_the_widget(tmp_path):
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "page.py"
    script.write_text(
        "import streamlit as st\n"
        "from app_pages._recorder import RecorderError, recorder\n"
        "try:\n"
        "    recorder('q1', stream=True)\n"
        "except RecorderError as e:\n"
        "    st.error(str(e))\n")
    at = AppTest.from_file(str(script), default_timeout=30)
    at.run()
    at.session_state["recorder:q1"] = _stream(take_id="nope")
    at.run()
    assert "take id" in at.error[0].value
