"""``python -m interview practice``: score recordings made elsewhere, as one stored session.

Each answer file is an audio recording (WAV, MP3, M4A, OGG, WebM, FLAC... from a phone or
another app) or a ``.txt`` file holding a typed answer. They answer, in order, the questions
drawn for the program (or the ``--question-ids`` given). The session is stored like one
practised in the app, so it appears in the history, reports and coach review.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import StorageError
from ..profile import SPECIALTIES, make_profile

TEXT_SUFFIXES = (".txt", ".text")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "practice",
        help="score recorded or typed answers as one stored practice session",
        description="Answer the questions drawn for a program with recordings made elsewhere "
                    "(audio files) or typed answers (.txt files), in order. Stores one session "
                    "and prints its id; exit status 1 if any answer failed (it is stored "
                    "with its error and can be retried from the saved audio).",
    )
    parser.add_argument("--country", required=True, metavar="us|ca",
                        help="country of the program: us (United States) or ca (Canada)")
    parser.add_argument("--program-name", required=True, metavar="N", help="program name")
    parser.add_argument("--program-mission", metavar="M", default="",
                        help="mission statement; features such as 'rural' are recognised in it")
    parser.add_argument("--specialty", metavar="S",
                        help="specialty id, e.g. " + ", ".join(list(SPECIALTIES)[:4]) + "...")
    parser.add_argument("--applicant", metavar="NAME",
                        help="applicant name (found or added); recently practised questions "
                             "of this applicant are avoided")
    parser.add_argument("--question-ids", metavar="ID", nargs="+", default=None,
                        help="answer these questions (in order) instead of drawing")
    parser.add_argument("--answers", metavar="FILE", nargs="+", required=True, type=Path,
                        help="one file per question, in order: audio, or .txt for a typed answer")
    parser.add_argument("--mode", choices=("practice", "interview"), default="practice",
                        help="session mode stored with the session (default: %(default)s; "
                             "interview = a panel interview)")
    parser.add_argument("--format", choices=("practice", "panel", "svi", "mmi"), default=None,
                        help="session format (overrides --mode): practice, panel, svi "
                             "(video-interview style), mmi (MMI stations are drawn)")
    parser.add_argument("--seed", metavar="N", type=int, default=None,
                        help="random seed for the draw (default: random, stored)")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON object: session_id and the per-answer scores")
    parser.set_defaults(func=run)


def _check_files(paths: list[Path]) -> None:
    for path in paths:
        if not path.is_file():
            raise StorageError(f"answer file {path} does not exist; check the path")
        if path.stat().st_size == 0:
            raise StorageError(f"answer file {path} is empty (0 bytes); record or type it again")


def answer_row(answer) -> dict:
    """The per-answer JSON object the command prints."""
    return {
        "position": answer.position,
        "answer_id": answer.id,
        "question_id": answer.question_id,
        "question": answer.question_text,
        "source": answer.source,
        "status": answer.status,
        "overall": answer.overall,
        "criteria": {c["id"]: c.get("score") for c in answer.criteria},
        "error": answer.error,
    }


def run(args: argparse.Namespace) -> int:
    from ..practice import start_session, submit_answer
    from ..storage import Store

    profile = make_profile(name=args.program_name, country=args.country,
                           specialty=args.specialty, mission=args.program_mission)
    _check_files(args.answers)
    if args.question_ids is not None and len(args.question_ids) < len(args.answers):
        raise StorageError(f"{len(args.answers)} answer files but only "
                           f"{len(args.question_ids)} question ids; give one id per answer")
    with Store.open() as store:
        applicant = store.get_or_add_applicant(args.applicant) if args.applicant else None
        session = start_session(
            store, applicant, profile, count=len(args.answers), seed=args.seed, mode=args.mode,
            format=args.format,
            question_ids=args.question_ids[:len(args.answers)] if args.question_ids else None,
        )
        if len(session.questions) < len(args.answers):
            raise StorageError(f"the question bank has only {len(session.questions)} questions "
                               f"for this program but {len(args.answers)} answers were given")
        rows = []
        for position, (path, question) in enumerate(zip(args.answers, session.questions), 1):
            if path.suffix.lower() in TEXT_SUFFIXES:
                try:
                    text = path.read_text(encoding="utf-8-sig")
                except UnicodeDecodeError:
                    raise StorageError(f"{path}: a typed answer must be UTF-8 text") from None
                answer = submit_answer(store, session.id, position, question, text=text,
                                       source="typed")
            else:
                answer = submit_answer(store, session.id, position, question, audio=path,
                                       source="upload")
            rows.append(answer_row(answer))
            if answer.status == "failed":
                print(f"error: answer {position} ({path.name}): {answer.error}", file=sys.stderr)
        store.finish_session(session.id)
    if args.json:
        print(json.dumps({"session_id": session.id, "answers": rows}, ensure_ascii=False,
                         indent=2))
    else:
        print(session.id)
    return 1 if any(r["status"] == "failed" for r in rows) else 0

