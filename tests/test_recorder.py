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
