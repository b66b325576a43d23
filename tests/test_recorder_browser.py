"""The recorder component in a real headless Chromium with the fake microphone.

An SVI-style question (a read timer, then an answer limit) on a one-question page
(``tests/apps/recorder_app.py``) that uses the real widget and saves through the real
service: recording starts by itself when the read timer ends, the applicant never presses
"Stop recording", the recorder stops at the limit, and the take is saved (audio on disk,
row committed, transcribed and scored). Only the microphone is faked (Chromium's fake
capture device playing real speech).
"""

from __future__ import annotations

import pytest

from browser import app_env, chromium, open_page, page_server, speech_wav_48k, streamlit_server
from conftest import ROOT, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = ROOT / "tests" / "apps" / "recorder_app.py"
READ, LIMIT, WARNING = 2, 8, 3


@pytest.fixture
def server(tmp_path, data_dir, session_id):
    with page_server(APP, tmp_path, data_dir, RECORDER_SESSION=session_id,
                     RECORDER_READ=str(READ), RECORDER_LIMIT=str(LIMIT),
                     RECORDER_WARNING=str(WARNING)) as url:
        yield url


def test_svi_style_question_stops_at_its_limit_and_the_take_is_saved(server, tmp_path, data_dir,
                                                                     session_id, monkeypatch):
    from playwright.sync_api import expect

    wav = speech_wav_48k(tmp_path / "speech48k.wav")
    with chromium(audio=wav) as browser:
        page = open_page(browser, server, permissions=["microphone"])
        frame = page.frame_locator("iframe").first
        # the read timer runs; recording has not started
        expect(frame.get_by_role("timer")).to_contain_text("Reading time left")
        expect(frame.get_by_role("button", name="Record", exact=True)).to_be_visible()
        # it starts by itself when the read time is over
        stop = frame.get_by_role("button", name="Stop recording")
        expect(stop).to_be_visible(timeout=READ * 1000 + 10_000)
        expect(frame.get_by_role("timer")).to_contain_text("Answer time left")
        # the warning before the limit, then the recorder stops itself: nobody clicks Stop
        expect(frame.get_by_role("alert")).to_contain_text("seconds left", timeout=LIMIT * 1000)
        expect(stop).to_be_hidden(timeout=LIMIT * 1000 + 5_000)
        saved = page.get_by_text("Take saved")
        expect(saved).to_be_visible(timeout=240_000)
        message = saved.inner_text()

    assert "timed out True" in message, message
    from interview.audio import load_audio
    from interview.storage import Store

    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(data_dir))
    with Store.open() as store:
        (answer,) = store.answer_attempts(session_id, 1)
        assert answer.source == "audio" and answer.audio_path.endswith(".webm")
        path = store.audio_file(answer)
        assert path.is_file() and path.stat().st_size > 1000
        duration = load_audio(path).duration
        # the take is as long as the limit (not shorter, not running on)
        assert LIMIT - 1.0 <= duration <= LIMIT + 1.5, duration
        assert answer.status == "scored", answer.error
        assert answer.text.strip(), "the speech of the fake microphone was transcribed"
    used = float(message.split("answer time ")[1].split(" s")[0])
    read = float(message.split("read time ")[1].split(" s")[0])
    assert LIMIT - 0.5 <= used <= LIMIT + 0.1, message
    assert READ - 0.3 <= read <= READ + 1.5, message


def test_svi_session_in_the_app_records_through_the_component(tmp_path, data_dir, monkeypatch):
    """The whole app: an SVI-style session answered in the browser with the recorder
    component (started early during the read time, stopped by hand), saved with its timings
    through the practice service; one take, so the session moves straight on."""
    from playwright.sync_api import expect

    from interview.profile import make_profile
    from interview.storage import Store

    require_chromium()
    with Store.open() as store:
        who = store.get_or_add_applicant("Amina Diallo")
        store.find_or_add_profile(make_profile(name="Riverside Internal Medicine", country="us",
                                               specialty="internal_medicine"), applicant_id=who.id)
    wav = speech_wav_48k(tmp_path / "speech48k.wav")
    env = app_env(data_dir, INTERVIEW_NO_PRELOAD="1")
    with streamlit_server(ROOT / "app.py", env, tmp_path / "app.log") as url, \
            chromium(audio=wav) as browser:
        page = open_page(browser, url, permissions=["microphone"],
                         viewport={"width": 1280, "height": 1400})
        expect(page.get_by_text("Riverside Internal Medicine").first).to_be_visible()
        page.get_by_text("Video interview (SVI style)").click()
        page.get_by_role("spinbutton", name="Number of questions").fill("1")
        page.get_by_role("spinbutton", name="Number of questions").press("Enter")
        page.get_by_role("button", name="Start the interview").click()
        expect(page.get_by_text("0:30 to read").first).to_be_visible()
        rec = page.frame_locator('iframe[title*="answer_recorder"]')
        expect(rec.get_by_role("timer")).to_contain_text("Reading time left")
        rec.get_by_role("button", name="Record", exact=True).click()  # ready early
        stop = rec.get_by_role("button", name="Stop recording")
        expect(stop).to_be_visible()
        page.wait_for_timeout(6_000)
        stop.click()
        expect(page.get_by_text("end of this session")).to_be_visible(timeout=240_000)

    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(data_dir))
    with Store.open() as store:
        (sess,) = store.list_sessions()
        assert sess.format == "svi"
        answer = store.get_session(sess.id).answer_at(1)
        assert answer.source == "audio" and store.audio_file(answer).is_file()
        assert answer.read_limit == 30 and answer.answer_limit == 180 and not answer.timed_out
        assert answer.read_seconds < 30 and 5 <= answer.answer_seconds <= 9
        assert answer.recording_started_at is not None
        assert answer.status == "scored", answer.error
