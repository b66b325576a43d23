"""A video answer recorded end to end in headless Chromium with a fake camera and microphone.

The recorder component (``video=True``) on a one-question page (tests/apps/video_answer_app.py)
records Chromium's fake camera (a Y4M of a public-domain portrait looking into the lens,
tests/video_faces.py) and fake microphone (real speech); the take is saved through the real
service, its audio track transcribed by the real model, and presence measured from its video.
Only the camera and microphone are faked.
"""

from __future__ import annotations

import pytest

from browser import chromium, open_page, page_server, speech_wav_48k
from conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

cv2 = pytest.importorskip("cv2", reason="the video extra is not installed (pip install '.[video]')")

from video_faces import frame, photo, write_y4m  # noqa: E402

APP = ROOT / "tests" / "apps" / "video_answer_app.py"
LIMIT = 6


@pytest.fixture
def server(tmp_path, data_dir, session_id):
    with page_server(APP, tmp_path, data_dir, RECORDER_SESSION=session_id,
                     RECORDER_LIMIT=str(LIMIT)) as url:
        yield url


def test_video_answer_recorded_saved_transcribed_and_measured(server, tmp_path, data_dir,
                                                              session_id, monkeypatch):
    from playwright.sync_api import expect

    wav = speech_wav_48k(tmp_path / "speech48k.wav")
    y4m = write_y4m(tmp_path / "camera.y4m", [frame(photo("grace_hopper"), scale=1.15)] * 10)
    with chromium(audio=wav, video=y4m) as browser:
        page = open_page(browser, server, permissions=["microphone", "camera"],
                         viewport={"width": 1280, "height": 1200})
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
