"""Video answers through the practice service: saved like any take, the audio track
transcribed by the real model, presence measured from the video and stored with the delivery
figures (needs the video extra for the presence part)."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from interview.practice import start_session, submit_answer
from interview.profile import make_profile
from interview.storage import Store

cv2 = pytest.importorskip("cv2", reason="the video extra is not installed (pip install '.[video]')")

from video_faces import frame, look, photo, speech_48k, write_video  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture
def session(store):
    profile = make_profile(name="Lakeside Internal Medicine", country="us", region="IL",
                           specialty="internal_medicine", mission="Serving underserved communities.")
    return start_session(store, store.add_applicant("Amina Diallo"), profile, count=2, seed=3)


def video_answer(path, notes_from: float | None = None):
    """The spoken answer fixture (8.7 s) with a face on camera; from ``notes_from`` seconds
    on, the eyes are down at notes."""
    audio = speech_48k(FIXTURES / "answer.wav")
    seconds = len(audio) / 48000
    face = photo("grace_hopper")
    down = look(face, "grace_hopper", 0, 0.1)
    fps = 10
    frames = [frame(down if notes_from is not None and i / fps >= notes_from else face,
                    scale=1.15) for i in range(int(seconds * fps))]
    return write_video(path, frames, fps=fps, audio=audio)


def test_video_answer_is_saved_transcribed_and_measured(store, session, tmp_path):
    path = video_answer(tmp_path / "take.webm", notes_from=5.0)
    ans = submit_answer(store, session.id, 1, audio=path.read_bytes(), filename="recording.webm",
                        source="audio")
    assert ans.status == "scored", ans.error
    assert "observership" in ans.text.lower()  # the audio track was transcribed
    saved = store.audio_file(ans)
    assert saved.is_file() and saved.read_bytes() == path.read_bytes()  # the take as recorded
    presence = ans.metrics["presence"]
    assert presence["face_in_frame"] == 1.0
    assert presence["speaking_only"] is True
    # into the lens for the first 5 s of ~8.7 s, then down at the notes
    assert 0.45 < presence["eye_contact"] < 0.75
    assert presence["look_aways"][-1]["kind"] == "down"
    assert presence["look_aways"][-1]["start"] == pytest.approx(5.0, abs=0.3)
    assert ans.metrics["words_per_minute"]  # the delivery figures are still there


def test_audio_only_answer_has_no_presence(store, session):
    ans = submit_answer(store, session.id, 1, audio=(FIXTURES / "answer.webm").read_bytes(),
                        filename="recording.webm", source="audio")
    assert ans.status == "scored", ans.error
    assert "presence" not in ans.metrics


def test_review_shows_the_video_with_presence_figures(store, session, tmp_path, monkeypatch):
    from test_app_coach import page, ran, texts

    path = video_answer(tmp_path / "take.webm", notes_from=5.0)
    ans = submit_answer(store, session.id, 1, audio=path.read_bytes(), filename="recording.webm",
                        source="audio")
    assert ans.status == "scored", ans.error
    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    at = ran(page("review"))
    if at.selectbox(key="review_pick").value != session.id:
        at.selectbox(key="review_pick").set_value(session.id)
        ran(at)
    assert "On camera" in texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Face in frame"] == "100 %"
    assert metrics["Eye contact"].endswith("%")
    assert at.get("video"), "the coach sees the video"
    assert any("looked down" in w.value for w in at.warning)  # the tip




def test_video_answers_toggle_off_by_default_on_from_settings(data_dir, monkeypatch):
    from test_app import APP, RUN_TIMEOUT, create_profile, start
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.run()
    create_profile(at)
    start(at, method="browser_file")
    sid = at.session_state["active_session_id"]
    assert at.toggle(key=f"video_on:{sid}").value is False  # audio only by default
    assert at.get("audio_input"), "the audio recorder"
    at.toggle(key=f"video_on:{sid}").set_value(True).run()
    assert not at.exception, at.exception
    assert not at.get("audio_input")  # the camera recorder (a component) instead
    # Settings: video answers on by default for new sessions
    at.switch_page("app_pages/settings.py").run()
    at.checkbox(key="settings_video_answers").check()
    at.form_submit_button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["user_settings"]["video_answers"] is True


def test_html_report_shows_presence_and_embeds_the_video_when_asked(store, session, tmp_path):
    import xml.etree.ElementTree as ET

    from interview.reports import build_report, render_html

    path = video_answer(tmp_path / "take.webm", notes_from=5.0)
    ans = submit_answer(store, session.id, 1, audio=path.read_bytes(), filename="recording.webm",
                        source="audio")
    assert ans.status == "scored", ans.error
    report = build_report(store, session.id)
    html = render_html(report)
    assert "<h4>On camera</h4>" in html and "Eye contact" in html
    assert "<video" not in html  # not embedded unless asked
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="presence-timeline"'):]
    svg = svg[:svg.index("</svg>") + 6]
    kinds = [r.get("data-kind") for r in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}rect")
             if r.get("class") == "look-away"]
    assert kinds and kinds[-1] == "down"
    embedded = render_html(report, include_audio=True)
    assert '<video controls preload="none" src="data:video/webm;base64,' in embedded


def test_export_carries_videos_only_when_asked(store, session, tmp_path, monkeypatch):
    import zipfile

    from interview.sharing import export_session, import_session

    path = video_answer(tmp_path / "take.webm")
    ans = submit_answer(store, session.id, 1, audio=path.read_bytes(), filename="recording.webm",
                        source="audio")
    audio = (FIXTURES / "answer.webm").read_bytes()
    plain = submit_answer(store, session.id, 2, audio=audio, filename="recording.webm",
                          source="audio")
    assert ans.status == plain.status == "scored"

    lean = export_session(store, session.id, tmp_path / "lean.zip")
    with zipfile.ZipFile(lean) as zf:
        names = zf.namelist()
    assert any(plain.audio_path in n for n in names)  # audio answers travel as before
    assert not any(ans.audio_path in n for n in names)  # the video stays at home
    full = export_session(store, session.id, tmp_path / "full.zip", include_videos=True)
    with zipfile.ZipFile(full) as zf:
        assert any(ans.audio_path in n for n in zf.namelist())

    # the lean export imports elsewhere: figures and transcript kept, no video
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(other))
    with Store.open() as elsewhere:
        result = import_session(elsewhere, lean)
        (moved,) = elsewhere.answer_attempts(result.session_id, 1)
        assert moved.audio_path is None
        assert moved.metrics["presence"]["face_in_frame"] == 1.0
        assert moved.text == ans.text


def test_cli_export_with_videos_flag(store, session, tmp_path):
    import subprocess
    import sys
    import zipfile

    from conftest import ROOT

    path = video_answer(tmp_path / "take.webm")
    ans = submit_answer(store, session.id, 1, audio=path.read_bytes(), filename="recording.webm",
                        source="audio")
    out = tmp_path / "with.zip"
    proc = subprocess.run([sys.executable, "-m", "interview", "export", session.id, "-o", str(out),
                           "--with-videos"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as zf:
        assert any(ans.audio_path in n for n in zf.namelist())


def test_after_scoring_setting_deletes_the_video_and_keeps_the_figures(store, session, tmp_path,
                                                                       data_dir):
    import json

    from interview.recovery import find_unfinished

    (data_dir / "settings.json").write_text(json.dumps({"video_retention": "after_scoring"}))
    path = video_answer(tmp_path / "take.webm", notes_from=5.0)
    ans = submit_answer(store, session.id, 1, audio=path.read_bytes(), filename="recording.webm",
                        source="audio")
    assert ans.status == "scored", ans.error
    assert ans.audio_path is None and ans.metrics["video_deleted"] is True
    assert 0.45 < ans.metrics["presence"]["eye_contact"] < 0.75  # measured, then kept
    assert "observership" in ans.text.lower() and ans.transcript and ans.overall
    assert list((data_dir / "audio" / session.id).glob("*.webm")) == []  # the file is gone
    assert find_unfinished(store).items == []
    # an audio-only take is no video: kept
    audio = submit_answer(store, session.id, 2, audio=(FIXTURES / "answer.webm").read_bytes(),
                          filename="recording.webm", source="audio")
    assert audio.status == "scored" and store.audio_file(audio).is_file()
