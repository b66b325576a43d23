"""``python -m interview questions``: draw (or list) questions tailored to a program."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..bank import CATEGORIES, load_bank, template_context
from ..errors import BankError
from ..draw import draw, render
from ..profile import FEATURES, SPECIALTIES, make_profile


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "questions",
        help="draw interview questions tailored to a residency program",
        description="Draw the questions of one practice session for a program (opening trio "
                    "first, a balanced mix of categories, weighted towards the program's "
                    "features), or list every question that suits the country with --all.",
    )
    parser.add_argument("--country", required=True, metavar="us|ca",
                        help="country of the program: us (United States) or ca (Canada)")
    parser.add_argument("--specialty", metavar="S",
                        help="specialty id, e.g. " + ", ".join(list(SPECIALTIES)[:6]) + "...")
    parser.add_argument("--program-name", metavar="N", default="this program",
                        help="program name used in the questions (default: %(default)r)")
    parser.add_argument("--program-mission", metavar="M", default="",
                        help="mission statement; features such as 'rural' or 'research' are recognised in it")
    parser.add_argument("--region", metavar="R", help="state (US) or province (CA), e.g. NY or AB")
    parser.add_argument("--city", metavar="C", help="city of the program")
    parser.add_argument("--feature", metavar="F", nargs="+", action="extend", default=[],
                        help="program feature(s), repeatable: " + ", ".join(FEATURES))
    parser.add_argument("--count", metavar="K", type=_positive, default=10,
                        help="number of questions to draw (default: %(default)s)")
    parser.add_argument("--seed", metavar="N", type=int, default=None,
                        help="random seed; the same seed gives the same questions")
    parser.add_argument("--all", action="store_true",
                        help="list every question that suits the country (and specialty, if given)")
    parser.add_argument("--category", metavar="C", nargs="+", action="extend", default=[],
                        help="only these categories, e.g. mmi (the MMI stations) or ethics")
    parser.add_argument("--no-opening", action="store_true",
                        help="do not start with the opening trio")
    parser.add_argument("--exclude", metavar="ID", nargs="+", action="extend", default=[],
                        help="question ids to avoid (e.g. practised recently)")
    parser.add_argument("--bank", metavar="DIR", type=Path, default=None,
                        help="question bank folder (default: INTERVIEW_BANK_DIR or question_bank/)")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of a numbered list")
    parser.set_defaults(func=run)


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def run(args: argparse.Namespace) -> int:
    profile = make_profile(
        name=args.program_name, country=args.country, specialty=args.specialty,
        mission=args.program_mission, features=args.feature, region=args.region, city=args.city,
    )
    bank = load_bank(args.bank)
    unknown = [c for c in args.category if c not in CATEGORIES]
    if unknown:
        raise BankError(f"unknown category {unknown[0]!r}; use one of: {', '.join(CATEGORIES)}")
    if args.all:
        questions = bank.suiting(profile.country, profile.specialty, any_specialty=profile.specialty is None)
        if args.category:
            questions = [q for q in questions if q.category in args.category]
        context = template_context(profile)
        drawn = [render(q, profile, context) for q in questions]
    else:
        drawn = draw(profile, count=args.count, seed=args.seed, bank=bank,
                     opening=not args.no_opening, exclude_ids=args.exclude,
                     categories=args.category or None)
    if args.json:
        print(json.dumps([d.to_dict() for d in drawn], ensure_ascii=False, indent=2))
        return 0
    for i, d in enumerate(drawn, 1):
        print(f"{i:>3}. {d.text}")
        print(f"     [{d.question.id} · {d.question.kind} · {d.question.suggested_seconds}s]")
    return 0
