"""The Camera check page through AppTest, with real photos (needs the video extra).

Photos are real JPEGs (the public-domain portraits of tests/fixtures/faces placed in a 720p
frame, see video_faces.py), given to ``st.camera_input`` as the browser would.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

cv2 = pytest.importorskip("cv2", reason="the video extra is not installed (pip install '.[video]')")

from video_faces import empty_frame, frame, look, photo  # noqa: E402

APP = str(ROOT / "app.py")
PAGE = "app_pages/camera.py"
NAME, SCALE = "grace_hopper", 1.15


def jpeg(rgb) -> tuple[str, bytes, str]:
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return ("photo.jpg", data.tobytes(), "image/jpeg")


@pytest.fixture
def page(data_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Camera check"
    return at


def texts(at) -> str:
    parts = [e.value for kind in ("success", "warning", "error", "info", "markdown")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def take(at, rgb) -> AppTest:
    at.camera_input[0].set_value(jpeg(rgb))
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_is_in_the_navigation_and_waits_for_a_photo(page):
    assert "Take three to five photos" in texts(page)


def test_good_photo_passes(page, data_dir):
    take(page, frame(photo(NAME), scale=SCALE))
    assert "You are ready on camera" in texts(page)
    assert not page.warning and not page.error
    assert page.get("imgs") or page.get("image"), "the checked photo is shown"
    assert [m.value for m in page.metric] == ["1 of 1"]
    assert not any(data_dir.rglob("*.jpg")) and not any(data_dir.rglob("*.png"))  # nothing stored


def test_dark_room_and_window_behind_say_what_to_change(page):
    take(page, frame(photo(NAME), scale=SCALE, light=0.3, background=60))
    assert "too dark" in texts(page) and "lamp" in texts(page)
    take(page, frame(photo(NAME), scale=SCALE, light=0.55, background=250))
    assert "behind you" in texts(page) and "window" in texts(page)


def test_nobody_in_the_picture(page):
    take(page, empty_frame())
    assert "No face found" in texts(page)


def test_eye_contact_tally_over_several_photos(page):
    face = photo(NAME)
    take(page, frame(face, scale=SCALE))
    take(page, frame(look(face, NAME, 0, 0.1), scale=SCALE))
    take(page, frame(look(face, NAME, 0, 0.1), scale=SCALE))
    assert [m.value for m in page.metric] == ["1 of 3"]
    assert "In 2 of 3 photos you looked down" in texts(page)
    page.button[0].click().run()
    assert [m.value for m in page.metric] == ["0 of 0"]
    take(page, frame(face, scale=SCALE))
    assert [m.value for m in page.metric] == ["1 of 1"]


def test_without_the_video_extra_the_page_says_how_to_enable_it(data_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    monkeypatch.setattr("interview.face.available", lambda: False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert "pip install '.[video]'" in texts(at)


def test_recorded_video_answer_gets_presence_figures(page, data_dir, tmp_path):
    from test_presence import answer_video

    video = answer_video(tmp_path / "answer.webm")
    page.file_uploader[0].upload("answer.webm", video.read_bytes(), "video/webm")
    page.run(timeout=120)
    assert not page.exception, page.exception
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Face in frame"] == "88 %"  # 35 of 40 frames
    assert metrics["Longest look away"] in ("2.0 s", "1.8 s", "2.2 s")
    assert page.get("arrow_vega_lite_chart") or page.get("vega_lite_chart"), "the timeline"
    assert not any(p.suffix == ".webm" for p in data_dir.rglob("*"))  # nothing stored


def test_audio_only_upload_gets_one_line(page):
    from conftest import FIXTURES

    page.file_uploader[0].upload("answer.webm", (FIXTURES / "answer.webm").read_bytes(),
                                 "video/webm")
    page.run(timeout=60)
    assert not page.exception
    assert "no video track" in page.error[0].value
