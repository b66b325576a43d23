"""Benchmark: presence analysis of a 2-minute 720p answer video (target: under 10 s on 2 cores).

Run: .venv/bin/python benchmarks/bench_presence.py   (needs the video extra: pip install '.[video]')
Builds once (cached in the system temp folder) a 120 s, 1280x720, 30 frames/s WebM (VP8, what
Chromium's MediaRecorder records) from a public-domain portrait that looks into the lens,
down at notes, to the side and leaves the frame, moving a little all the time; then times
``analyse_video`` at 5 frames/s (600 frames analysed; every frame is decoded), median of 3 runs.
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

SECONDS, FPS, RUNS = 120, 30, 3


def build(path: Path) -> None:
    from video_faces import empty_frame, frame, look, photo

    face = photo("grace_hopper")
    variants = {
        "camera": face,
        "down": look(face, "grace_hopper", 0, 0.1),
        "side": look(face, "grace_hopper", 0.14, 0),
    }
    empty = empty_frame()

    def frames():
        for i in range(SECONDS * FPS):
            t = i / FPS
            phase = int(t) % 20
            if phase < 12:
                kind = "camera"
            elif phase < 16:
                kind = "down"
            elif phase < 19:
                kind = "side"
            else:
                kind = "gone"
            if kind == "gone":
                yield empty
                continue
            # a little sway, as a seated person makes
            centre = (0.5 + 0.02 * math.sin(t * 0.7), 0.45 + 0.01 * math.sin(t * 1.3))
            yield frame(variants[kind], scale=1.15, centre=centre)

    from video_faces import write_video

    write_video(path, frames(), fps=FPS)


def main() -> int:
    try:
        import cv2  # noqa: F401
    except ImportError:
        print("skipped: the video extra is not installed (pip install '.[video]')")
        return 0
    from interview.video import analyse_video, probe

    path = Path(tempfile.gettempdir()) / f"bench_presence_{SECONDS}s_720p.webm"
    if not path.exists():
        print(f"building {path.name} ({SECONDS} s, 1280x720, {FPS} fps)...", flush=True)
        t0 = time.perf_counter()
        build(path)
        print(f"  built in {time.perf_counter() - t0:.0f} s ({path.stat().st_size / 1e6:.1f} MB)")
    info = probe(path)
    times = []
    report = None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        report = analyse_video(path)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(f"video: {info.width}x{info.height} {info.codec}, {report.duration_s:.0f} s; "
          f"{report.frames} frames analysed at {report.sample_fps:g}/s")
    print(f"presence analysis: median {med:.2f} s over {RUNS} runs "
          f"({med / report.duration_s * 60:.2f} s per minute of video; target < 10 s)")
    print(f"figures: face_in_frame {report.face_in_frame:.2f} (expected 0.95), eye_contact "
          f"{report.eye_contact:.2f} (expected 0.60), longest_look_away_s "
          f"{report.longest_look_away_s:.1f} (expected 8)")
    return 0 if med < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
