"""``interview score``: score one answer against the rubrics and print a report card.

    python -m interview score --text-file F [--country us|ca] [--question TEXT]
        [--question-id ID] [--program-name N] [--program-mission M] [--audio FILE] [--json]

With ``--audio`` the recording is transcribed first (locally) and the timing metrics are
used; the text file is then optional (its text, if given, is scored instead of the raw
transcript, e.g. a corrected transcript). ``--json`` prints ``{"overall", "criteria": [{"id",
"name", "score", "band", "signals", "evidence", "tips"}], ...}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from ..errors import InterviewError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "score",
        help="score an answer (clarity, local-system familiarity, program fit, structure...)",
        description="Score one answer against the rubrics in rubrics/ and print a report card "
                    "with evidence and tips.",
    )
    p.add_argument("--text-file", metavar="F", help="the answer as a UTF-8 text file ('-' for stdin)")
    p.add_argument("--country", metavar="us|ca", help="the health system to judge familiarity against")
    p.add_argument("--question", metavar="TEXT", help="the question asked (its kind is inferred)")
    p.add_argument("--question-id", metavar="ID", help="a question id from the bank (kind, suggested time)")
    p.add_argument("--program-name", metavar="N", help="the program's name (turns on program fit)")
    p.add_argument("--program-mission", metavar="M", help="the program's mission statement")
    p.add_argument("--audio", metavar="FILE", help="a recording of the answer: transcribe it and use its timing")
    p.add_argument("--json", action="store_true", help="print JSON instead of a report card")
    p.set_defaults(func=run)


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    if not p.is_file():
        raise InterviewError(f"text file not found: {path}")
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InterviewError(f"{path} is not UTF-8 text; save it as plain UTF-8 text") from None
    except OSError as exc:
        raise InterviewError(f"cannot read {path}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    from ..scoring import score_answer

    if not args.text_file and not args.audio:
        raise InterviewError("give the answer with --text-file F (or a recording with --audio FILE)")
    country = None
    if args.country:
        country = args.country.strip().lower()
        if country not in ("us", "ca"):
            raise InterviewError(f"unknown country {args.country!r}: use 'us' or 'ca'")

    question = args.question
    if args.question_id:
        from ..bank import load_bank

        q = load_bank().get(args.question_id)
        question = q
        if country is None and len(q.countries) == 1:
            country = q.countries[0]

    profile = None
    if args.program_name or args.program_mission:
        from ..profile import make_profile

        profile = make_profile(name=args.program_name or "the program", country=country or "us",
                               mission=args.program_mission or "")

    text = _read_text(args.text_file) if args.text_file else None
    transcript = None
    if args.audio:
        if not Path(args.audio).is_file():
            raise InterviewError(f"audio file not found: {args.audio}")
        from ..transcribe import get_transcriber

        transcript = get_transcriber().transcribe(args.audio)
        if text is None:
            text = transcript.text
    if text is None or not text.strip():
        raise InterviewError("the answer is empty: nothing to score" + (f" in {args.text_file}" if args.text_file else ""))
    text = text.strip()

    metrics = None
    if transcript is not None:
        from ..metrics import compute_metrics

        secs = getattr(question, "suggested_seconds", None)
        metrics = compute_metrics(text, transcript.words, transcript.duration or None, secs)
    result = score_answer(text, question=question, profile=profile, country=country,
                          transcript=transcript, metrics=metrics)

    if args.json:
        out = result.to_dict()
        out["text"] = text
        if transcript is not None:
            out["transcript"] = {"duration": transcript.duration, "backend": transcript.backend,
                                 "model": transcript.model}
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(report_card(result, text))
    return 0


def report_card(result, text: str, width: int = 88) -> str:
    """A plain-text report card: overall, then each criterion's score, band, figures, evidence, tips."""
    lines = [f"Overall: {result.overall:.1f} / 5"
             + (f"   (question kind: {result.question_kind})" if result.question_kind else "")
             + (f"   (health system: {result.country.upper()})" if result.country else "")]
    if "off_topic" in (getattr(result, "flags", None) or []):
        lines.append("Off topic: the answer does not address the question, so the overall is capped.")
    m = result.metrics or {}
    if m.get("timed"):
        lines.append(f"Delivery: {m.get('words_per_minute')} wpm, {m.get('filler_count')} fillers "
                     f"({m.get('filler_per_minute')}/min), {m.get('pauses_over_2s')} pauses over 2 s, "
                     f"longest pause {m.get('longest_pause')} s")
    for c in result.criteria:
        lines.append("")
        if c.score is None:
            lines.append(f"{c.name}: not assessed ({c.signals.get('reason', 'not asked by this question')})")
            continue
        lines.append(f"{c.name}: {c.score:.1f} / 5 - {c.band}")
        figures = [f"{k}={v}" for k, v in c.signals.items() if isinstance(v, (int, float)) and v is not None]
        if figures:
            lines += textwrap.wrap("  figures: " + ", ".join(figures), width, subsequent_indent="    ")
        if c.evidence:
            shown = [f'"{e.text if len(e.text) <= 40 else e.text[:37] + "..."}" ({e.label})' for e in c.evidence[:6]]
            more = f" and {len(c.evidence) - 6} more" if len(c.evidence) > 6 else ""
            lines += textwrap.wrap("  evidence: " + "; ".join(shown) + more, width, subsequent_indent="    ")
        for tip in c.tips:
            lines += textwrap.wrap(f"  tip: {tip}", width, subsequent_indent="       ")
    return "\n".join(lines)
