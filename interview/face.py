"""The face model: one video frame in, a :class:`~interview.presence.FrameObservation` out.

An adapter around OpenCV (the optional ``video`` extra, ``pip install '.[video]'``). Its
models ship inside the ``opencv-python-headless`` wheel (``cv2.data``), so nothing is ever
downloaded and everything runs on the CPU:

1. the face: Viola-Jones cascades (``haarcascade_frontalface_default``; the profile cascade
   when no frontal face is found, i.e. the head is turned away). In a video the previous
   face narrows the search (a region around it, at sizes near it), which makes tracking a
   steady face several times faster than searching the whole frame;
2. the eyes: the eye cascade (and the one trained with glasses) in each upper quarter of the
   face, with a geometric guess from the face box when a cascade misses one eye;
3. the iris: the darkest disc of the iris's size inside each eye (a disc-mean filter over
   the eye's grey levels). Its offset from the centre of the eye is the gaze; the line
   between the irises gives the head's tilt, and their midpoint against the face's centre
   line its turn;
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
#: weight of the previous box when a steady face's box is averaged over frames
SMOOTHING = 0.5
#: iris radius as a share of the eye box's width (eye cascade boxes are about 2.5 eyes wide)
IRIS_RADIUS = 0.11
#: where the eye cascade puts an eye in a frontal face box: centre x, centre y, side (face widths)
GEOMETRIC_EYE = (0.27, 0.37, 0.25)
#: the band of the face searched for eyes and its symmetry axis (face heights from the top)
BAND = (0.15, 0.7)
#: height of the irises in a frontal face box looking into the lens (face heights; measured
#: 0.355 on both test photos, as OpenCV's frontal cascade frames a face)
EYE_LINE = 0.355


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
        self._eye = self._cascade(folder, "haarcascade_eye.xml")
        self._eye_glasses = self._cascade(folder, "haarcascade_eye_tree_eyeglasses.xml")
        self._track = track
        self._last: tuple[float, float, float, float] | None = None  # face in detect-scale px

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
        small_eq = cv2.equalizeHist(small)
        face = self._find_face(small_eq)
        if face is None:
            self._last = None
            profile = self._find_profile(small_eq)
            return FrameObservation(t=t, width=W, height=H, face=None, profile=profile,
                                    background_brightness=float(small.mean()))
        face = self._smooth(face)
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

    def _smooth(self, face):
        """Average the new box with the last one while the head stays put: a detector's box
        jitters by a few pixels from frame to frame, and the gaze is measured against it."""
        if not self._track or self._last is None:
            return face
        x, y, w, h = face
        lx, ly, lw, lh = self._last
        ix = max(0.0, min(x + w, lx + lw) - max(x, lx))
        iy = max(0.0, min(y + h, ly + lh) - max(y, ly))
        overlap = ix * iy / (w * h + lw * lh - ix * iy)
        if overlap < 0.8:
            return face
        return tuple(SMOOTHING * old + (1 - SMOOTHING) * new
                     for old, new in zip(self._last, face))

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

    def _eye_box(self, half: np.ndarray):
        h, w = half.shape
        lo, hi = int(FACE_WIDTH * 0.14), int(FACE_WIDTH * 0.4)
        for cascade in (self._eye, self._eye_glasses):
            found = cascade.detectMultiScale(half, scaleFactor=1.05, minNeighbors=3,
                                             minSize=(lo, lo), maxSize=(hi, hi))
            if len(found):
                # the eye nearest where an eye should be: mid-width of the half, 40 % down
                def distance(r):
                    return abs(r[0] + r[2] / 2 - w / 2) + abs(r[1] + r[3] / 2 - h * 0.45)
                x, y, ew, eh = min(found, key=distance)
                return float(x), float(y), float(ew), float(eh)
        return None

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
        disc = np.zeros((2 * r + 1, 2 * r + 1), np.float32)
        cv2.circle(disc, (r, r), r, 1.0, -1)
        disc /= disc.sum()
        mean = cv2.filter2D(255.0 - patch, -1, disc, borderType=cv2.BORDER_REPLICATE)
        valid = mean[r:-r, r:-r]
        iy, ix = np.unravel_index(int(np.argmax(valid)), valid.shape)
        return float(max(0, left) + ix + r), float(max(0, top) + iy + r)
