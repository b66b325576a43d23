"""``python -m interview import FILE.zip [--replace]``: bring in a session exported elsewhere."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..sharing import MAX_MEMBER_BYTES, MAX_MEMBERS, MAX_TOTAL_BYTES, SharingError, import_session
from ..storage import Store


def register(subparsers) -> None:
    mib = 1024 * 1024
    parser = subparsers.add_parser(
        "import",
        help="import a session exported with `interview export`",
        description="Import a session zip made by `python -m interview export` (ids kept). "
                    "A corrupt or foreign zip, one whose session id or paths would escape the "
                    f"data directory, or one over the caps ({MAX_MEMBERS} members, "
                    f"{MAX_MEMBER_BYTES // mib} MB per file, {MAX_TOTAL_BYTES // mib} MB in all) "
                    "is refused with exit status 1 and nothing is changed. A session that "
                    "already exists is refused unless --replace is given.",
    )
    parser.add_argument("file", type=Path, metavar="FILE.zip", help="the exported zip")
    parser.add_argument("--replace", action="store_true",
                        help="replace the session if it already exists (a backup zip of the "
                             "existing one is written to <data dir>/backups/ first)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Store.open() as store:
        try:
            result = import_session(store, args.file, replace=args.replace)
        except SharingError as exc:  # a refused zip: one line, exit 1, nothing written
            print(f"error: {exc}", file=sys.stderr)
            return 1
    what = "replaced" if result.replaced else "imported"
    extra = f"; backup of the previous version: {result.backup}" if result.backup else ""
    print(f"{what} session {result.session_id} ({result.answers} answer(s), "
          f"{len(result.audio_files)} recording(s)){extra}")
    return 0
