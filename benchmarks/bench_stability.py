"""Stability under transcription: the same answer typed and spoken, scored both ways.

Run: .venv/bin/python benchmarks/bench_stability.py [--limit N]
Every calibration answer (tests/calibration/*.yaml and ../shared/calibration/answers.yaml)
is synthesised with espeak-ng (U.S. English voice, 155 wpm), transcribed by the bundled
faster-whisper tiny.en, and scored as a recorded answer (transcript text and timed words);
the typed text is scored as typed. Prints, per criterion, the mean, median and largest
absolute difference between the two scores (content criteria target: mean <= 0.5), and
the word error rate of the transcripts. Needs espeak-ng (apt-get install espeak-ng).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interview.scoring.evaluate import load_groups, score_variant  # noqa: E402

CONTENT = ("local_system_familiarity", "program_fit", "questions_quality", "relevance")
OTHER = ("structure", "clarity")
SHARED = ROOT.parent / "shared" / "calibration" / "answers.yaml"


def synthesise(text: str, path: Path) -> None:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "155", "-w", str(path), text],
                   check=True, capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0, help="only the first N answers")
    args = ap.parse_args()
    if not shutil.which("espeak-ng"):
        print("skipped: espeak-ng is not installed (apt-get install espeak-ng)")
        return
    from jiwer import wer

    from interview.scoring import score_answer  # noqa: F401  (warm import)
    from interview.transcribe import get_transcriber

    paths = sorted((ROOT / "tests" / "calibration").glob("*.yaml")) + ([SHARED] if SHARED.is_file() else [])
    items = [(g, v) for g in load_groups(paths) for v in g["variants"]]
    if args.limit:
        items = items[: args.limit]
    tr = get_transcriber()
    diffs: dict[str, list[float]] = {c: [] for c in CONTENT + OTHER}
    overall: list[float] = []
    errors: list[float] = []
    worst: list[tuple[float, str, str]] = []
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for i, (g, v) in enumerate(items):
            wav = Path(tmp) / f"{i}.wav"
            synthesise(v["text"], wav)
            transcript = tr.transcribe(str(wav))
            typed = score_variant(g, v)
            spoken = score_variant(g, {**v, "text": transcript.text}, transcript=transcript)
            errors.append(wer(" ".join(v["text"].lower().split()), " ".join(transcript.text.lower().split())))
            overall.append(abs(typed.overall - spoken.overall))
            for cid in diffs:
                a, b = typed.get(cid), spoken.get(cid)
                if a is not None and b is not None:
                    d = abs(a.score - b.score)
                    diffs[cid].append(d)
                    worst.append((d, cid, f"{g['id']}/{v['id']}"))
    print(f"{len(items)} answers, typed vs espeak-ng -> faster-whisper tiny.en ({time.time() - t0:.0f} s); "
          f"raw WER median {statistics.median(errors):.2f} (no text normaliser: punctuation and case count)")
    for cid, ds in diffs.items():
        if ds:
            tag = "content" if cid in CONTENT else "form"
            print(f"  {cid:<26} ({tag})  n={len(ds):3d}  mean |diff| {statistics.fmean(ds):.2f}  "
                  f"median {statistics.median(ds):.2f}  max {max(ds):.2f}"
                  + ("   OK (<= 0.5)" if tag == "content" and statistics.fmean(ds) <= 0.5 else ""))
    print(f"  {'overall':<26}           n={len(overall):3d}  mean |diff| {statistics.fmean(overall):.2f}  "
          f"max {max(overall):.2f}")
    print("largest differences:", "; ".join(f"{cid} {name} {d:.2f}" for d, cid, name in sorted(worst)[-5:]))


if __name__ == "__main__":
    main()
