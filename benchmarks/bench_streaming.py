"""Benchmark: transcribing while the answer is spoken vs transcribing the whole file at stop.

For each recording (the 14 real-speech clips of ``../shared/real_speech`` and the ~2-minute
answer built by ``bench_transcribe.build_audio``) it transcribes the whole file once
(``Transcriber.transcribe``, as the file-based path does) and once through
:class:`interview.streaming.StreamingTranscription` fed 2-second chunks in lock-step with its
worker (so the stretches are cut where a live take would cut them), and prints:

- corpus WER of both against the references (Whisper's English normaliser) and the
  difference (the issue's bound: at most 0.01);
- the work left at stop: median seconds of :meth:`finish` (tail decode + assembly), vs the
  whole-file transcription time (the file-based path's work at stop).

Last measured (2-core machine, load about 2): real speech WER 0.103 whole file vs 0.108
streamed (+0.005), work at stop 0.39 s median (8 of 14 clips had their tail decoded before
stop); 2-minute answer 0.033 vs 0.017, work at stop 0.02 s vs 8.7 s for the whole file.
Stretch lengths tried (one run each, before the provisional and speculative decodes): min 4 s
+0.011 / -0.025, 8 s +0.000 / -0.021, 12 s +0.013 / -0.021, 20 s -0.005 / -0.033 (real
speech / 2-minute answer): 8 s is the default.

Run: ``.venv/bin/python benchmarks/bench_streaming.py [--min-stretch 8] [--repeats 3]``.
Needs the ``openai-whisper`` extra for the normaliser (``make test`` installs it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from speech_eval import normalizer_skip_reason, real_speech, wer  # noqa: E402

CHUNK_SECONDS = 2.0


def streamed(transcriber, samples, options):
    from interview.audio import SAMPLE_RATE
    from interview.streaming import StreamingTranscription

    stream = StreamingTranscription(transcriber, options=options)
    step = int(CHUNK_SECONDS * SAMPLE_RATE)
    for i in range(0, samples.size, step):
        stream.feed(samples[i:i + step])
        stream.wait_idle()
    started = time.perf_counter()
    transcript = stream.finish()
    return transcript, time.perf_counter() - started, stream.stretches, stream.reused_provisional


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-stretch", type=float, nargs="*", default=[8.0],
                        help="StreamOptions.min_stretch_seconds values to compare")
    parser.add_argument("--repeats", type=int, default=1, help="timing repeats (median)")
    args = parser.parse_args()
    reason = normalizer_skip_reason()
    if reason:
        sys.exit(reason)

    from bench_transcribe import build_audio

    from interview.audio import load_audio
    from interview.streaming import StreamOptions
    from interview.transcribe import get_transcriber

    transcriber = get_transcriber()
    long_path, long_ref = build_audio(120.0)
    sets = {
        "real speech (14 clips)": [(load_audio(c.path, check_speech=False).samples, c.transcript)
                                   for c in real_speech()],
        "2-minute answer": [(load_audio(long_path, check_speech=False).samples, long_ref)],
    }
    whole = {}
    for name, items in sets.items():
        hyps, times = [], []
        for samples, _ref in items:
            from interview.audio import AudioClip

            clip = AudioClip(samples=samples, duration=samples.size / 16000)
            runs = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                text = transcriber.transcribe(clip).text
                runs.append(time.perf_counter() - t)
            hyps.append(text)
            times.append(statistics.median(runs))
        whole[name] = (wer([r for _s, r in items], hyps), times)

    print(f"{'set':24} {'mode':22} {'WER':>6} {'diff':>7} {'stop work (median s)':>22} {'stretches':>9}")
    for name, items in sets.items():
        refs = [r for _s, r in items]
        w, times = whole[name]
        print(f"{name:24} {'whole file':22} {w:6.3f} {'':>7} {statistics.median(times):22.2f} {'':>9}")
        for least in args.min_stretch:
            options = StreamOptions(min_stretch_seconds=least)
            hyps, tails, pieces, reused = [], [], 0, 0
            for samples, _ref in items:
                runs = []
                for _ in range(args.repeats):
                    transcript, tail, n, again = streamed(transcriber, samples, options)
                    runs.append(tail)
                reused += again
                hyps.append(transcript.text)
                tails.append(statistics.median(runs))
                pieces += n
            ws = wer(refs, hyps)
            print(f"{name:24} {f'streaming (min {least:g} s)':22} {ws:6.3f} {ws - w:+7.3f} "
                  f"{statistics.median(tails):22.2f} {pieces:9d}  (tail already decoded: "
                  f"{reused} of {len(items)})")


if __name__ == "__main__":
    main()
