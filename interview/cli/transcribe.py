"""``interview transcribe``: transcribe one recording locally and print it (or JSON).

    python -m interview transcribe FILE [--backend faster-whisper|openai-whisper] [--model M]
        [--json] [--no-verbatim]

``--json`` prints ``{"text", "duration", "language", "backend", "model", "elapsed",
"real_time_factor", "warnings", "segments": [...], "words": [{"word", "start", "end",
"probability"}], "metrics": {...delivery metrics...}}``. Bad input exits 2 with one line.
"""

from __future__ import annotations

import json
import sys

from ..transcribe import BACKENDS, DEFAULT_BACKEND, get_transcriber


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "transcribe",
        help="transcribe a recording locally (offline Whisper) with word timings",
        description="Transcribe a recording (WAV, FLAC, MP3, M4A/AAC, OGG/Opus, WebM) on this "
                    "machine, with word timings and delivery metrics. Nothing is sent anywhere.",
    )
    p.add_argument("file", metavar="FILE", help="the audio file")
    p.add_argument("--backend", choices=BACKENDS, default=DEFAULT_BACKEND,
                   help="speech engine (default: faster-whisper)")
    p.add_argument("--model", metavar="M", default=None,
                   help="model size name from the local cache (e.g. base.en) or a model path "
                        "(default: the bundled tiny.en)")
    p.add_argument("--json", action="store_true", help="print JSON with words, segments and metrics")
    p.add_argument("--no-verbatim", dest="verbatim", action="store_false",
                   help="let Whisper drop filler words (um, uh); verbatim is the default")
    p.set_defaults(func=run)


def run(args) -> int:
    transcriber = get_transcriber(args.backend, args.model)
    show_progress = not args.json and sys.stderr.isatty()

    def progress(segment) -> None:
        if show_progress:
            print(f"  [{segment.start:6.1f}s] {segment.text}", file=sys.stderr)

    transcript = transcriber.transcribe(args.file, verbatim=args.verbatim, on_segment=progress)
    metrics = _metrics(transcript)
    if args.json:
        data = transcript.to_dict()
        data["real_time_factor"] = round(transcript.real_time_factor, 4)
        data["verbatim"] = args.verbatim
        data["metrics"] = metrics
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(transcript.text)
    for warning in transcript.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if metrics and metrics.get("words_per_minute") is not None:
        print(f"({transcript.duration:.1f} s, {metrics['words_per_minute']:.0f} words/min, "
              f"{metrics.get('filler_count', 0)} fillers; {transcript.backend} {transcript.model})",
              file=sys.stderr)
    return 0


def _metrics(transcript) -> dict:
    """Delivery metrics from the timed words (see interview.metrics)."""
    from ..metrics import compute_metrics

    return compute_metrics(transcript.text, words=transcript.words, duration=transcript.duration).to_dict()
