"""On camera: framing, lighting and eye contact from per-frame face observations (pure).

The face model (``interview.face``, an adapter around OpenCV) turns each video frame into a
:class:`FrameObservation`: where the face is, where the eyes and irises are, how bright the
face and the background are. This module turns those numbers into what an applicant can act
on, with no image library and no Streamlit:

- :func:`frame_checks`: the camera pre-flight for one frame (face found and centred, face
  size, lighting, backlight, head level, gaze), each check with what to change;
- :func:`where_looking`: the gaze of one frame, as ``camera``, ``down``, ``up``, ``side``,
  ``away`` (face turned), ``no face`` or ``unknown`` (face seen, eyes not);
- :func:`summarise`: a whole answer: ``face_in_frame`` and ``eye_contact`` shares (0-1),
  ``longest_look_away_s``, head movement, a timeline of look-aways and tips.

Virtual interviews reward looking into the lens, not at the interviewer's face on the screen
or at notes: the tips say where the applicant looked instead and what to change.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Box:
    """A rectangle in frame coordinates, as fractions of the frame's width and height."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class FrameObservation:
    """What the face model saw in one frame (the model's raw figures, no judgement)."""

    #: seconds from the start of the video
    t: float
    width: int
    height: int
    #: the frontal face, or None
    face: Box | None = None
    #: a face was seen only in profile (turned well away from the camera)
    profile: bool = False
    #: how many eyes were located (0-2)
    eyes: int = 0
    #: where the irises point, head and eyes together, in units of the distance between the
    #: irises: their midpoint's offset from the face's centre line (+ = towards the image's
    #: right) and from the height irises have when looking into the lens (+ = down). About
    #: (0, 0) when looking into the camera; eyes turned fully to one side give about 0.15.
    gaze_x: float | None = None
    gaze_y: float | None = None
    #: head tilt from the line between the irises, in degrees (+ = clockwise in the image)
    roll_deg: float | None = None
    #: mean luma (0-255) over the face, and its spread (standard deviation)
    face_brightness: float | None = None
    face_contrast: float | None = None
    #: mean luma of the frame outside the face (the whole frame when there is no face)
    background_brightness: float = 0.0


@dataclass(frozen=True)
class Thresholds:
    """Limits of a good on-camera frame; defaults tuned on webcam-like framing."""

    #: face centre within this distance of the frame's centre line (fraction of frame width)
    centre_x: float = 0.15
    #: face centre between these heights (fractions of frame height); eyes near the top third
    centre_y: tuple[float, float] = (0.25, 0.62)
    #: face height as a share of frame height: below = too far, above = too close
    size: tuple[float, float] = (0.22, 0.65)
    #: face luma: below = too dark, above = washed out
    brightness: tuple[float, float] = (70.0, 205.0)
    #: face luma spread below this = flat, hazy picture
    contrast: float = 22.0
    #: backlight: background at least this bright and this much brighter than the face
    backlight_background: float = 190.0
    backlight_gap: float = 60.0
    #: head tilt beyond this many degrees
    roll_deg: float = 8.0
    #: gaze on camera: irises within these offsets (see FrameObservation.gaze_x)
    gaze_x: float = 0.08
    gaze_down: float = 0.05
    gaze_up: float = 0.1
    #: a look-away shorter than this is a glance and is not listed on the timeline
    min_look_away_s: float = 0.6


DEFAULT_THRESHOLDS = Thresholds()

#: where the applicant looked, as :func:`where_looking` names it
LOOKS = ("camera", "down", "up", "side", "away", "no face", "unknown")


