"""A video answer recorded end to end in headless Chromium with a fake camera and microphone.

The recorder component (``video=True``) on a one-question page (tests/apps/video_answer_app.py)
records Chromium's fake camera (a Y4M of a public-domain portrait looking into the lens,
tests/video_faces.py) and fake microphone (real speech); the take is saved through the real
service, its audio track transcribed by the real model, and presence measured from its video.
Only the camera and microphone are faked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT, require_chromium
from test_e2e_browser import CHROMIUM, _free_port, _speech_wav_48k

pytestmark = [pytest.mark.browser, pytest.mark.slow]

cv2 = pytest.importorskip("cv2", reason="the video extra is not installed (pip install '.[video]')")

from video_faces import frame, photo, write_y4m  # noqa: E402

APP = ROOT / "tests" / "apps" / "video_answer_app.py"
LIMIT = 6


@pytest.fixture
def session_id(data_dir):
    from interview.practice import start_session
    from interview.profile import make_profile
    from interview.storage import Store

    with Store.open() as store:
        who = store.get_or_add_applicant("Amina Diallo")
        profile = make_profile(name="Riverside Internal Medicine", country="us",
                               specialty="internal_medicine")
        sess = start_session(store, who.id, profile,
                             question_ids=["personal.tell-me-about-yourself"])
        return sess.id


@pytest.fixture
def server(tmp_path, data_dir, session_id):
    require_chromium()
    port = _free_port()
    env = dict(os.environ, INTERVIEW_DATA_DIR=str(data_dir), RECORDER_SESSION=session_id,
               RECORDER_LIMIT=str(LIMIT))
    env.pop("DATABASE_URL", None)
    log_path = tmp_path / "streamlit.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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
                pytest.fail("streamlit did not start:\n" + log_path.read_text())
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_video_answer_recorded_saved_transcribed_and_measured(server, tmp_path, data_dir,
                                                              session_id, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    wav = _speech_wav_48k(tmp_path / "speech48k.wav")
    y4m = write_y4m(tmp_path / "camera.y4m", [frame(photo("grace_hopper"), scale=1.15)] * 10)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                  f"--use-file-for-fake-audio-capture={wav}",
                  f"--use-file-for-fake-video-capture={y4m}", "--no-sandbox", "--disable-gpu",
                  "--disable-quic", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1200})
            context.grant_permissions(["microphone", "camera"], origin=server)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(server)
            rec = page.frame_locator("iframe").first
            rec.get_by_role("button", name="Record", exact=True).click()
            stop = rec.get_by_role("button", name="Stop recording")
            expect(stop).to_be_visible()
            expect(rec.locator("video#preview")).to_be_visible()  # the applicant sees themself
            expect(stop).to_be_hidden(timeout=LIMIT * 1000 + 10_000)  # stops at the limit
            saved = page.get_by_text("Take saved")
            expect(saved).to_be_visible(timeout=240_000)
            message = saved.inner_text()
            presence_line = page.get_by_text("Presence:").inner_text()
        finally:
            browser.close()

    assert "video True" in message and "video/webm" in message, message
    from interview.storage import Store
    from interview.video import probe

    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(data_dir))
    with Store.open() as store:
        (answer,) = store.answer_attempts(session_id, 1)
        assert answer.status == "scored", answer.error
        assert answer.text.strip(), "the audio track was transcribed"
        path = store.audio_file(answer)
        info = probe(path)  # the stored take has its video track
        assert (info.width, info.height) == (1280, 720)
        presence = answer.metrics["presence"]
        assert presence["face_in_frame"] > 0.9, presence
        assert presence["eye_contact"] > 0.7, presence
        assert presence["frames"] >= 20
    assert "face in frame" in presence_line
