"""Command-line interface: ``python -m interview COMMAND`` (or the ``interview`` script).

Each command lives in its own module under ``interview.cli`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a function taking the
parsed arguments and returning an exit code. Errors the user can fix
(:class:`~interview.errors.InterviewError`) are printed on one line, without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import InterviewError

#: command modules, in the order ``--help`` lists them
COMMAND_MODULES: list[str] = [
    # in the order of the work: questions, answers, feedback, review, after the interview
    "bank",
    "questions",
    "record",
    "transcribe",
    "presence",
    "score",
    "practice",
    "sessions",
    "applicants",
    "recover",
    "videos",
    "report",
    "export",
    "import_cmd",
    "email",
    "email_check",
    "serve",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interview",
        description="Local-first mock-interview coach for International Medical Graduates.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InterviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
