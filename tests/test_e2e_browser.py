"""End to end: the real app in headless Chromium, answering through the streaming recorder.

Starts ``streamlit run app.py`` on a free port with a temporary data directory and drives it
with Playwright (sync API) on Debian's ``/usr/bin/chromium`` (no browser download). The
microphone is Chromium's fake capture device fed from a WAV of real speech (the speech
fixture, resampled to 48 kHz 16-bit PCM, which the fake device plays reliably). Only the
hardware is faked: the recording goes through the browser widget, the server, the real
Whisper model, the scorer and SQLite.
"""

from __future__ import annotations

import pytest

from browser import app_env, chromium, open_page, speech_wav_48k, streamlit_server
from conftest import ROOT, require_chromium

ARTIFACTS = ROOT / "tests" / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(tmp_path):
    """``streamlit run app.py`` on a free port; yields its URL and data directory; stopped
    afterwards."""
    require_chromium()
    data = tmp_path / "data"
    data.mkdir()
    env = app_env(data)
    env.pop("INTERVIEW_NO_PRELOAD", None)
    with streamlit_server(ROOT / "app.py", env, tmp_path / "streamlit.log") as url:
        yield url, data


def test_record_an_answer_in_chromium_and_get_feedback(server, tmp_path, monkeypatch):
    from playwright.sync_api import expect

    url, data = server
    wav = speech_wav_48k(tmp_path / "speech48k.wav")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "e2e_feedback.png"
    with chromium(audio=wav) as browser:
        page = open_page(browser, url, permissions=["microphone"],
                         viewport={"width": 1280, "height": 1600})

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

        # the streaming recorder (a component in its own frame), with the same names
        recorder = page.frame_locator("iframe[title*='answer_recorder']")
        expect(page.get_by_text("suggested").first).to_be_visible()  # the timer
        page.screenshot(path=str(ARTIFACTS / "e2e_question.png"), full_page=True)
        recorder.get_by_role("button", name="Record", exact=True).click()
        expect(recorder.get_by_role("button", name="Stop recording")).to_be_visible()
        page.wait_for_timeout(11_000)  # the fixture is ~9 s of speech
        recorder.get_by_role("button", name="Stop recording").click()

        # 3. feedback: transcript and scores
        feedback = page.get_by_role("heading", name="Your answer")
        expect(feedback).to_be_visible(timeout=240_000)
        expect(page.get_by_text("Overall").first).to_be_visible()
        expect(page.get_by_text("Speaking rate").first).to_be_visible()
        # the highlighted transcript can arrive a moment after the figures
        expect(page.get_by_text("chronic conditions").first).to_be_visible()
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
