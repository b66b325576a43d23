"""``python -m interview applicants list|assign|link``: who is coached by whom.

The server owner's tool (whoever holds the database credentials) for a shared server: list
the applicants with their login email and coach, assign an applicant to a coach (the coach,
logged in with that email, then sees the applicant's sessions), or link an applicant typed
by name before logins existed to their login email. The same assignment is on the app's
Settings page for admins.
"""

from __future__ import annotations

import argparse
import json
import re

from ..errors import InterviewError, NotFound

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "applicants", help="list applicants, assign them to coaches, link login emails",
        description="Applicants and their coaches on a shared server. A coach sees only the "
                    "sessions of the applicants assigned to them; an applicant only their "
                    "own (matched by login email); admins (listed in .streamlit/secrets.toml, "
                    "[access] admins) everything.")
    sub = parser.add_subparsers(dest="applicants_command", metavar="ACTION")
    sub.required = True
    lst = sub.add_parser("list", help="list applicants with login email and coach")
    lst.add_argument("--coach", metavar="EMAIL", help="only this coach's applicants")
    lst.add_argument("--json", action="store_true", help="print a JSON list")
    lst.set_defaults(func=run_list)
    assign = sub.add_parser("assign", help="assign an applicant to a coach")
    assign.add_argument("applicant", metavar="APPLICANT",
                        help="the applicant's id, login email or exact name")
    who = assign.add_mutually_exclusive_group(required=True)
    who.add_argument("--coach", metavar="EMAIL", help="the coach's login email")
    who.add_argument("--no-coach", action="store_true", help="remove the applicant's coach")
    assign.set_defaults(func=run_assign)
    link = sub.add_parser("link", help="link an applicant to their login email")
    link.add_argument("applicant", metavar="APPLICANT", help="the applicant's id or exact name")
    link.add_argument("--email", metavar="EMAIL", required=True,
                      help="the login email the applicant signs in with")
    link.set_defaults(func=run_link)


def _email(value: str, what: str) -> str:
    value = (value or "").strip().lower()
    if not _EMAIL.fullmatch(value):
        raise InterviewError(f"{what} {value!r} is not an email address (name@example.org)")
    return value


def find(store, key: str):
    """The applicant with this id, login email or (unique, case-insensitive) name."""
    key = (key or "").strip()
    everyone = store.list_applicants()
    for match in (lambda a: a.id == key,
                  lambda a: (a.email or "") == key.lower() and "@" in key,
                  lambda a: a.name.lower() == key.lower()):
        found = [a for a in everyone if match(a)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InterviewError(f"{len(found)} applicants match {key!r}; use one of their ids: "
                                 + ", ".join(a.id for a in found))
    raise NotFound(f"no applicant with id, login email or name {key!r}; "
                   "see `interview applicants list`")


def row(a) -> dict:
    return {"id": a.id, "name": a.name, "email": a.email, "coach_email": a.coach_email}


def run_list(args: argparse.Namespace) -> int:
    from ..storage import Store

    with Store.open() as store:
        coach = _email(args.coach, "coach") if args.coach else None
        rows = [row(a) for a in store.list_applicants(coach_email=coach)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no applicants" + (f" assigned to {coach}" if coach else " yet"))
        return 0
    for r in rows:
        print(f"{r['id']}  {r['name']}  login: {r['email'] or '-'}  coach: {r['coach_email'] or '-'}")
    return 0


def run_assign(args: argparse.Namespace) -> int:
    from ..storage import Store

    coach = None if args.no_coach else _email(args.coach, "coach")
    with Store.open() as store:
        a = store.update_applicant(find(store, args.applicant).id, coach_email=coach)
    print(f"{a.name} ({a.email or 'no login email'}): coach {a.coach_email or 'none'}")
    return 0


def run_link(args: argparse.Namespace) -> int:
    from ..storage import Store

    email = _email(args.email, "login email")
    with Store.open() as store:
        target = find(store, args.applicant)
        taken = [a for a in store.list_applicants(email=email) if a.id != target.id]
        if taken:
            raise InterviewError(f"{email} is already the login of applicant {taken[0].name} "
                                 f"({taken[0].id}); one login, one applicant")
        a = store.update_applicant(target.id, email=email)
    print(f"{a.name}: login email {a.email}")
    return 0
