"""The streaming recorder in the real app, in headless Chromium with the fake microphone.

A practice question answered with "Record" / "Stop recording" in the streaming recorder:
captions and the pace line appear *while* the applicant is still speaking (the server
transcribes finished stretches of speech as the chunks arrive), the take is on disk while it
is recorded, and after "Stop recording" the feedback shows a transcript with the spoken
words. Only the microphone is faked (Chromium's fake capture device playing real speech);
the recorder, the server, Whisper, the scorer and SQLite are real.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from browser import app_env, chromium, open_page, streamlit_server
from conftest import FIXTURES, ROOT, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def speech_loop_48k(dest, seconds: float = 30.0):
    """The spoken answer fixture repeated (1 s pauses) to about ``seconds``, 48 kHz 16-bit."""
    from interview.audio import SAMPLE_RATE, decode_audio, save_wav

    speech = decode_audio(FIXTURES / "answer.wav")
    pause = np.zeros(SAMPLE_RATE, dtype=np.float32)
    parts = [pause]
    while sum(p.size for p in parts) < seconds * SAMPLE_RATE:
        parts += [speech, pause]
    audio = np.concatenate(parts)
    rate = 48000
    t_out = np.arange(int(audio.size * rate / SAMPLE_RATE)) / rate
    up = np.interp(t_out, np.arange(audio.size) / SAMPLE_RATE, audio).astype(np.float32)
    return save_wav(dest, up, sample_rate=rate)


@pytest.fixture
def server(tmp_path):
    require_chromium()
    data = tmp_path / "data"
    data.mkdir()
    env = app_env(data)
    env.pop("INTERVIEW_NO_PRELOAD", None)  # the model loads while the page opens
    with streamlit_server(ROOT / "app.py", env, tmp_path / "streamlit.log") as url:
        yield url, data


def test_captions_appear_while_speaking_and_feedback_follows_stop(server, tmp_path, monkeypatch):
    from playwright.sync_api import expect

    url, data = server
    wav = speech_loop_48k(tmp_path / "speech48k.wav", 40)
    with chromium(audio=wav) as browser:
        page = open_page(browser, url, permissions=["microphone"],
                         viewport={"width": 1280, "height": 1600})
        page.get_by_role("textbox", name="Your name", exact=True).fill("Amina Diallo")
        page.get_by_role("textbox", name="Program name", exact=True).fill("Riverside Internal Medicine")
        page.get_by_role("button", name="Save profile").click()
        expect(page.get_by_text("Riverside Internal Medicine").first).to_be_visible()
        page.get_by_role("spinbutton", name="Number of questions").fill("1")
        page.get_by_role("spinbutton", name="Number of questions").press("Enter")
        page.get_by_role("button", name="Start the interview").click()
        expect(page.get_by_text("Question 1 of 1").first).to_be_visible()

        recorder = page.frame_locator("iframe[title*='answer_recorder']")
        recorder.get_by_role("button", name="Record", exact=True).click()
        stop = recorder.get_by_role("button", name="Stop recording")
        expect(stop).to_be_visible()
        began = time.monotonic()
        captions = recorder.locator("#captions")
        # words on screen while the answer is still being spoken
        expect(captions).to_contain_text("chronic", timeout=40_000)
        during = captions.inner_text()
        pace = recorder.locator("#pace").inner_text()
        assert stop.is_visible()  # still recording
        first_caption = time.monotonic() - began

        # the take is on disk while it is recorded (a closed tab would keep it)
        wavs = list((data / "audio").rglob("*.wav"))
        assert len(wavs) == 1 and wavs[0].stat().st_size > 44 + 16000 * 2 * 4

        page.wait_for_timeout(max(0, int((25 - (time.monotonic() - began)) * 1000)))
        stop.click()
        stopped = time.monotonic()
        expect(page.get_by_role("heading", name="Your answer")).to_be_visible(timeout=120_000)
        expect(page.get_by_text("chronic conditions").first).to_be_visible()
        feedback_after = time.monotonic() - stopped
        body = page.inner_text("body").lower()

    print(f"first caption after {first_caption:.1f} s; feedback {feedback_after:.2f} s after stop")
    assert "words per minute" in pace.lower(), pace
    assert "chronic" in during.lower()
    assert "chronic conditions" in body

    from interview.audio import load_audio
    from interview.storage import Store

    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(data))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with Store.open() as store:
        (sess,) = store.list_sessions()
        answer = sess.answer_at(1)
        assert answer.status == "scored" and answer.source == "audio", answer.error
        clip = load_audio(store.audio_file(answer))
        assert 20 <= clip.duration <= 32, clip.duration
        # the whole take was transcribed: the fixture's words more than once
        assert answer.text.lower().count("chronic") >= 2, answer.text
