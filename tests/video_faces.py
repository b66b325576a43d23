"""Real face frames for the camera tests and the presence benchmark (needs the video extra).

Two public-domain portraits looking into the lens (``tests/fixtures/faces/``, see the README
there) are placed on a 1280x720 canvas like a webcam picture and changed the way an applicant
changes in front of a camera: irises moved within the eyes (looking at the screen beside the
camera, or down at notes), the photo darkened, a bright window behind, the face off centre,
small, tilted, or out of the frame. ``write_video`` encodes frames with PyAV as WebM (VP8,
what Chromium's MediaRecorder makes) or MP4 (H.264).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

FACES = Path(__file__).parent / "fixtures" / "faces"

#: iris centres (x, y) in each photo's pixels, read off the photos once by hand
PHOTOS = {
    "astronaut": {"file": "astronaut.jpg", "irises": ((108.5, 99.3), (151.6, 101.8))},
    "grace_hopper": {"file": "grace_hopper.jpg", "irises": ((220.6, 190.0), (307.4, 186.4))},
}

W, H = 1280, 720


def photo(name: str) -> np.ndarray:
    """The portrait as RGB uint8."""
    import cv2

    bgr = cv2.imread(str(FACES / PHOTOS[name]["file"]))
    assert bgr is not None, f"missing fixture {name}"
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def look(img: np.ndarray, name: str, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    """The portrait with both irises moved by (dx, dy) inter-iris distances (+x = image right)."""
    import cv2

    (lx, ly), (rx, ry) = PHOTOS[name]["irises"]
    ipd = float(np.hypot(rx - lx, ry - ly))
    r = max(2, int(round(0.1 * ipd)))
    out = img.copy()
    mask = np.zeros(img.shape[:2], np.uint8)
    discs = []
    for x, y in ((lx, ly), (rx, ry)):
        x, y = int(round(x)), int(round(y))
        discs.append((x, y, img[y - r:y + r + 1, x - r:x + r + 1].copy()))
        cv2.circle(mask, (x, y), r + 1, 255, -1)
    out = cv2.inpaint(out, mask, 3, cv2.INPAINT_TELEA)
    disc = np.zeros((2 * r + 1, 2 * r + 1), bool)
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    disc[(xx * xx + yy * yy) <= r * r] = True
    sx, sy = int(round(dx * ipd)), int(round(dy * ipd))
    for x, y, patch in discs:
        region = out[y + sy - r:y + sy + r + 1, x + sx - r:x + sx + r + 1]
        region[disc] = patch[disc]
    return out


def frame(face: np.ndarray, *, scale: float = 1.0, centre=(0.5, 0.45), light: float = 1.0,
          background: int = 205, angle: float = 0.0) -> np.ndarray:
    """A 1280x720 RGB frame: the portrait scaled, placed with its centre at ``centre``
    (fractions of the frame), lit by ``light`` (1 = as photographed) on a plain background
    of grey level ``background``, turned by ``angle`` degrees (counter-clockwise)."""
    import cv2

    img = cv2.resize(face, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    if angle:
        h, w = img.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        img = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    img = np.clip(img.astype(np.float32) * light, 0, 255).astype(np.uint8)
    out = np.full((H, W, 3), background, np.uint8)
    h, w = img.shape[:2]
    x, y = int(centre[0] * W - w / 2), int(centre[1] * H - h / 2)
    xs, ys, xe, ye = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if xe > xs and ye > ys:
        out[ys:ye, xs:xe] = img[ys - y:ye - y, xs - x:xe - x]
    return out


def empty_frame(background: int = 120) -> np.ndarray:
    """A frame with nobody in it (a wall)."""
    rng = np.random.default_rng(0)
    return np.clip(rng.normal(background, 6, (H, W, 3)), 0, 255).astype(np.uint8)


def write_video(path: Path, frames, fps: int = 10, codec: str | None = None,
                audio_seconds: float = 0.0, audio=None) -> Path:
    """Encode RGB frames (an iterable) to ``path``: VP8 for .webm, H.264 for .mp4.

    ``audio_seconds`` adds a quiet Opus/AAC track of that length, as a recorded answer has;
    ``audio`` (float32 mono samples at 48 kHz) adds that sound instead.
    """
    import av

    path = Path(path)
    codec = codec or ("libvpx" if path.suffix == ".webm" else "libx264")
    with av.open(str(path), "w") as out:
        vs = out.add_stream(codec, rate=fps)
        vs.width, vs.height, vs.pix_fmt = W, H, "yuv420p"
        if codec == "libx264":
            vs.options = {"preset": "veryfast", "crf": "23", "tune": "stillimage"}
        else:
            vs.options = {"deadline": "realtime", "cpu-used": "8", "crf": "30"}
            vs.bit_rate = 1_000_000
        astream = None
        if audio_seconds or audio is not None:
            acodec = "libopus" if path.suffix == ".webm" else "aac"
            astream = out.add_stream(acodec, rate=48000)
            astream.layout = "mono"
        for i, rgb in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            vf.pts, vf.time_base = i, Fraction(1, fps)
            for packet in vs.encode(vf):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
        if astream is not None:
            if audio is not None:
                samples = np.asarray(audio, dtype=np.float32)
                n = len(samples)
            else:
                n = int(audio_seconds * 48000)
                t = np.arange(n) / 48000
                samples = (0.05 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
            for start in range(0, n, 960):
                chunk = samples[start:start + 960]
                af = av.AudioFrame.from_ndarray(chunk[None, :], format="flt", layout="mono")
                af.sample_rate, af.pts = 48000, start
                for packet in astream.encode(af):
                    out.mux(packet)
            for packet in astream.encode():
                out.mux(packet)
    return path


def write_y4m(path: Path, frames, fps: int = 10) -> Path:
    """Raw YUV 4:2:0 frames in a Y4M file, what Chromium's fake camera plays
    (``--use-file-for-fake-video-capture``; it loops the file)."""
    import cv2

    path = Path(path)
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{W} H{H} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            f.write(b"FRAME\n")
            f.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def speech_48k(path: Path) -> np.ndarray:
    """A speech fixture (any format) as float32 mono samples at 48 kHz."""
    from interview.audio import SAMPLE_RATE, decode_audio

    speech = decode_audio(path)
    t_out = np.arange(int(len(speech) * 48000 / SAMPLE_RATE)) / 48000
    return np.interp(t_out, np.arange(len(speech)) / SAMPLE_RATE, speech).astype(np.float32)
