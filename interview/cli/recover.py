"""``python -m interview recover``: finish the answers a crash or a failure left behind.

Finds answers saved but never processed, answers left "transcribing" by a process that
stopped, failed answers, and recordings saved without their row; transcribes and scores
them from the saved audio (see :mod:`interview.recovery`). Safe to run at any time and
more than once: answers another program is working on are left alone.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "recover",
        help="finish answers left unfinished by a crash or a failure, from the saved audio",
        description="Find answers that were saved but not processed (a crash, a closed tab, "
                    "a database that failed), failed answers, and recordings saved without "
                    "their row; finish them from the saved audio. Idempotent. Exit status 1 "
                    "if some answer is still unfinished afterwards.",
    )
    parser.add_argument("--dry-run", action="store_true",
                        help="only list what would be recovered")
    parser.add_argument("--no-failed", dest="include_failed", action="store_false",
                        help="leave failed answers alone (retry only interrupted ones)")
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..recovery import recover
    from ..storage import Store

    def progress(item) -> None:
        if not args.json:
            tail = f": {item.error}" if item.error and item.outcome == "failed" else ""
            print(f"{item.outcome:8} {item.describe}{tail}")

    with Store.open() as store:
        report = recover(store, include_failed=args.include_failed, dry_run=args.dry_run,
                         on_item=progress)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        if args.dry_run:
            for item in report.items:
                print(f"would recover {item.describe}")
        for answer_id in report.in_progress:
            print(f"in progress (left alone): answer {answer_id}")
        for path in report.unmatched:
            print(f"kept, no answer to attach it to: {path}", file=sys.stderr)
        if not report.items:
            print("nothing to recover")
    return 1 if (report.unfinished and not args.dry_run) else 0
