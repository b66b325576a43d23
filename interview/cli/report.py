"""``python -m interview report SESSION_ID --format html|md|json [-o FILE]``: a session report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..reports import FORMATS, build_report, render
from ..storage import Store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write a session's report (HTML, Markdown or JSON)",
        description="Render the report of a stored session: program and applicant, each "
                    "question with the highlighted transcript, scores with evidence and tips, "
                    "delivery figures, coach comments and overrides, the summary and the "
                    "comparison with earlier sessions. Printed to stdout unless -o is given. "
                    "Find session ids with `python -m interview sessions list`.",
    )
    parser.add_argument("session_id", metavar="SESSION_ID", help="id of a stored session")
    parser.add_argument("--format", "-f", choices=FORMATS, default="html",
                        help="html (self-contained page, prints to PDF from a browser), md or json "
                             "(default: html)")
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                        help="write to FILE instead of stdout")
    parser.add_argument("--audio", action="store_true",
                        help="HTML only: embed each answer's recording as a player")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Store.open() as store:
        text = render(build_report(store, args.session_id), args.format, include_audio=args.audio)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
