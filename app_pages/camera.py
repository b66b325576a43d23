"""Camera check: framing, light, head level and eye contact from photos taken by the browser.

The virtual-interview pre-flight for video, next to the microphone check. Each photo from
``st.camera_input`` goes from the browser to this app on the same machine, is measured by the
face model (the optional video extra) and is then forgotten: nothing is stored. Each check says
what to change. Photos taken one after another make the "look into the lens" test: the share
of them with the eyes on the camera; the five-second test records the camera (the recorder
component) and reports the share of it looking into the lens, then deletes the recording.
"""

from __future__ import annotations

import streamlit as st

from app_pages import _ui
from interview import face as face_model
from interview.presence import frame_checks, where_looking

st.title("Camera check")
st.write(
    "Sit as you will for the interview: same room, same light, same camera. Take a photo "
    "while looking **into the camera lens** (not at your own picture on the screen). Each "
    "photo is checked on this computer and then forgotten; nothing is saved or sent anywhere."
)

if not face_model.available():
    st.info("The camera check needs the optional video extra (OpenCV). Install it with "
            f"`{face_model.EXTRA_HINT}` and restart the app.", icon=":material/videocam_off:")
    st.stop()

TALLY = "camera_check_looks"
ICONS = {"ok": ":material/check_circle:", "warn": ":material/warning:", "fail": ":material/error:"}



def five_second_test() -> None:
    """Record five seconds with the camera and measure the share of it looking into the lens
    (the recording is analysed in a temporary folder and deleted)."""
    import tempfile
    from pathlib import Path

    from app_pages._presence import show_presence
    from app_pages._recorder import RecorderError, recorder
    from interview.video import analyse_video

    st.subheader("Five-second eye-contact test")
    st.write("Press **Record** and look into the lens for five seconds, as if answering; "
             "recording stops by itself.")
    runs = st.session_state.setdefault("camera_test_runs", 0)
    try:
        take = recorder(f"camera-test:{runs}", video=True, answer_seconds=5,
                        label="Look into the lens for five seconds")
    except RecorderError as exc:
        _ui.show_error(exc, "The recording could not be used")
        return
    if take is not None:
        with tempfile.TemporaryDirectory(prefix="camera-test-") as tmp:
            path = Path(tmp) / take.filename
            path.write_bytes(take.audio)
            try:
                report = analyse_video(path, require_face=False)
            except Exception as exc:  # noqa: BLE001 - shown to the user, with what to do
                _ui.show_error(exc, "The five-second test cannot be checked")
                return
        st.session_state["camera_test_report"] = report.to_dict()
    data = st.session_state.get("camera_test_report")
    if data:
        from interview.presence import PresenceReport

        report = PresenceReport.from_dict(data)
        st.metric("Eyes on the lens", f"{report.eye_contact * 100:.0f} % of the test")
        show_presence(report, key="camera_test")
        if st.button("Test again", key="camera_test_again"):
            st.session_state["camera_test_runs"] = runs + 1
            st.session_state.pop("camera_test_report", None)
            st.rerun()


def recorded_answer() -> None:
    """Presence figures for a video answer recorded with any tool (checked, then deleted)."""
    import tempfile
    from pathlib import Path

    from app_pages._presence import show_presence
    from interview.video import analyse_video

    st.subheader("Check a recorded video answer")
    upload = st.file_uploader("A video of you answering (WebM, MP4, MOV, MKV)",
                              type=["webm", "mp4", "mov", "mkv"], key="camera_video")
    if upload is None:
        return
    suffix = Path(upload.name).suffix.lower() or ".webm"
    with tempfile.TemporaryDirectory(prefix="camera-check-") as tmp:
        path = Path(tmp) / f"answer{suffix}"
        path.write_bytes(upload.getvalue())
        try:
            with st.spinner("Measuring eye contact and framing..."):
                report = analyse_video(path, require_face=False)
        except Exception as exc:  # noqa: BLE001 - shown to the user, with what to do
            _ui.show_error(exc, "This video cannot be checked")
            return
    show_presence(report, key="camera_video")


photo = st.camera_input("Take a photo looking into the lens", key="camera_check")
if photo is None:
    st.info("Allow the camera in your browser, look into the lens and press **Take photo**. "
            "Take three to five photos in a row for the eye-contact test.")
    five_second_test()
    recorded_answer()
    st.stop()

try:
    rgb = face_model.read_image(photo.getvalue())
    obs = face_model.FaceModel(track=False).observe(rgb)
except Exception as exc:  # noqa: BLE001 - shown to the user, with what to do
    _ui.show_error(exc, "This photo cannot be checked")
    st.stop()

checks = frame_checks(obs)
left, right = st.columns([3, 2])
with left:
    for check in checks:
        text = check.message if check.ok else f"**{check.message}** {check.fix}"
        if check.status == "ok":
            st.success(text, icon=ICONS["ok"])
        elif check.status == "warn":
            st.warning(text, icon=ICONS["warn"])
        else:
            st.error(text, icon=ICONS["fail"])
with right:
    st.image(face_model.draw_face(rgb, obs), caption="What the check saw (not saved)")
    if obs.face is not None and obs.face_brightness is not None:
        st.caption(f"Face brightness {obs.face_brightness:.0f} of 255, contrast "
                   f"{obs.face_contrast:.0f}; background {obs.background_brightness:.0f}"
                   + (f"; head tilt {obs.roll_deg:+.0f}°" if obs.roll_deg is not None else ""))

problems = [c for c in checks if not c.ok]
if not problems:
    st.success("You are ready on camera: well framed, well lit, looking into the lens.",
               icon=":material/videocam:")

# the eye-contact test: one look per photo (a photo counts once, however often the page reruns)
tally: dict = st.session_state.setdefault(TALLY, {})
tally.setdefault(photo.file_id, where_looking(obs))
looks = [look for look in tally.values() if look is not None]
on_camera = looks.count("camera")
st.subheader("Eye contact")
st.metric("Photos looking into the lens", f"{on_camera} of {len(looks)}")
if not looks:
    st.write("Take the next photo to start the test.")
elif len(looks) < 3:
    st.write("Take a few more photos, a second or two apart, looking into the lens as you "
             "would while answering.")
elif on_camera / len(looks) >= 0.8:
    st.success("Good eye contact: you kept your eyes on the lens.", icon=ICONS["ok"])
else:
    off = [look for look in looks if look != "camera"]
    main = max(set(off), key=off.count)
    where = {"down": "down", "side": "to the side (at the screen?)", "up": "up",
             "away": "away from the camera", "no face": "out of the picture",
             "unknown": "with your eyes hidden (glare or shadow)"}[main]
    st.warning(f"In {len(off)} of {len(looks)} photos you looked {where}. Put the interviewer's "
               "video window just under the camera and look into the lens while you speak.",
               icon=ICONS["warn"])
if st.button("Start the eye-contact test again"):
    st.session_state[TALLY] = {photo.file_id: None}  # the photo on screen no longer counts
    st.rerun()

five_second_test()
recorded_answer()