@dataclass(frozen=True)
class Check:
    """One pre-flight check: ``status`` is ``ok``, ``warn`` or ``fail``."""

    name: str
    status: str
    message: str
    #: what to change (empty when the check passed)
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def where_looking(obs: FrameObservation, th: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """Where the applicant looked in this frame (one of :data:`LOOKS`)."""
    if obs.face is None:
        return "away" if obs.profile else "no face"
    if obs.gaze_x is None or obs.gaze_y is None:
        return "unknown"
    if obs.gaze_y > th.gaze_down:
        return "down"
    if obs.gaze_y < -th.gaze_up:
        return "up"
    if abs(obs.gaze_x) > th.gaze_x:
        return "side"
    return "camera"


def frame_checks(obs: FrameObservation, th: Thresholds = DEFAULT_THRESHOLDS) -> list[Check]:
    """The camera pre-flight for one frame: each check with what to change."""
    checks: list[Check] = []
    if obs.face is None:
        if obs.profile:
            checks.append(Check("face", "fail", "Your face is turned away from the camera.",
                                "Turn your chair and screen so that you face the camera."))
        else:
            checks.append(Check("face", "fail", "No face found in the picture.",
                                "Sit in front of the camera, uncover the lens and turn on a "
                                "light facing you."))
        checks.append(_lighting_without_face(obs, th))
        return checks

    face = obs.face
    checks.append(Check("face", "ok", "Face found."))

    dx = face.cx - 0.5
    lo_y, hi_y = th.centre_y
    if abs(dx) > th.centre_x:
        side = "right" if dx > 0 else "left"
        checks.append(Check("centred", "warn", f"Your face is off to the {side} of the picture.",
                            f"Move the camera or your chair so that your face is in the middle "
                            f"(now {abs(dx) * 100:.0f} % of the width off centre)."))
    elif face.cy < lo_y:
        checks.append(Check("centred", "warn", "Your face is high in the picture; the top of "
                            "your head may be cut off.", "Tilt the camera down a little or lower it."))
    elif face.cy > hi_y:
        checks.append(Check("centred", "warn", "Your face is low in the picture, with empty space "
                            "above.", "Raise the camera to eye level (a few books under a laptop)."))
    else:
        checks.append(Check("centred", "ok", "Face centred."))

    lo_s, hi_s = th.size
    if face.h < lo_s:
        checks.append(Check("size", "warn", f"You are far from the camera (your face fills "
                            f"{face.h * 100:.0f} % of the picture's height).",
                            "Move closer: head and shoulders should fill the frame."))
    elif face.h > hi_s:
        checks.append(Check("size", "warn", f"You are very close to the camera (your face fills "
                            f"{face.h * 100:.0f} % of the picture's height).",
                            "Sit back so that your shoulders are in the picture."))
    else:
        checks.append(Check("size", "ok", "Distance from the camera is good."))

    checks.extend(_lighting_with_face(obs, th))

    if obs.roll_deg is not None and abs(obs.roll_deg) > th.roll_deg:
        checks.append(Check("level", "warn", f"Your head is tilted ({abs(obs.roll_deg):.0f}°).",
                            "Sit upright and level the camera (or the laptop screen)."))
    elif obs.roll_deg is None:
        checks.append(Check("level", "warn", "Could not see both eyes to check that your head "
                            "is level.", "Face the camera; avoid glare on glasses."))
    else:
        checks.append(Check("level", "ok", "Head level."))

    look = where_looking(obs, th)
    checks.append(_gaze_check(look))
    return checks


def _gaze_check(look: str) -> Check:
    if look == "camera":
        return Check("gaze", "ok", "Looking at the camera.")
    messages = {
        "down": ("You are looking down.", "Look into the camera lens; keep notes at lens height "
                 "or out of sight."),
        "up": ("You are looking up.", "Look into the camera lens."),
        "side": ("You are looking to the side (at the screen?).", "Look into the lens, not at "
                 "the interviewer's face on the screen; move the video window just under the "
                 "camera."),
        "away": ("Your head is turned away from the camera.", "Face the camera squarely."),
        "unknown": ("Your eyes could not be seen.", "Add light in front of you; tilt glasses "
                    "slightly to remove glare."),
        "no face": ("No face found.", "Sit in front of the camera."),
    }
    message, fix = messages[look]
    return Check("gaze", "warn", message, fix)


def _lighting_with_face(obs: FrameObservation, th: Thresholds) -> list[Check]:
    out = []
    b, c, bg = obs.face_brightness or 0.0, obs.face_contrast or 0.0, obs.background_brightness
    lo, hi = th.brightness
    if bg >= th.backlight_background and bg - b >= th.backlight_gap:
        out.append(Check("backlight", "fail", "Strong light behind you (a window?) leaves your "
                         "face in shadow.", "Face the window or a lamp instead of having it "
                         "behind you; close the blinds behind you."))
    else:
        out.append(Check("backlight", "ok", "No strong light behind you."))
    if b < lo:
        out.append(Check("brightness", "fail" if b < lo * 0.6 else "warn",
                         f"Your face is too dark (brightness {b:.0f} of 255).",
                         "Put a lamp or a window in front of you, behind the camera."))
    elif b > hi:
        out.append(Check("brightness", "warn", f"Your face is washed out (brightness {b:.0f} of "
                         "255).", "Dim or diffuse the light shining on your face."))
    else:
        out.append(Check("brightness", "ok", "Face well lit."))
    if c < th.contrast:
        out.append(Check("contrast", "warn", "The picture of your face is flat and hazy.",
                         "Light your face from the front and side; wipe the camera lens."))
    else:
        out.append(Check("contrast", "ok", "Good contrast."))
    return out


def _lighting_without_face(obs: FrameObservation, th: Thresholds) -> Check:
    bg = obs.background_brightness
    if bg < th.brightness[0] * 0.6:
        return Check("brightness", "fail", f"The picture is very dark (brightness {bg:.0f} of 255).",
                     "Turn on a light facing you, and check that the lens is uncovered.")
    return Check("brightness", "ok", "The picture is bright enough.")


# ------------------------------------------------------------------ a whole video


@dataclass(frozen=True)
class LookAway:
    """A stretch of the answer with the gaze off the camera."""

    start: float
    end: float
    #: the most frequent look in the stretch: down, up, side, away, no face or unknown
    kind: str

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class PresenceReport:
    """Presence figures for one video (shares are 0-1 of the frames analysed)."""

    frames: int
    duration_s: float
    #: frames analysed per second of video
    sample_fps: float
    face_in_frame: float
    eye_contact: float
    longest_look_away_s: float
    #: mean movement of the face's centre, in face widths per second
    head_movement: float
    #: share of frames per look (camera, down, up, side, away, no face, unknown)
    looks: dict[str, float] = field(default_factory=dict)
    look_aways: list[LookAway] = field(default_factory=list)
    #: median face figures over frames with a face
    face_size: float | None = None
    face_brightness: float | None = None
    #: share of frames with a face that failed a framing or lighting check, per check
    framing_problems: dict[str, float] = field(default_factory=dict)
    tips: list[str] = field(default_factory=list)
    #: when given, eye contact counted over speaking time only
    speaking_only: bool = False

    @classmethod
    def from_dict(cls, d: dict) -> "PresenceReport":
        """The report back from :meth:`to_dict` (as stored with an answer's metrics)."""
        known = {f for f in cls.__dataclass_fields__}
        data = {k: v for k, v in d.items() if k in known}
        data["look_aways"] = [LookAway(a["start"], a["end"], a["kind"])
                              for a in d.get("look_aways", [])]
        return cls(**data)

    def to_dict(self) -> dict:
        d = asdict(self)
        for key in ("face_in_frame", "eye_contact", "head_movement", "face_size",
                    "face_brightness", "longest_look_away_s", "duration_s"):
            if d[key] is not None:
                d[key] = round(d[key], 3)
        d["looks"] = {k: round(v, 3) for k, v in self.looks.items()}
        d["framing_problems"] = {k: round(v, 3) for k, v in self.framing_problems.items()}
        d["look_aways"] = [{"start": round(a.start, 2), "end": round(a.end, 2), "kind": a.kind}
                           for a in self.look_aways]
        return d


def summarise(observations: list[FrameObservation], *, sample_fps: float,
              duration_s: float | None = None,
              speech: list[tuple[float, float]] | None = None,
              th: Thresholds = DEFAULT_THRESHOLDS) -> PresenceReport:
    """Presence figures and tips for a video from its sampled frames (in time order).

    ``speech`` (the VAD's speaking regions, in seconds) restricts eye contact to speaking
    time, as the interview advice means it; face in frame and the timeline use every frame.
    """
    if not observations:
        raise ValueError("no frames to summarise")
    obs = sorted(observations, key=lambda o: o.t)
    step = 1.0 / sample_fps
    if duration_s is None:
        duration_s = obs[-1].t + step
    looks = [where_looking(o, th) for o in obs]
    n = len(obs)
    with_face = [o for o in obs if o.face is not None]

    counted = list(range(n))
    if speech:
        counted = [i for i, o in enumerate(obs) if any(s <= o.t < e for s, e in speech)] or counted
    eye_contact = sum(looks[i] == "camera" for i in counted) / len(counted)

    look_aways = _look_aways(obs, looks, step, duration_s)
    longest = max((a.duration for a in look_aways), default=0.0)
    shown = [a for a in look_aways if a.duration >= th.min_look_away_s]

    share = {k: looks.count(k) / n for k in LOOKS if looks.count(k)}
    problems: dict[str, float] = {}
    for o in with_face:
        for c in frame_checks(o, th):
            if not c.ok and c.name not in ("gaze", "face"):
                problems[c.name] = problems.get(c.name, 0) + 1
    problems = {k: v / len(with_face) for k, v in sorted(problems.items())} if with_face else {}

    report = PresenceReport(
        frames=n,
        duration_s=duration_s,
        sample_fps=sample_fps,
        face_in_frame=len(with_face) / n,
        eye_contact=eye_contact,
        longest_look_away_s=longest,
        head_movement=_head_movement(obs),
        looks=share,
        look_aways=shown,
        face_size=statistics.median(o.face.h for o in with_face) if with_face else None,
        face_brightness=(statistics.median(o.face_brightness for o in with_face
                                           if o.face_brightness is not None)
                         if with_face else None),
        framing_problems=problems,
        speaking_only=bool(speech),
    )
    report.tips = tips(report)
    return report


def _look_aways(obs, looks, step, duration_s) -> list[LookAway]:
    """Runs of consecutive frames off the camera, each frame standing for ``step`` seconds."""
    out: list[LookAway] = []
    i, n = 0, len(obs)
    while i < n:
        if looks[i] == "camera":
            i += 1
            continue
        j = i
        while j + 1 < n and looks[j + 1] != "camera":
            j += 1
        run = looks[i:j + 1]
        kind = max(set(run), key=lambda k: (run.count(k), -LOOKS.index(k)))
        end = min(obs[j].t + step, duration_s) if j + 1 >= n else obs[j + 1].t
        out.append(LookAway(start=obs[i].t, end=end, kind=kind))
        i = j + 1
    return out


def _head_movement(obs: list[FrameObservation]) -> float:
    """Mean speed of the face's centre between consecutive frames with a face (face widths/s)."""
    speeds = []
    prev = None
    for o in obs:
        if o.face is None:
            prev = None
            continue
        if prev is not None and o.t > prev.t:
            ax = o.width / max(o.height, 1)  # distances in one unit: frame heights
            dx = (o.face.cx - prev.face.cx) * ax
            dy = o.face.cy - prev.face.cy
            width = (o.face.w * ax + prev.face.w * ax) / 2
            speeds.append(math.hypot(dx, dy) / width / (o.t - prev.t))
        prev = o
    return statistics.fmean(speeds) if speeds else 0.0


#: head movement (face widths per second) above which the head moves a lot
BUSY_HEAD = 0.35


def tips(report: PresenceReport) -> list[str]:
    """What to change, most important first (empty when all is well)."""
    out: list[str] = []
    if report.face_in_frame < 0.8:
        out.append(f"Your face was out of the picture for {_pct(1 - report.face_in_frame)} of the "
                   "answer: sit squarely in front of the camera and stay in frame.")
    looks = report.looks
    down, side = looks.get("down", 0.0), looks.get("side", 0.0)
    away = looks.get("away", 0.0)
    if down >= 0.15:
        out.append(f"You looked down (at notes?) for {_pct(down)} of the answer: know your key "
                   "points well enough to keep notes out of sight, or put them at lens height.")
    if side >= 0.15:
        out.append(f"You looked to the side (at the screen?) for {_pct(side)} of the answer: "
                   "move the interviewer's video just under the camera and look into the lens.")
    if away >= 0.15:
        out.append(f"Your head was turned away from the camera for {_pct(away)} of the answer: "
                   "face the camera squarely.")
    if report.eye_contact < 0.6 and not (down >= 0.15 or side >= 0.15 or away >= 0.15) \
            and report.face_in_frame >= 0.8:
        out.append(f"Eye contact was {_pct(report.eye_contact)} of the answer: look into the lens "
                   "as if it were the interviewer's eyes.")
    if report.longest_look_away_s >= 5:
        out.append(f"Your longest look away lasted {report.longest_look_away_s:.0f} s: glance away "
                   "to think if you must, then come back to the lens.")
    if report.head_movement > BUSY_HEAD:
        out.append("Your head moved a lot: sit back in a steady chair and keep still between "
                   "gestures.")
    problems = report.framing_problems
    if problems.get("backlight", 0) >= 0.5:
        out.append("A bright light behind you left your face in shadow: face the window or a lamp.")
    elif problems.get("brightness", 0) >= 0.5:
        out.append("Your face was poorly lit: put a lamp in front of you, behind the camera.")
    if problems.get("size", 0) >= 0.5:
        out.append("Check your distance from the camera: head and shoulders should fill the frame.")
    if problems.get("centred", 0) >= 0.5:
        out.append("Centre yourself in the picture, with the camera at eye level.")
    return out


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


# ------------------------------------------------------------------ the timeline for reports

#: timeline colours, one per look (the app's chart uses the same)
LOOK_COLOURS = {"camera": "#2e9d4a", "down": "#e08a00", "side": "#d9b300", "up": "#8a6fd1",
                "away": "#c0392b", "no face": "#7f8c8d", "unknown": "#b0b7bb"}
LOOK_LABELS = {"camera": "into the lens", "down": "down", "side": "to the side", "up": "up",
               "away": "head turned away", "no face": "out of the picture",
               "unknown": "eyes not seen"}


def timeline_svg(report: PresenceReport, *, width: int = 640) -> str:
    """An inline SVG strip of the answer's time with the look-aways as coloured bars, for the
    HTML report under the transcript. No script, no external resource; labels escaped."""
    from html import escape

    height, top, bar = 46, 6, 18
    duration = max(report.duration_s, 1e-6)

    def x(t: float) -> float:
        return 4 + (width - 8) * min(max(t, 0.0), duration) / duration

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="presence-timeline" role="img" '
           f'viewBox="0 0 {width} {height}" width="100%" font-family="Helvetica, Arial, sans-serif" '
           f'font-size="10" aria-label="{escape(_timeline_label(report))}">',
           f'<rect class="answer" x="4" y="{top}" width="{width - 8}" height="{bar}" '
           f'fill="{LOOK_COLOURS["camera"]}" fill-opacity="0.25" />']
    for a in report.look_aways:
        title = f"{_clock(a.start)}–{_clock(a.end)}: looked {LOOK_LABELS[a.kind]}"
        out.append(f'<rect class="look-away" data-kind="{escape(a.kind)}" x="{x(a.start):.1f}" '
                   f'y="{top}" width="{max(1.0, x(a.end) - x(a.start)):.1f}" height="{bar}" '
                   f'fill="{LOOK_COLOURS[a.kind]}"><title>{escape(title)}</title></rect>')
    for t in range(0, int(duration) + 1, max(10, int(duration // 6) // 10 * 10 or 10)):
        out.append(f'<text x="{x(t):.1f}" y="{top + bar + 14}" text-anchor="middle" '
                   f'fill="#52606d">{_clock(t)}</text>')
    out.append("</svg>")
    return "".join(out)


def _timeline_label(report: PresenceReport) -> str:
    return (f"Eye contact {report.eye_contact * 100:.0f} % of the answer; "
            f"{len(report.look_aways)} look-aways, the longest {report.longest_look_away_s:.1f} s")


def _clock(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"
