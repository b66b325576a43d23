"""``interview presence``: eye contact, framing and lighting from a video answer, locally.

    python -m interview presence FILE [--json] [--fps N]

Prints ``face_in_frame`` and ``eye_contact`` (shares 0-1), ``longest_look_away_s``, head
movement, ``frames`` analysed, a timeline of look-aways and tips. ``--json`` prints the same
as JSON (see ``PresenceReport.to_dict``). A file with no video track, no face, a corrupt file
or a missing video extra exits 2 with one line.
"""

from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "presence",
        help="eye contact, framing and lighting from a video answer (needs the video extra)",
        description="Analyse a video answer (WebM, MP4) on this machine: face in frame, eye "
                    "contact, longest look away, head movement, lighting, with tips. Nothing "
                    "is sent anywhere. Needs the optional video extra: pip install '.[video]'.",
    )
    p.add_argument("file", metavar="FILE", help="the video file")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--fps", type=float, default=None, metavar="N",
                   help="frames analysed per second of video (default 5)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..face import load_cv2
    from ..video import DEFAULT_FPS, analyse_video

    load_cv2()  # one line about the extra before any work
    fps = args.fps or DEFAULT_FPS
    if not 0.2 <= fps <= 30:
        from ..errors import VideoError

        raise VideoError(f"--fps must be between 0.2 and 30 (got {fps:g})")
    report = analyse_video(args.file, fps)
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(f"face_in_frame        {report.face_in_frame:.2f}")
    print(f"eye_contact          {report.eye_contact:.2f}")
    print(f"longest_look_away_s  {report.longest_look_away_s:.1f}")
    print(f"head_movement        {report.head_movement:.2f} face widths/s")
    print(f"frames               {report.frames} ({report.sample_fps:g}/s over "
          f"{report.duration_s:.1f} s)")
    if report.look_aways:
        print("look-aways:")
        for a in report.look_aways:
            print(f"  {_clock(a.start)}-{_clock(a.end)}  {a.kind}")
    for tip in report.tips:
        print(f"tip: {tip}")
    return 0


def _clock(seconds: float) -> str:
    m, s = divmod(seconds, 60)
    return f"{int(m)}:{s:04.1f}"
