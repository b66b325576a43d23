"""faster-whisper and openai-whisper side by side, on the same weights and the same audio.

    .venv/bin/python benchmarks/bench_backends.py [--runs 3] [--openai-runs 1]

Both backends run the bundled tiny.en: faster-whisper reads the CTranslate2 ``model.bin``
(int8 on CPU, the app's default; float32 too, for a like-for-like precision row);
openai-whisper reads the checkpoint :mod:`interview.whisper_convert` makes from that file
(float32 on CPU). Same decoding settings (``DecodeOptions``: beam, verbatim prompt, vocabulary
hint, VAD chunks), word timestamps on. Audio: a ~2-minute synthesised answer
(``benchmarks/bench_transcribe.py``'s fixtures concatenation) and the 14 real clips of
``../shared/real_speech/``.

Each run is a fresh subprocess (cold model load, peak resident memory ``ru_maxrss`` including
native memory); figures are medians over the runs. WER is after Whisper's English normaliser;
filler recall counts the spoken "um"/"uh" kept. The speed ratio is openai-whisper's decoding time
over faster-whisper's, measured in the same run. Goal: faster-whisper >= 4x faster at equal or
better WER. Skips openai-whisper with a reason when its extra is not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from speech_eval import filler_recall, normalizer_skip_reason, real_speech, wer  # noqa: E402

CONFIGS = {
    "faster-whisper int8 (default)": {"backend": "faster-whisper", "compute_type": "int8"},
    "faster-whisper float32": {"backend": "faster-whisper", "compute_type": "float32"},
    "openai-whisper float32": {"backend": "openai-whisper"},
}
GOAL_RATIO = 4.0


def worker(cfg: dict, answer: str) -> None:
    """One cold run: load, transcribe the answer and the real clips, print JSON."""
    import resource

    from interview.audio import load_audio
    from interview.transcribe import FasterWhisperTranscriber, OpenAIWhisperTranscriber

    started = time.perf_counter()
    if cfg["backend"] == "openai-whisper":
        t = OpenAIWhisperTranscriber()
    else:
        t = FasterWhisperTranscriber(compute_type=cfg["compute_type"])
    load = time.perf_counter() - started
    clip = load_audio(answer)  # decode outside the timing: both backends get the same samples
    result = t.transcribe(clip)
    words_timed = sum(1 for w in result.words if w.end >= w.start)
    real = []
    for c in real_speech():
        r = t.transcribe(load_audio(c.path))
        real.append({"file": c.path.name, "text": r.text, "elapsed": r.elapsed, "duration": r.duration})
    print(json.dumps({
        "load": load, "answer_elapsed": result.elapsed, "answer_duration": result.duration,
        "answer_text": result.text, "answer_words": words_timed, "real": real,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def measure(cfg: dict, answer: Path, runs: int, env: dict) -> list[dict]:
    rows = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, __file__, "--worker", json.dumps(cfg), "--answer", str(answer)],
                              capture_output=True, text=True, timeout=1800, env=env)
        if proc.returncode != 0:
            raise SystemExit(f"worker failed: {proc.stderr.strip().splitlines()[-3:]}")
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return rows


def summarise(rows: list[dict], answer_ref: str, clips) -> dict:
    med = lambda values: statistics.median(values)  # noqa: E731
    refs = {c.path.name: c.transcript for c in clips}
    last = rows[-1]
    real_texts = [r["text"] for r in last["real"]]
    real_refs = [refs[r["file"]] for r in last["real"]]
    real_seconds = sum(r["duration"] for r in last["real"]) or 1.0
    return {
        "load": med(r["load"] for r in rows),
        "answer_rtf": med(r["answer_elapsed"] / r["answer_duration"] for r in rows),
        "real_rtf": med(sum(x["elapsed"] for x in r["real"]) / real_seconds for r in rows),
        "peak_mb": med(r["peak_mb"] for r in rows),
        "answer_wer": wer(answer_ref, last["answer_text"]),
        "answer_fillers": filler_recall(answer_ref, last["answer_text"]),
        "real_wer": wer(real_refs, real_texts) if real_refs else None,
        "real_fillers": filler_recall(real_refs, real_texts) if real_refs else None,
        "texts": {r["file"]: r["text"] for r in last["real"]} | {"answer": last["answer_text"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold runs per faster-whisper row (median)")
    parser.add_argument("--openai-runs", type=int, default=1,
                        help="cold runs for openai-whisper (about 5 minutes each on 2 cores)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--answer", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker), args.answer)
        return
    reason = normalizer_skip_reason()
    if reason:
        print(f"skipped: {reason}")
        return
    from bench_transcribe import build_audio

    answer, answer_ref = build_audio()
    clips = real_speech()
    env = dict(os.environ, INTERVIEW_DATA_DIR=tempfile.mkdtemp(prefix="bench-backends-"))
    from interview.transcribe import default_model_path
    from interview.whisper_convert import bundled_checkpoint

    started = time.perf_counter()
    checkpoint = bundled_checkpoint(default_model_path(), Path(env["INTERVIEW_DATA_DIR"]) / "models")
    convert_s = time.perf_counter() - started
    print(f"audio: a {answer_ref.count(' ') + 1}-word synthesised answer of about 2 minutes, and "
          f"{len(clips)} real clips ({sum(c.duration for c in clips):.0f} s); {args.runs} cold runs per "
          f"faster-whisper row, {args.openai_runs} for openai-whisper, medians; {os.cpu_count()} CPU cores; word timestamps on")
    print(f"one-off conversion of model.bin to an openai-whisper checkpoint: {convert_s:.2f} s "
          f"({checkpoint.stat().st_size / 1e6:.0f} MB)")
    print(f"{'backend':30s} {'load s':>7s} {'RTF 2-min':>9s} {'RTF real':>8s} {'peak MB':>8s} "
          f"{'WER 2-min':>9s} {'WER real':>8s} {'fillers':>7s}")
    results = {}
    for name, cfg in CONFIGS.items():
        if cfg["backend"] == "openai-whisper":
            try:
                import whisper  # noqa: F401
            except ImportError as exc:
                print(f"{name}: skipped - the openai-whisper extra is not installed ({exc})")
                continue
        runs = args.openai_runs if cfg["backend"] == "openai-whisper" else args.runs
        s = results[name] = summarise(measure(cfg, answer, runs, env), answer_ref, clips)
        fillers = [x for x in (s["answer_fillers"], s["real_fillers"]) if x is not None]
        print(f"{name:30s} {s['load']:7.2f} {s['answer_rtf']:9.4f} {s['real_rtf']:8.4f} {s['peak_mb']:8.0f} "
              f"{s['answer_wer']:9.3f} {s['real_wer']:8.3f} {min(fillers) if fillers else float('nan'):7.2f}",
              flush=True)
    fw, ow = results.get("faster-whisper int8 (default)"), results.get("openai-whisper float32")
    if fw and ow:
        ratio_answer, ratio_real = ow["answer_rtf"] / fw["answer_rtf"], ow["real_rtf"] / fw["real_rtf"]
        same = sum(ow["texts"][k] == fw["texts"][k] for k in fw["texts"])
        equal_or_better = fw["answer_wer"] <= ow["answer_wer"] + 1e-9 and fw["real_wer"] <= ow["real_wer"] + 1e-9
        print(f"speed ratio faster-whisper / openai-whisper: {ratio_answer:.1f}x (2-min answer), "
              f"{ratio_real:.1f}x (real clips); memory {ow['peak_mb'] / fw['peak_mb']:.1f}x less; "
              f"load {ow['load'] / fw['load']:.1f}x faster")
        print(f"WER difference openai - faster: {ow['answer_wer'] - fw['answer_wer']:+.3f} (2-min answer), "
              f"{ow['real_wer'] - fw['real_wer']:+.3f} (real clips); identical text on {same} of {len(fw['texts'])} recordings")
        print(f"goal >= {GOAL_RATIO:.0f}x faster at equal or better WER: "
              f"{'met' if min(ratio_answer, ratio_real) >= GOAL_RATIO and equal_or_better else 'NOT met'}")


if __name__ == "__main__":
    main()
