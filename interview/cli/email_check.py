"""``interview email-check``: check an edited thank-you email against the Match rules.

Example::

    python -m interview email-check draft.txt --country ca --json

The file is the email as you will send it (an optional first line ``Subject: ...``). Prints
each sentence that asks about ranking or for a commitment (not allowed, with the reason and
the rule) and each statement of your own ranking intention (a reminder). Exit status 1 when
something is not allowed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import TemplateError
from ..match_rules import check_email


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "email-check",
        help="check an edited thank-you email against the Match communication rules",
        description="Check a thank-you email (as edited) against the NRMP or CaRMS rules on "
        "post-interview communication. Exit status 1 if a sentence is not allowed.")
    p.add_argument("file", help="the email as a UTF-8 text file ('-' for stdin); an optional "
                   "first line 'Subject: ...'")
    p.add_argument("--country", default="us", type=str.lower, choices=["us", "ca"],
                   help="us (NRMP) or ca (CaRMS); default us")
    p.add_argument("--json", action="store_true", help="print a JSON list of warnings")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise TemplateError(f"cannot read {args.file}: {exc.strerror or exc}; check the path") from None
    except UnicodeDecodeError:
        raise TemplateError(f"{args.file} is not UTF-8 text; save it as UTF-8") from None
    subject, body = "", text
    first, _, rest = text.partition("\n")
    if first.lower().startswith("subject:"):
        subject, body = first.split(":", 1)[1].strip(), rest
    warnings = check_email(subject, body, args.country)
    if args.json:
        print(json.dumps([w.to_dict() | {"message": w.message()} for w in warnings],
                         indent=2, ensure_ascii=False))
    elif warnings:
        print("\n".join(w.message() for w in warnings))
    else:
        print("No Match communication issues found.")
    return 1 if any(w.level == "not_allowed" for w in warnings) else 0
