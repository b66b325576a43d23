"""``python -m interview bank validate [--path DIR]``: check a question bank folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..bank import CATEGORIES, CATEGORY_LABELS, bank_problems
from ..paths import bank_dir


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "bank",
        help="check the question bank",
        description="Work with the question bank (question_bank/*.yaml).",
    )
    sub = parser.add_subparsers(dest="bank_command", metavar="ACTION")
    sub.required = True
    validate = sub.add_parser(
        "validate",
        help="validate every question file; exit 1 if there is any problem",
        description="Load and check every YAML file of a question bank folder: fields, "
                    "allowed values, unique ids, and that every template renders. Prints one "
                    "line per problem (file:line, question id, field) and exits 1 if any; "
                    "otherwise prints the number of questions per category and exits 0.",
    )
    validate.add_argument("--path", type=Path, default=None, metavar="DIR",
                          help="bank folder to check (default: INTERVIEW_BANK_DIR or question_bank/)")
    validate.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    folder = args.path if args.path is not None else bank_dir()
    questions, files, problems = bank_problems(folder)
    if problems:
        print(f"{folder}: {len(problems)} problem(s)", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        print("Format of the files: question_bank/README.md", file=sys.stderr)
        return 1
    counts: dict[str, int] = {}
    for q in questions:
        counts[q.category] = counts.get(q.category, 0) + 1
    us = sum(1 for q in questions if "us" in q.countries)
    ca = sum(1 for q in questions if "ca" in q.countries)
    print(f"OK: {len(questions)} questions in {len(files)} file(s) at {folder} "
          f"({us} for the U.S., {ca} for Canada)")
    for cat in CATEGORIES:
        if cat in counts:
            print(f"  {cat:<18} {counts[cat]:>4}  {CATEGORY_LABELS[cat]}")
    missing = [c for c in CATEGORIES if c not in counts]
    if missing:
        print(f"  (no questions yet in: {', '.join(missing)})")
    return 0
