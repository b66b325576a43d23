"""Speed of local transcription: model load time, real-time factor, peak memory (medians).

    .venv/bin/python benchmarks/bench_transcribe.py [--runs 5] [--variants]

Builds a ~2-minute answer at run time by concatenating the speech fixtures (nothing big is
committed), then measures each configuration in a *fresh subprocess per run* so that the
peak resident memory (``ru_maxrss``, which includes native CTranslate2/PyTorch memory that
tracemalloc cannot see) and the model load time are those of a cold process.

Default backend: faster-whisper, bundled tiny.en, int8, VAD, word timestamps, verbatim.
``--variants`` also measures the alternatives that were tried (beam 5, batch sizes, threads).
openai-whisper is compared on the same weights and audio by ``benchmarks/bench_backends.py``.
Targets: real-time factor <= 0.05, load < 1 s, peak < 600 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "fixtures"
ORDER = ["answer", "fillers1", "short", "fillers2", "clipped"]
FILES = {"answer": "answer.wav", "fillers1": "fillers1.wav", "fillers2": "fillers2.wav",
         "short": "short_stereo_44k.wav", "clipped": "clipped.wav"}
TARGETS = {"rtf": 0.05, "load": 1.0, "peak_mb": 600.0}

VARIANTS = {
    "default (beam 3, batch 2, 2 threads)": {},
    "beam 1": {"beam_size": 1},
    "beam 5": {"beam_size": 5},
    "batch 1": {"batch_size": 1},
    "batch 4": {"batch_size": 4},
    "batch 8": {"batch_size": 8},
    "1 thread": {"cpu_threads": 1},
    "verbatim off": {"verbatim": False},
    "beam 5, batch 1": {"beam_size": 5, "batch_size": 1},
    "beam 5, batch 2": {"beam_size": 5, "batch_size": 2},
}


def build_audio(target_seconds: float = 120.0) -> tuple[Path, str]:
    """Concatenate fixtures (0.6 s pauses) to about ``target_seconds``; return path and reference."""
    import numpy as np

    from interview.audio import load_audio, save_wav

    refs = json.loads((FIXTURES / "references.json").read_text())["texts"]
    clips = {k: load_audio(FIXTURES / f, check_speech=False).samples for k, f in FILES.items()}
    gap = np.zeros(int(0.6 * 16000), dtype=np.float32)
    parts, text, total, i = [], [], 0.0, 0
    while total < target_seconds:
        key = ORDER[i % len(ORDER)]
        parts += [clips[key], gap]
        text.append(refs[key])
        total += (clips[key].size + gap.size) / 16000
        i += 1
    path = Path(tempfile.mkdtemp(prefix="bench-")) / "answer-2min.wav"
    save_wav(path, np.concatenate(parts))
    return path, " ".join(text)


def worker(args) -> None:
    """One cold measurement: load the model, transcribe once, print JSON."""
    import resource
    import time

    from interview.transcribe import DecodeOptions, FasterWhisperTranscriber, OpenAIWhisperTranscriber

    cfg = json.loads(args.worker)
    defaults = DecodeOptions()
    opts = DecodeOptions(beam_size=cfg.get("beam_size", defaults.beam_size),
                         batch_size=cfg.get("batch_size", defaults.batch_size))
    started = time.perf_counter()
    if cfg["backend"] == "openai-whisper":
        t = OpenAIWhisperTranscriber(cfg.get("model"), options=opts)
    else:
        t = FasterWhisperTranscriber(cfg.get("model"), options=opts, cpu_threads=cfg.get("cpu_threads", 0))
    load = time.perf_counter() - started
    result = t.transcribe(args.audio, verbatim=cfg.get("verbatim", True))
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"load": load, "model_load": t.load_seconds, "elapsed": result.elapsed,
                      "duration": result.duration, "rtf": result.real_time_factor,
                      "peak_mb": rss_kb / 1024, "text": result.text}))


def measure(audio: Path, cfg: dict, runs: int) -> dict:
    rows = []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, __file__, "--audio", str(audio), "--worker", json.dumps(cfg)],
            capture_output=True, text=True, timeout=900,
        )
        if proc.returncode != 0:
            raise SystemExit(f"worker failed: {proc.stderr.strip().splitlines()[-1:]}")
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(r[k] for r in rows) for k in ("load", "model_load", "elapsed", "rtf", "peak_mb")}
    med["text"] = rows[-1]["text"]
    med["duration"] = rows[-1]["duration"]
    return med


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    norm = lambda s: " ".join(re.sub(r"[^a-z' ]+", " ", s.lower()).split())  # noqa: E731
    return jiwer.wer(norm(reference), norm(hypothesis))


def line(name: str, m: dict, ref: str) -> str:
    return (f"{name:38s} load {m['load']:5.2f} s (model {m['model_load']:4.2f})  "
            f"RTF {m['rtf']:.4f} ({m['elapsed']:5.2f} s)  peak {m['peak_mb']:5.0f} MB  "
            f"WER {wer(ref, m['text']):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold runs per configuration (median)")
    parser.add_argument("--variants", action="store_true", help="also measure the alternatives tried")
    parser.add_argument("--only", metavar="TEXT", help="the default and the variants whose name contains TEXT")
    parser.add_argument("--audio", help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    audio, reference = build_audio()
    import wave

    with wave.open(str(audio)) as w:
        seconds = w.getnframes() / w.getframerate()
    print(f"audio: {seconds:.1f} s of synthesised speech ({audio}); {args.runs} cold runs each, medians; "
          f"{os.cpu_count()} CPU cores")
    names = VARIANTS if args.variants else {k: v for k, v in VARIANTS.items() if k.startswith("default")}
    if args.only:
        names = {"default": {}, **{k: v for k, v in VARIANTS.items() if args.only in k}}
    results = {}
    for name, extra in names.items():
        results[name] = measure(audio, {"backend": "faster-whisper", **extra}, args.runs)
        print(line(f"faster-whisper {name}", results[name], reference), flush=True)
    default = results[next(iter(results))]
    ok = (default["rtf"] <= TARGETS["rtf"], default["load"] < TARGETS["load"], default["peak_mb"] < TARGETS["peak_mb"])
    print(f"targets: RTF <= {TARGETS['rtf']} {'met' if ok[0] else 'MISSED'}; load < {TARGETS['load']:.0f} s "
          f"{'met' if ok[1] else 'MISSED'}; peak < {TARGETS['peak_mb']:.0f} MB {'met' if ok[2] else 'MISSED'}")

    print("openai-whisper on the same weights: see benchmarks/bench_backends.py")

if __name__ == "__main__":
    main()
