"""The pure presence rules (interview/presence.py): figures and tips from per-frame observations.

No image library needed: the observations are what the face model reports (its own tests,
on real frames, are in test_presence.py).
"""

from __future__ import annotations

import pytest

from interview.presence import (
    Box,
    FrameObservation,
    frame_checks,
    summarise,
    where_looking,
)

FACE = Box(0.4, 0.25, 0.2, 0.36)


def obs(t=0.0, look="camera", face=FACE, **kw) -> FrameObservation:
    gaze = {"camera": (0.0, 0.0), "down": (0.0, 0.12), "side": (0.15, 0.0), "up": (0.0, -0.2)}
    base = dict(t=t, width=1280, height=720, face=face, eyes=2, roll_deg=1.0,
                face_brightness=150.0, face_contrast=45.0, background_brightness=160.0)
    if face is None:
        base.update(eyes=0, roll_deg=None, face_brightness=None, face_contrast=None)
    elif look in gaze:
        base["gaze_x"], base["gaze_y"] = gaze[look]
    base.update(kw)
    return FrameObservation(**base)


@pytest.mark.parametrize("look", ["camera", "down", "side", "up"])
def test_where_looking_from_gaze(look):
    assert where_looking(obs(look=look)) == look


def test_where_looking_without_face_or_eyes():
    assert where_looking(obs(face=None)) == "no face"
    assert where_looking(obs(face=None, profile=True)) == "away"
    assert where_looking(obs(look="unknown")) == "unknown"


def test_good_frame_passes_every_check():
    checks = frame_checks(obs())
    assert [c.name for c in checks] == ["face", "centred", "size", "backlight", "brightness",
                                        "contrast", "level", "gaze"]
    assert all(c.ok for c in checks), [c.message for c in checks if not c.ok]


@pytest.mark.parametrize("change, name, words", [
    (dict(face=Box(0.75, 0.25, 0.2, 0.36)), "centred", "right"),
    (dict(face=Box(0.45, 0.3, 0.1, 0.15)), "size", "far"),
    (dict(face=Box(0.25, 0.1, 0.5, 0.85)), "size", "close"),
    (dict(face_brightness=30.0), "brightness", "too dark"),
    (dict(face_brightness=235.0), "brightness", "washed out"),
    (dict(face_brightness=90.0, background_brightness=240.0), "backlight", "behind you"),
    (dict(face_contrast=10.0), "contrast", "flat"),
    (dict(roll_deg=-14.0), "level", "tilted"),
    (dict(look="down"), "gaze", "down"),
])
def test_each_problem_is_named_with_a_fix(change, name, words):
    look = change.pop("look", "camera")
    checks = {c.name: c for c in frame_checks(obs(look=look, **change))}
    bad = [c for c in checks.values() if not c.ok]
    assert [c.name for c in bad] == [name]
    assert words in bad[0].message
    assert bad[0].fix  # says what to change


def test_no_face_says_so_and_judges_the_light():
    checks = frame_checks(obs(face=None, background_brightness=20.0))
    assert [(c.name, c.status) for c in checks] == [("face", "fail"), ("brightness", "fail")]


def timeline(spec: list[tuple[str, float]], fps: float = 5.0):
    """Observations at ``fps`` from [(look, seconds), ...]."""
    out, t = [], 0.0
    for look, seconds in spec:
        for _ in range(round(seconds * fps)):
            out.append(obs(t=round(t, 3), look=look, face=None if look == "no face" else FACE))
            t += 1 / fps
    return out


def test_summary_of_an_answer_with_notes():
    frames = timeline([("camera", 6), ("down", 4), ("camera", 4), ("no face", 1),
                       ("side", 2), ("camera", 3)])
    report = summarise(frames, sample_fps=5.0)
    assert report.frames == 100
    assert report.duration_s == pytest.approx(20.0)
    assert report.face_in_frame == pytest.approx(0.95)
    assert report.eye_contact == pytest.approx(0.65)
    assert report.longest_look_away_s == pytest.approx(4.0)
    assert [(a.start, a.end, a.kind) for a in report.look_aways] == [
        (6.0, 10.0, "down"), (14.0, 17.0, "side")]
    assert report.looks["down"] == pytest.approx(0.2)
    assert any("looked down (at notes?) for 20 %" in tip for tip in report.tips)
    d = report.to_dict()
    assert {"face_in_frame", "eye_contact", "longest_look_away_s", "frames"} <= set(d)
    assert d["look_aways"][0] == {"start": 6.0, "end": 10.0, "kind": "down"}


def test_glances_are_counted_but_not_listed():
    frames = timeline([("camera", 3), ("side", 0.4), ("camera", 3)])
    report = summarise(frames, sample_fps=5.0)
    assert report.look_aways == []
    assert report.longest_look_away_s == pytest.approx(0.4)
    assert report.tips == []


def test_eye_contact_over_speaking_time_only():
    frames = timeline([("down", 2), ("camera", 8)])  # reads the question, then answers
    assert summarise(frames, sample_fps=5.0).eye_contact == pytest.approx(0.8)
    report = summarise(frames, sample_fps=5.0, speech=[(2.0, 10.0)])
    assert report.eye_contact == pytest.approx(1.0)
    assert report.speaking_only


def test_head_movement_and_framing_tips():
    still = summarise(timeline([("camera", 5)]), sample_fps=5.0)
    assert still.head_movement == pytest.approx(0.0)
    moving = [obs(t=i / 5, face=Box(0.4 + (0.05 if i % 2 else 0), 0.25, 0.2, 0.36))
              for i in range(25)]
    report = summarise(moving, sample_fps=5.0)
    assert report.head_movement > 0.35
    assert any("head moved a lot" in tip for tip in report.tips)
    dark = summarise([obs(t=i / 5, face_brightness=40.0) for i in range(10)], sample_fps=5.0)
    assert dark.framing_problems == {"brightness": 1.0}
    assert any("poorly lit" in tip for tip in dark.tips)


def test_no_frames_is_an_error():
    with pytest.raises(ValueError):
        summarise([], sample_fps=5.0)


def test_timeline_svg_for_the_report():
    import xml.etree.ElementTree as ET

    from interview.presence import timeline_svg

    report = summarise(timeline([("camera", 6), ("down", 4), ("camera", 10)]), sample_fps=5.0)
    svg = timeline_svg(report, width=400)
    root = ET.fromstring(svg)  # well-formed
    ns = "{http://www.w3.org/2000/svg}"
    bars = [r for r in root.iter(f"{ns}rect") if r.get("class") == "look-away"]
    assert [b.get("data-kind") for b in bars] == ["down"]
    # 6-10 s of a 20 s answer on a 392-pixel strip starting at x=4
    assert float(bars[0].get("x")) == pytest.approx(4 + 392 * 6 / 20, abs=0.1)
    assert float(bars[0].get("width")) == pytest.approx(392 * 4 / 20, abs=0.1)
    assert "0:06–0:10: looked down" in bars[0].find(f"{ns}title").text
    assert "Eye contact 80 %" in root.get("aria-label")
    assert "<script" not in svg
