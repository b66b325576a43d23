"""``python -m interview export SESSION_ID -o FILE.zip``: share a session without a server."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..sharing import export_session
from ..storage import Store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a session (rows, recordings, HTML report) to a zip",
        description="Write one stored session to a zip: its rows (applicant, program, answers "
                    "with every attempt, comments, overrides, email drafts), its recordings and "
                    "its HTML report. Import it on another machine with `python -m interview "
                    "import FILE.zip`.",
    )
    parser.add_argument("session_id", metavar="SESSION_ID", help="id of a stored session")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.zip",
                        help="the zip file to write")
    parser.add_argument("--with-videos", action="store_true",
                        help="include the videos of video answers (left out by default; "
                             "their transcripts, scores and on-camera figures always travel)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Store.open() as store:
        out = export_session(store, args.session_id, args.output,
                             include_videos=args.with_videos)
    print(out)
    return 0
