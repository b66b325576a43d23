"""End to end: the real app in headless Chromium, answering through ``st.audio_input``.

Starts ``streamlit run app.py`` on a free port with a temporary data directory and drives it
with Playwright (sync API) on Debian's ``/usr/bin/chromium`` (no browser download). The
microphone is Chromium's fake capture device fed from a WAV of real speech (the speech
fixture, resampled to 48 kHz 16-bit PCM, which the fake device plays reliably). Only the
hardware is faked: the recording goes through the browser widget, the server, the real
Whisper model, the scorer and SQLite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from conftest import CHROMIUM, FIXTURES, ROOT, require_chromium

ARTIFACTS = ROOT / "tests" / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _speech_wav_48k(dest: Path) -> Path:
    """The spoken answer fixture as 48 kHz mono 16-bit PCM, with a second of silence around
    it (the fake device loops the file; the silence keeps the loop from cutting a word)."""
    from interview.audio import SAMPLE_RATE, decode_audio, save_wav

    speech = decode_audio(FIXTURES / "answer.wav")
    rate = 48000
    t_out = np.arange(int(len(speech) * rate / SAMPLE_RATE)) / rate
    up = np.interp(t_out, np.arange(len(speech)) / SAMPLE_RATE, speech).astype(np.float32)
    pad = np.zeros(rate, dtype=np.float32)
    return save_wav(dest, np.concatenate([pad, up, pad]), sample_rate=rate)


@pytest.fixture
def server(tmp_path):
    """``streamlit run app.py`` on a free port; yields its URL; stopped afterwards."""
    require_chromium()
    port = _free_port()
    data = tmp_path / "data"
    data.mkdir()
    env = dict(os.environ, INTERVIEW_DATA_DIR=str(data))
    env.pop("DATABASE_URL", None)
    env.pop("INTERVIEW_NO_PRELOAD", None)
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("streamlit did not start:\n" + (tmp_path / "streamlit.log").read_text())
            time.sleep(0.5)
        yield url, data
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_record_an_answer_in_chromium_and_get_feedback(server, tmp_path, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    url, data = server
    wav = _speech_wav_48k(tmp_path / "speech48k.wav")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "e2e_feedback.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                  f"--use-file-for-fake-audio-capture={wav}", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1600})
            context.grant_permissions(["microphone"], origin=url)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(url)

            # 1. a program profile
            expect(page.get_by_role("heading", name="Practice")).to_be_visible()
            page.get_by_role("textbox", name="Your name", exact=True).fill("Amina Diallo")
            page.get_by_role("textbox", name="Program name", exact=True).fill("Riverside Internal Medicine")
            page.get_by_role("textbox", name="Mission statement", exact=True).fill(
                "We train internists for underserved communities.")
            page.get_by_role("button", name="Save profile").click()
            expect(page.get_by_text("Riverside Internal Medicine").first).to_be_visible()

            # 2. a one-question practice session, answered in the browser
            page.get_by_role("spinbutton", name="Number of questions").fill("1")
            page.get_by_role("spinbutton", name="Number of questions").press("Enter")
            page.get_by_role("button", name="Start the interview").click()
            expect(page.get_by_text("Question 1 of 1").first).to_be_visible()

            recorder = page.get_by_test_id("stAudioInput")
            expect(page.get_by_text("suggested").first).to_be_visible()  # the timer
            page.screenshot(path=str(ARTIFACTS / "e2e_question.png"), full_page=True)
            recorder.get_by_role("button", name="Record").click()
            expect(recorder.get_by_role("button", name="Stop recording")).to_be_visible()
            page.wait_for_timeout(11_000)  # the fixture is ~9 s of speech
            recorder.get_by_role("button", name="Stop recording").click()

            # 3. feedback: transcript and scores
            feedback = page.get_by_role("heading", name="Your answer")
            expect(feedback).to_be_visible(timeout=240_000)
            expect(page.get_by_text("Overall").first).to_be_visible()
            expect(page.get_by_text("Speaking rate").first).to_be_visible()
            body = page.inner_text("body").lower()
            page.screenshot(path=str(shot), full_page=True)

            # 4. finish: the session summary
            page.get_by_role("button", name="Finish").click()
            page.get_by_role("button", name="See the session summary").click()
            expect(page.get_by_role("heading", name="Top three things to work on")).to_be_visible()
            expect(page.get_by_role("link", name="Draft thank-you emails")).to_be_visible()
            summary = page.inner_text("body")
            page.screenshot(path=str(ARTIFACTS / "e2e_summary.png"), full_page=True)

            # 5. the pre-flight check with the same (fake) microphone
            page.get_by_role("link", name="Pre-flight check").click()
            recorder = page.get_by_test_id("stAudioInput")
            recorder.get_by_role("button", name="Record").click()
            page.wait_for_timeout(5_000)
            recorder.get_by_role("button", name="Stop recording").click()
            expect(page.get_by_text("Peak level")).to_be_visible()
            preflight = page.inner_text("body")
            page.screenshot(path=str(ARTIFACTS / "e2e_preflight.png"), full_page=True)
        finally:
            browser.close()

    assert "chronic conditions" in body, body[:2000]
    assert "wpm" in body and "/ 5" in body
    assert shot.stat().st_size > 10_000
    assert "Top three things to work on" in summary and "Strongest answer" in summary
    assert "dBFS" in preflight

    from interview.storage import Store

    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(data))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with Store.open() as store:
        (sess,) = store.list_sessions()
        answer = sess.answer_at(1)
        assert answer.status == "scored" and answer.source == "audio"
        assert store.audio_file(answer).is_file()
        assert "chronic conditions" in answer.text.lower(), answer.text
