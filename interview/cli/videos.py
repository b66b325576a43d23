"""``python -m interview videos prune``: apply the "Keep answer videos" setting now.

Deletes the answer videos the retention setting (Settings page; ``video_retention`` in the
data directory's ``settings.json``) says are due: after scoring, or N days after recording.
The transcript, scores and presence figures (eye contact, framing, the timeline) stay.
``--after-scoring`` or ``--days N`` apply another rule this once.
"""

from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "videos",
        help="answer videos: delete those the retention setting says are due",
        description="Manage stored answer videos. `prune` deletes the videos the retention "
                    "setting says are due (after scoring, or N days after recording), "
                    "keeping each answer's transcript, scores and presence figures.",
    )
    sub = parser.add_subparsers(dest="videos_command", metavar="ACTION")
    sub.required = True
    prune = sub.add_parser(
        "prune", help="delete the answer videos the retention setting says are due",
        description="Delete the answer videos the retention setting says are due; only "
                    "scored answers lose their video. Idempotent. Exit status 1 if a video "
                    "that is due could not be deleted.")
    prune.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    prune.add_argument("--json", action="store_true", help="print a JSON object")
    rule = prune.add_mutually_exclusive_group()
    rule.add_argument("--after-scoring", action="store_true",
                      help="this once: delete every scored answer's video")
    rule.add_argument("--days", type=int, metavar="N",
                      help="this once: delete videos recorded N or more days ago")
    prune.set_defaults(func=run_prune)


def run_prune(args: argparse.Namespace) -> int:
    from ..practice import prune_videos, video_retention
    from ..retention import VideoRetention
    from ..storage import Store

    if args.after_scoring:
        rule = VideoRetention("after_scoring")
    elif args.days is not None:
        try:
            rule = VideoRetention("days", args.days)
        except ValueError as exc:
            from ..errors import InterviewError

            raise InterviewError(f"--days: {exc}") from None
    else:
        rule = video_retention()
    with Store.open() as store:
        items = prune_videos(store, rule, dry_run=args.dry_run)
    failed = [i for i in items if i.error]
    if args.json:
        print(json.dumps({"rule": {"mode": rule.mode, "days": rule.days},
                          "dry_run": args.dry_run, "videos": [i.to_dict() for i in items],
                          "deleted": sum(i.deleted for i in items), "failed": len(failed)},
                         ensure_ascii=False, indent=2))
    else:
        print(rule.describe())
        for i in items:
            if args.dry_run:
                print(f"would delete {i.path} (answer {i.answer_id}, recorded {i.recorded_at})")
            elif i.deleted:
                print(f"deleted {i.path} (answer {i.answer_id}); its figures are kept")
            else:
                print(f"kept {i.path}: {i.error}")
        if not items:
            print("no answer video is due for deletion")
    return 1 if failed else 0
