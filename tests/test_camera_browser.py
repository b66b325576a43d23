"""End to end: the Camera check page in headless Chromium with a fake camera.

Starts ``streamlit run app.py`` (the fixture of test_e2e_browser.py) and opens the Camera
check with Chromium's fake capture device playing a Y4M made from a public-domain portrait
looking into the lens (tests/video_faces.py). The photo goes through the real
``st.camera_input`` widget, the server and the face model; only the camera is faked.
"""

from __future__ import annotations

import pytest

from browser import chromium, open_page, speech_wav_48k
from test_e2e_browser import ARTIFACTS, server  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

cv2 = pytest.importorskip("cv2", reason="the video extra is not installed (pip install '.[video]')")

from video_faces import frame, look, photo, write_y4m  # noqa: E402

NAME, SCALE = "grace_hopper", 1.15


@pytest.mark.parametrize("case, expect_text", [
    ("lens", "You are ready on camera"),
    ("notes", "You are looking down"),
])
def test_camera_check_with_a_fake_camera(server, tmp_path, case, expect_text):  # noqa: F811
    from playwright.sync_api import expect

    url, data = server
    face = photo(NAME)
    if case == "notes":
        face = look(face, NAME, 0, 0.1)
    y4m = write_y4m(tmp_path / "camera.y4m", [frame(face, scale=SCALE)] * 10)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium(video=y4m) as browser:
        page = open_page(browser, url, permissions=["camera"],
                         viewport={"width": 1280, "height": 1400})
        page.get_by_role("link", name="Camera check").click()
        expect(page.get_by_role("heading", name="Camera check")).to_be_visible()
        camera = page.get_by_test_id("stCameraInput")
        take = camera.get_by_role("button", name="Take Photo")
        expect(take).to_be_enabled()
        page.wait_for_timeout(1500)  # let the fake camera deliver frames
        take.click()
        expect(page.get_by_text(expect_text).first).to_be_visible()
        expect(page.get_by_text("Photos looking into the lens")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"camera_check_{case}.png"), full_page=True)
    # nothing was stored
    assert not [p for p in data.rglob("*") if p.suffix in (".jpg", ".png", ".webm")]


def test_five_second_eye_contact_test_with_a_fake_camera(server, tmp_path):  # noqa: F811
    """The recorder (video) on the Camera check: five seconds of the fake camera, half of the
    Y4M loop looking into the lens and half down at notes, measured and then deleted."""
    from playwright.sync_api import expect

    url, data = server
    face = photo(NAME)
    down = look(face, NAME, 0, 0.1)
    # the fake camera loops this 2-second file: 1 s into the lens, 1 s down
    y4m = write_y4m(tmp_path / "camera.y4m",
                    [frame(face, scale=SCALE)] * 10 + [frame(down, scale=SCALE)] * 10, fps=10)
    wav = speech_wav_48k(tmp_path / "speech48k.wav")
    with chromium(audio=wav, video=y4m) as browser:
        page = open_page(browser, url, permissions=["camera", "microphone"],
                         viewport={"width": 1280, "height": 1600})
        page.get_by_role("link", name="Camera check").click()
        expect(page.get_by_role("heading", name="Five-second eye-contact test")).to_be_visible()
        rec = page.frame_locator('iframe[title*="answer_recorder"]')
        rec.get_by_role("button", name="Record", exact=True).click()
        expect(rec.get_by_role("button", name="Stop recording")).to_be_visible()
        expect(page.get_by_text("Eyes on the lens")).to_be_visible(timeout=60_000)
        share = page.get_by_test_id("stMetric").filter(has_text="Eyes on the lens").inner_text()
        page.screenshot(path=str(ARTIFACTS / "camera_five_second_test.png"), full_page=True)
    pct = int(share.split("%")[0].split()[-1])
    assert 25 <= pct <= 75, share  # about half the time into the lens
    assert not [p for p in data.rglob("*") if p.suffix in (".jpg", ".png", ".webm", ".mp4")]
