"""The face model: one video frame in, a :class:`~interview.presence.FrameObservation` out.

An adapter around OpenCV (the optional ``video`` extra, ``pip install '.[video]'``). Its
models ship inside the ``opencv-python-headless`` wheel (``cv2.data``), so nothing is ever
downloaded and everything runs on the CPU:

1. the face: Viola-Jones cascades (``haarcascade_frontalface_default``; the profile cascade
   when no frontal face is found, i.e. the head is turned away). In a video the box then
   follows the face by template matching of its nose region (sub-pixel, a fraction of a
   millisecond) and the cascade confirms it every REDETECT frames, so the reference the gaze
   is measured against does not jitter, and a steady face costs little;
2. the irises: in each eye's place in the face box (where OpenCV's eye cascade puts eyes in
   a frontal face), the iris-sized disc that is darkest and darkest against a ring around it
   (robust to glasses frames and brows);
3. gaze: the irises' midpoint against the face's mirror-symmetry axis (found on brows,
   cheeks and nose, not the eyes) sideways, and against the usual eye height in the face box
   up and down, in units of the distance between the irises; the line between the irises
   gives the head's tilt;
4. lighting: mean and spread of luma over the face, mean luma outside it (backlight).

What the figures mean (on camera or not, too dark or not) is decided in the pure
:mod:`interview.presence`; this module only measures.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import VideoError
from .presence import Box, FrameObservation

#: how the README and every message tell the user to enable the video features
EXTRA_HINT = "pip install '.[video]'"
#: faces are searched on a copy this wide (pixels); eyes on a face scaled to FACE_WIDTH
DETECT_WIDTH = 320
FACE_WIDTH = 300
#: while a face is tracked, the cascade confirms the box every this many frames
REDETECT = 5
#: how far a confirmation moves the tracked box towards the cascade's box
CONFIRM_WEIGHT = 0.3
#: below this normalised correlation the tracked face is lost and searched for again
MATCH_SCORE = 0.6
#: iris radius as a share of the eye window's width
IRIS_RADIUS = 0.11
#: the iris search window of the image-left eye (the other is mirrored), where OpenCV's eye
#: cascade puts eyes in a frontal face box: centre x, centre y, side (face widths)
GEOMETRIC_EYE = (0.28, 0.37, 0.3)
#: the band of the face searched for eyes and its symmetry axis (face heights from the top)
BAND = (0.15, 0.7)
#: height of the irises in a frontal face box looking into the lens (face heights; measured
#: 0.38 on both test photos, as OpenCV's frontal cascade frames a face)
EYE_LINE = 0.38


def load_cv2():
    """The ``cv2`` module, or a :class:`VideoError` saying how to install the video extra."""
    try:
        import cv2
    except ImportError:
        raise VideoError("video analysis needs the optional video extra (OpenCV): "
                         f"{EXTRA_HINT}") from None
    if not hasattr(cv2, "CascadeClassifier") or not hasattr(cv2, "data"):
        raise VideoError(f"this OpenCV ({cv2.__version__}) has no face cascades; "
                         f"reinstall the video extra: {EXTRA_HINT}")
    return cv2


def available() -> bool:
    """True when the video extra is installed (the app hides video features otherwise)."""
    try:
        load_cv2()
    except VideoError:
        return False
    return True


def read_image(data: bytes) -> np.ndarray:
    """A photo (JPEG, PNG; what ``st.camera_input`` gives) as RGB uint8."""
    cv2 = load_cv2()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise VideoError("the camera sent something that is not a picture; take the photo again")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def draw_face(rgb: np.ndarray, obs) -> np.ndarray:
    """A copy of the photo with the face box drawn (green when looking into the lens)."""
    from .presence import where_looking

    cv2 = load_cv2()
    out = rgb.copy()
    if obs.face is not None:
        H, W = out.shape[:2]
        f = obs.face
        colour = (40, 180, 60) if where_looking(obs) == "camera" else (230, 150, 0)
        cv2.rectangle(out, (int(f.x * W), int(f.y * H)), (int((f.x + f.w) * W), int((f.y + f.h) * H)),
                      colour, max(2, W // 320))
    return out


class FaceModel:
    """Finds the face, eyes and irises in frames; keeps the last face to track it.

    One model per video (or per camera preview): ``observe`` frames in time order.
    """

    def __init__(self, track: bool = True):
        cv2 = load_cv2()
        self._cv2 = cv2
        folder = cv2.data.haarcascades
        self._face = self._cascade(folder, "haarcascade_frontalface_default.xml")
        self._profile = self._cascade(folder, "haarcascade_profileface.xml")
        self._track = track
        self._clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(4, 4))
        self._last: tuple[float, float, float, float] | None = None  # face in detect-scale px
        self._template = None  # (nose patch, its offset from the box) while tracking
        self._since_detect = 0

    def _cascade(self, folder: str, name: str):
        c = self._cv2.CascadeClassifier(folder + name)
        if c.empty():
            raise VideoError(f"the face model {name} is missing from OpenCV; reinstall the "
                             f"video extra: {EXTRA_HINT}")
        return c

    # ----------------------------------------------------------------- one frame
    def observe(self, image: np.ndarray, t: float = 0.0) -> FrameObservation:
        """Measure one frame: ``image`` is greyscale (H, W) or RGB (H, W, 3) uint8."""
        cv2 = self._cv2
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        gray = np.ascontiguousarray(gray, dtype=np.uint8)
        H, W = gray.shape
        scale = min(1.0, DETECT_WIDTH / W)
        small = gray if scale == 1.0 else cv2.resize(gray, (round(W * scale), round(H * scale)),
                                                    interpolation=cv2.INTER_AREA)
        face = self._locate(small)
        if face is None:
            self._last = self._template = None
            profile = self._find_profile(small)
            return FrameObservation(t=t, width=W, height=H, face=None, profile=profile,
                                    background_brightness=float(small.mean()))
        self._last = face
        fx, fy, fw, fh = (v / scale for v in face)
        box = Box(fx / W, fy / H, fw / W, fh / H)
        brightness, contrast = self._face_light(gray, fx, fy, fw, fh)
        background = self._background(small, face)
        irises, axis = self._eyes(gray, fx, fy, fw, fh)
        obs = dict(t=t, width=W, height=H, face=box, face_brightness=brightness,
                   face_contrast=contrast, background_brightness=background, eyes=len(irises))
        if len(irises) < 2:
            return FrameObservation(**obs)
        (lx, ly), (rx, ry) = irises
        spacing = math.hypot(rx - lx, ry - ly)
        if spacing < 0.2 * fw:  # both searches landed on one eye
            return FrameObservation(**obs)
        gaze_x = ((lx + rx) / 2 - axis) / spacing
        gaze_y = ((ly + ry) / 2 - (fy + EYE_LINE * fh)) / spacing
        roll = math.degrees(math.atan2(ry - ly, rx - lx))
        return FrameObservation(**obs, gaze_x=gaze_x, gaze_y=gaze_y, roll_deg=roll)

    # ----------------------------------------------------------------- face
    def _find_face(self, small: np.ndarray):
        h, w = small.shape
        if self._track and self._last is not None:
            x, y, fw, fh = self._last
            x0, y0 = max(0, int(x - 0.5 * fw)), max(0, int(y - 0.5 * fh))
            x1, y1 = min(w, int(x + 1.5 * fw)), min(h, int(y + 1.5 * fh))
            roi = small[y0:y1, x0:x1]
            # the region around the last face, at sizes near it, with the same scale steps as
            # the full search (so the same boxes): a quarter of the pixels, a third of the scales
            found = self._face.detectMultiScale(
                roi, scaleFactor=1.1, minNeighbors=5,
                minSize=(int(fw * 0.7), int(fh * 0.7)),
                maxSize=(int(fw * 1.4) + 1, int(fh * 1.4) + 1))
            if len(found):
                fx, fy, fw2, fh2 = max(found, key=lambda r: r[2] * r[3])
                return float(fx + x0), float(fy + y0), float(fw2), float(fh2)
        side = int(min(h, w) * 0.12)
        found = self._face.detectMultiScale(small, scaleFactor=1.1, minNeighbors=5,
                                            minSize=(side, side))
        if not len(found):
            return None
        return tuple(float(v) for v in max(found, key=lambda r: r[2] * r[3]))

    def _locate(self, small: np.ndarray):
        """The face box in ``small``'s pixels, or None.

        A cascade's box jumps by a few pixels from frame to frame (its windows come in steps of
        about a twenty-fourth of the face), and the gaze is measured against the box. So in a
        video the box follows the face by matching the nose region of the frame where it was
        detected (sub-pixel), and the cascade only confirms it every REDETECT frames: while the
        two agree the box stays steady; when they disagree (the applicant moved closer, or
        left and came back) the cascade's box starts a new track.
        """
        if self._track and self._last is not None and self._template is not None:
            moved = self._match(small)
            if moved is not None:
                self._since_detect += 1
                if self._since_detect < REDETECT:
                    return moved
                self._since_detect = 0
                found = self._find_face(small)
                if found is None:
                    return moved
                if _overlap(found, moved) >= 0.6:
                    # the same face: ease the box towards the cascade's, so that an unlucky
                    # first box is corrected over a few seconds without jumps
                    found = tuple(m + CONFIRM_WEIGHT * (f - m) for m, f in zip(moved, found))
                self._set_template(small, found)
                return found
        face = self._find_face(small)
        if face is None:
            # a very dark or hazy picture: stretch its contrast and look again
            face = self._find_face(self._clahe.apply(small))
        if face is not None:
            self._set_template(small, face)
        return face

    def _template_box(self, face, small_shape):
        x, y, w, h = face
        x0, x1 = int(round(x + 0.3 * w)), int(round(x + 0.7 * w))
        y0, y1 = int(round(y + 0.45 * h)), int(round(y + 0.75 * h))
        H, W = small_shape
        if x0 < 0 or y0 < 0 or x1 > W or y1 > H or x1 - x0 < 6 or y1 - y0 < 6:
            return None
        return x0, y0, x1, y1

    def _set_template(self, small, face) -> None:
        self._since_detect = 0
        box = self._template_box(face, small.shape)
        if box is None:
            self._template = None
            return
        x0, y0, x1, y1 = box
        self._template = (small[y0:y1, x0:x1].copy(), x0 - face[0], y0 - face[1])

    def _match(self, small):
        """The last box moved to where its nose region matches best, or None when lost."""
        cv2 = self._cv2
        patch, ox, oy = self._template
        x, y, w, h = self._last
        th, tw = patch.shape
        margin = int(0.3 * w) + 2
        H, W = small.shape
        sx0, sy0 = max(0, int(x + ox) - margin), max(0, int(y + oy) - margin)
        sx1, sy1 = min(W, int(x + ox) + tw + margin), min(H, int(y + oy) + th + margin)
        region = small[sy0:sy1, sx0:sx1]
        if region.shape[0] < th + 2 or region.shape[1] < tw + 2:
            return None
        scores = cv2.matchTemplate(region, patch, cv2.TM_CCOEFF_NORMED)
        _, best, _, (bx, by) = cv2.minMaxLoc(scores)
        if best < MATCH_SCORE:
            return None
        fx, fy = _subpixel(scores, bx, by)
        nx, ny = sx0 + fx - ox, sy0 + fy - oy
        return float(nx), float(ny), w, h

    def _find_profile(self, small: np.ndarray) -> bool:
        # a turned head is a large shape: a quarter-size picture is enough and 4x cheaper
        cv2 = self._cv2
        small = cv2.resize(small, (small.shape[1] // 2, small.shape[0] // 2),
                           interpolation=cv2.INTER_AREA)
        side = max(24, int(min(small.shape) * 0.12))
        for img in (small, self._cv2.flip(small, 1)):
            if len(self._profile.detectMultiScale(img, scaleFactor=1.1, minNeighbors=5,
                                                  minSize=(side, side))):
                return True
        return False

    # ----------------------------------------------------------------- light
    @staticmethod
    def _face_light(gray, fx, fy, fw, fh) -> tuple[float, float]:
        """Mean and spread of luma over the inner face (skin, eyes, mouth; no hair)."""
        x0, x1 = int(fx + 0.2 * fw), int(fx + 0.8 * fw)
        y0, y1 = int(fy + 0.15 * fh), int(fy + 0.9 * fh)
        patch = gray[max(0, y0):y1, max(0, x0):x1]
        if patch.size == 0:
            return 0.0, 0.0
        return float(patch.mean()), float(patch.std())

    @staticmethod
    def _background(small, face) -> float:
        """Mean luma outside the face and the body below it (where a window would show)."""
        h, w = small.shape
        x, y, fw, fh = face
        mask = np.ones((h, w), bool)
        mask[max(0, int(y - 0.4 * fh)):, max(0, int(x - 0.4 * fw)):min(w, int(x + 1.4 * fw))] = False
        if not mask.any():
            return float(small.mean())
        return float(small[mask].mean())

    # ----------------------------------------------------------------- eyes and irises
    def _eyes(self, gray, fx, fy, fw, fh):
        """The irises' centres in frame pixels (image-left first; fewer when not found) and
        the x of the face's mirror-symmetry axis in frame pixels."""
        cv2 = self._cv2
        H, W = gray.shape
        top, bottom = BAND
        x0, y0 = max(0, int(fx)), max(0, int(fy + top * fh))
        x1, y1 = min(W, int(fx + fw)), min(H, int(fy + bottom * fh))
        band = gray[y0:y1, x0:x1]
        if band.size == 0:
            return [], fx + fw / 2
        k = FACE_WIDTH / fw
        band = cv2.resize(band, (max(1, round(band.shape[1] * k)), max(1, round(band.shape[0] * k))),
                          interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
        band = cv2.equalizeHist(band)
        bw = band.shape[1]
        # the iris search windows: where eyes sit in a frontal face box (measured on the eye
        # cascade's boxes); the darkest iris-sized disc inside each is the iris
        cx, cy, side = GEOMETRIC_EYE
        yc = (cy - top) * fh * k
        boxes = [(x * bw - side * bw / 2, yc - side * bw / 2, side * bw, side * bw)
                 for x in (cx, 1 - cx)]
        out = []
        for box in boxes:
            iris = self._iris(band, box)
            if iris is not None:
                out.append((x0 + iris[0] / k, y0 + iris[1] / k))  # back to frame pixels
        # the symmetry axis from brows, forehead, cheeks and nose (the eye rows are left
        # out so that the irises' own position does not pull the axis)
        eye_rows = (int(yc - 0.07 * fh * k), int(yc + 0.07 * fh * k))
        axis = self._symmetry_axis(np.vstack([band[:max(0, eye_rows[0])], band[eye_rows[1]:]]))
        return out, x0 + axis / k

    @staticmethod
    def _symmetry_axis(img: np.ndarray) -> float:
        """The column about which ``img`` is most nearly mirror-symmetric (near its middle)."""
        img = img.astype(np.float32)
        h, w = img.shape
        half = int(w * 0.3)
        best, best_c = None, w / 2
        for c in range(int(w * 0.38), int(w * 0.62) + 1):
            if c - half < 0 or c + half > w:
                continue
            left = img[:, c - half:c]
            right = img[:, c:c + half][:, ::-1]
            score = float(np.mean(np.abs(left - right)))
            if best is None or score < best:
                best, best_c = score, c
        return float(best_c)

    def _iris(self, band: np.ndarray, box) -> tuple[float, float] | None:
        """Centre of the darkest iris-sized disc in the eye's middle rows (band pixels)."""
        cv2 = self._cv2
        ex, ey, ew, eh = box
        r = max(2, round(IRIS_RADIUS * ew))
        # rows: skip the brow at the top of the box and the cheek at the bottom
        top, bottom = int(ey + 0.2 * eh), int(ey + 0.85 * eh)
        left, right = int(ex + 0.05 * ew), int(ex + 0.95 * ew)
        patch = band[max(0, top):bottom, max(0, left):right]
        if patch.shape[0] <= 2 * r or patch.shape[1] <= 2 * r:
            return None
        patch = cv2.GaussianBlur(patch, (3, 3), 0).astype(np.float32)
        # an iris is a dark disc with lighter sclera, lids and skin around it: score each
        # place by its darkness plus how much darker it is than a ring around it (a glasses
        # frame or a brow is dark, but so is the ring along it). Error on the test photos,
        # glasses included: at most 3 % of the distance between the irises
        R = int(round(1.8 * r))
        disc = np.zeros((2 * R + 1, 2 * R + 1), np.float32)
        cv2.circle(disc, (R, R), r, 1.0, -1)
        ring = np.zeros_like(disc)
        cv2.circle(ring, (R, R), R, 1.0, -1)
        ring -= disc
        disc_mean = cv2.filter2D(patch, -1, disc / disc.sum(), borderType=cv2.BORDER_REPLICATE)
        ring_mean = cv2.filter2D(patch, -1, ring / ring.sum(), borderType=cv2.BORDER_REPLICATE)
        score = (255.0 - disc_mean) + (ring_mean - disc_mean)
        valid = score[r:-r, r:-r]
        iy, ix = np.unravel_index(int(np.argmax(valid)), valid.shape)
        return float(max(0, left) + ix + r), float(max(0, top) + iy + r)


def _overlap(a, b) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def _subpixel(scores: np.ndarray, x: int, y: int) -> tuple[float, float]:
    """The peak of a match-score map refined by a parabola through its neighbours."""
    def refine(minus, centre, plus):
        denom = minus - 2 * centre + plus
        return 0.0 if denom == 0 else max(-0.5, min(0.5, 0.5 * (minus - plus) / denom))

    h, w = scores.shape
    dx = refine(scores[y, x - 1], scores[y, x], scores[y, x + 1]) if 0 < x < w - 1 else 0.0
    dy = refine(scores[y - 1, x], scores[y, x], scores[y + 1, x]) if 0 < y < h - 1 else 0.0
    return x + dx, y + dy
