"""Accuracy on real human speech: WER (after Whisper's English normaliser) and filler recall,
per clip type, with the real-time factor, for the default settings and the variants tried.

    .venv/bin/python benchmarks/bench_real_speech.py [--variants] [--only TEXT] [--backend B]

Reads ``../shared/real_speech/manifest.tsv`` (14 clips, about 3 minutes: a phone call,
semi-spontaneous speech with "um"/"uh", LibriVox readings, a 1961 speech, a sonnet). The model
is loaded once; each configuration transcribes every clip once after a warm-up, so the RTF is
total decoding time / total audio. Goals for the defaults: WER <= 0.10, filler recall >= 0.90,
RTF <= 0.05. Skips (exit 0) with a reason when the clips or Whisper's normaliser are missing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from speech_eval import filler_recall, normalizer_skip_reason, real_speech, wer  # noqa: E402

GOALS = {"wer": 0.10, "filler_recall": 0.90, "rtf": 0.05}

#: what was tried; each entry changes the defaults (DecodeOptions fields, or "prompt": the
#: verbatim prompt's text, or "vocabulary": a term list / "reversed" / a length)
VARIANTS = {
    "default": {},
    "beam 5": {"beam_size": 5},
    "beam 2": {"beam_size": 2},
    "beam 3": {"beam_size": 3},
    "beam 5, VAD threshold 0.6": {"beam_size": 5, "vad_threshold": 0.6},
    "beam 5, no vocabulary hint": {"beam_size": 5, "vocabulary": ()},
    "beam 5, batch 4": {"beam_size": 5, "batch_size": 4},
    "no vocabulary hint": {"vocabulary": ()},
    "vocabulary: first 10 terms": {"vocabulary": 10},
    "vocabulary: reversed order": {"vocabulary": "reversed"},
    "verbatim off": {"verbatim": False},
    "prompt: short fillers": {"prompt": "Um, uh, so, um, I, uh, think."},
    "prompt: interview answer": {"prompt": "Um, so, I, uh, I trained in, um, internal medicine, and, uh, you know, I, um, want to, uh, explain."},
    "prompt: hesitant, like": {"prompt": "Uh, um, like, you know, I mean, uh, well, um, so, uh, yeah."},
    "no temperature fallback": {"temperatures": (0.0,)},
    "VAD threshold 0.35": {"vad_threshold": 0.35},
    "VAD threshold 0.6": {"vad_threshold": 0.6},
    "VAD silence 500 ms": {"vad_min_silence_ms": 500},
    "VAD silence 1000 ms": {"vad_min_silence_ms": 1000},
    "VAD pad 200 ms": {"vad_speech_pad_ms": 200},
    "VAD pad 800 ms": {"vad_speech_pad_ms": 800},
    "batch 1": {"batch_size": 1},
}


def configure(transcriber, base, variant: dict):
    """Apply a variant; return (verbatim, vocabulary) for transcribe()."""
    import interview.transcribe as tr

    fields = {k: v for k, v in variant.items() if k in base.__dataclass_fields__ and k != "vocabulary"}
    transcriber.options = replace(base, **fields)
    tr.VERBATIM_PROMPT = variant.get("prompt", DEFAULT_PROMPT)
    vocab = variant.get("vocabulary")
    if vocab == "reversed":
        vocab = tuple(reversed(tr.vocabulary_for()))
    elif isinstance(vocab, int):
        vocab = tr.vocabulary_for()[:vocab]
    return variant.get("verbatim", True), vocab


def run(transcriber, base, name: str, variant: dict, clips) -> dict:
    verbatim, vocab = configure(transcriber, base, variant)
    rows = []
    for clip in clips:
        result = transcriber.transcribe(clip.path, verbatim=verbatim, vocabulary=vocab)
        rows.append((clip, result.text, result.elapsed))
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row[0].kind].append(row)
    summary = {
        "name": name,
        "wer": wer([c.transcript for c, _, _ in rows], [t for _, t, _ in rows]),
        "filler_recall": filler_recall([c.transcript for c, _, _ in rows], [t for _, t, _ in rows]),
        "rtf": sum(e for _, _, e in rows) / sum(c.duration for c, _, _ in rows),
        "kinds": {k: (wer([c.transcript for c, _, _ in v], [t for _, t, _ in v]),
                      filler_recall([c.transcript for c, _, _ in v], [t for _, t, _ in v]))
                  for k, v in by_kind.items()},
        "texts": {c.path.name: t for c, t, _ in rows},
    }
    return summary


def fmt_recall(value) -> str:
    return "  -  " if value is None else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", action="store_true", help="also measure the alternatives tried")
    parser.add_argument("--only", metavar="TEXT", help="the default and the variants whose name contains TEXT")
    parser.add_argument("--backend", default="faster-whisper", choices=("faster-whisper", "openai-whisper"))
    parser.add_argument("--texts", action="store_true", help="print every transcript of the default")
    args = parser.parse_args()

    clips = real_speech()
    if not clips:
        print(f"skipped: no real-speech clips (expected ../shared/real_speech/manifest.tsv)")
        return
    reason = normalizer_skip_reason()
    if reason:
        print(f"skipped: {reason}")
        return
    from interview.transcribe import FasterWhisperTranscriber, OpenAIWhisperTranscriber

    global DEFAULT_PROMPT
    import interview.transcribe as tr

    DEFAULT_PROMPT = tr.VERBATIM_PROMPT
    t = FasterWhisperTranscriber() if args.backend == "faster-whisper" else OpenAIWhisperTranscriber()
    base = t.options
    t.transcribe(clips[0].path)  # warm-up
    names = {"default": {}}
    if args.variants:
        names = VARIANTS
    if args.only:
        names = {"default": {}, **{k: v for k, v in VARIANTS.items() if args.only in k}}
    total = sum(c.duration for c in clips)
    print(f"{len(clips)} real clips, {total:.0f} s; {args.backend} {t.model_name}; {os.cpu_count()} CPU cores; "
          "WER after Whisper's EnglishTextNormalizer (corpus), filler recall = um/uh kept")
    kinds = sorted({c.kind for c in clips})
    results = []
    for name, variant in names.items():
        s = run(t, base, name, variant, clips)
        results.append(s)
        print(f"{name:32s} WER {s['wer']:.3f}  filler recall {fmt_recall(s['filler_recall'])}  RTF {s['rtf']:.4f}",
              flush=True)
        if name == "default":
            for kind in kinds:
                w, r = s["kinds"][kind]
                n = sum(1 for c in clips if c.kind == kind)
                print(f"    {kind:28s} ({n:2d} clips) WER {w:.3f}  filler recall {fmt_recall(r)}")
            if args.texts:
                for file, text in s["texts"].items():
                    print(f"      {file}: {text}")
    d = results[0]
    verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    print(f"goals for the defaults: WER <= {GOALS['wer']} {verdict(d['wer'] <= GOALS['wer'])} ({d['wer']:.3f}); "
          f"filler recall >= {GOALS['filler_recall']} {verdict((d['filler_recall'] or 0) >= GOALS['filler_recall'])} "
          f"({fmt_recall(d['filler_recall'])}); RTF <= {GOALS['rtf']} {verdict(d['rtf'] <= GOALS['rtf'])} ({d['rtf']:.4f})")


DEFAULT_PROMPT = ""

if __name__ == "__main__":
    main()
