"""``interview email``: draft thank-you emails, one per interviewer, after an interview.

Example::

    python -m interview email --candidate "Amina Okafor" --program-name "Riverside FM" \\
        --interviewer "Dr. Maria Lopez|Program Director" --interviewer "Dr. John Chen" \\
        --detail "the mentorship opportunities you offer" --detail "your residents' free clinic" \\
        --tone warm --date 2026-01-15 --time 10:30 --json
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, time

from interview.emails import Candidate, Interviewer, draft_emails, format_draft
from interview.errors import TemplateError
from interview.profile import make_profile


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "email",
        help="draft thank-you emails to your interviewers",
        description="Draft a brief thank-you email to each interviewer (send within 24 hours "
        "of the interview). Details are matched to interviewers in the order given; missing "
        "details are suggested from the program profile.",
    )
    p.add_argument("--candidate", required=True, metavar="NAME", help="your name")
    p.add_argument("--program-name", required=True, metavar="N", help="the program's name")
    p.add_argument("--program-mission", default="", metavar="M", help="the program's mission")
    p.add_argument("--country", default="us", type=str.lower, choices=["us", "ca"],
                   help="us (U.S. spelling, AAMC ID) or ca (Canadian spelling, CaRMS ID)")
    p.add_argument("--region", default=None, help="state or province, e.g. NY or AB")
    p.add_argument("--specialty", default=None, help="specialty, e.g. family_medicine")
    p.add_argument("--interviewer", action="append", required=True, metavar="NAME[|TITLE]",
                   help="an interviewer, optionally with title and email: "
                   "\"Dr. Maria Lopez|Program Director|lopez@example.org\" (repeat)")
    p.add_argument("--detail", action="append", default=[], metavar="TEXT",
                   help="a specific detail of your conversation, one per interviewer in order "
                   "(repeat)")
    p.add_argument("--tone", default="warm", help="formal, warm or concise (default warm)")
    p.add_argument("--date", default=None, metavar="YYYY-MM-DD",
                   help="interview date (default today)")
    p.add_argument("--time", default=None, metavar="HH:MM",
                   help="interview time (default 09:00); send by 24 hours later")
    p.add_argument("--email", default="", metavar="E", help="your email for the signature")
    p.add_argument("--phone", default="", metavar="P", help="your phone for the signature")
    p.add_argument("--aamc-id", default="", help="your AAMC ID (U.S. signature)")
    p.add_argument("--carms-id", default="", help="your CaRMS ID (Canadian signature)")
    p.add_argument("--json", action="store_true",
                   help="print a JSON list of {to, subject, body, send_by, ...}")
    p.set_defaults(func=run)


def _interview_at(date_text: str | None, time_text: str | None) -> datetime | date:
    try:
        day = date.fromisoformat(date_text) if date_text else date.today()
    except ValueError:
        raise TemplateError(f"--date {date_text!r} is not a date: use YYYY-MM-DD") from None
    if not time_text:
        return day
    try:
        at = time.fromisoformat(time_text)
    except ValueError:
        raise TemplateError(f"--time {time_text!r} is not a time: use HH:MM (24-hour)") from None
    return datetime.combine(day, at)


def run(args: argparse.Namespace) -> int:
    profile = make_profile(name=args.program_name, country=args.country,
                           mission=args.program_mission, region=args.region,
                           specialty=args.specialty)
    candidate = Candidate(name=args.candidate, email=args.email, phone=args.phone,
                          aamc_id=args.aamc_id, carms_id=args.carms_id)
    interviewers = [Interviewer.parse(spec) for spec in args.interviewer]
    drafts = draft_emails(candidate, profile, interviewers, args.detail, tone=args.tone,
                          interview_at=_interview_at(args.date, args.time))
    if args.json:
        print(json.dumps([d.to_dict() for d in drafts], indent=2, ensure_ascii=False))
    else:
        print(("\n\n" + "-" * 72 + "\n\n").join(format_draft(d) for d in drafts))
    return 0
