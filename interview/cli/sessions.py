"""``python -m interview sessions``: list stored sessions, or show one."""

from __future__ import annotations

import argparse
import json

from ..errors import NotFound


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sessions", help="list stored practice sessions or show one",
        description="List the stored sessions (newest first) or show one with its answers.")
    sub = parser.add_subparsers(dest="sessions_command", metavar="ACTION")
    sub.required = True
    lst = sub.add_parser("list", help="list sessions, newest first")
    lst.add_argument("--applicant", metavar="NAME", help="only this applicant's sessions")
    lst.add_argument("--json", action="store_true", help="print a JSON list")
    lst.set_defaults(func=run_list)
    show = sub.add_parser("show", help="show one session with its answers and summary")
    show.add_argument("session_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    show.set_defaults(func=run_show)


def session_row(s) -> dict:
    return {
        "id": s.id,
        "created_at": s.created_at.isoformat() if s.created_at else None,
        "finished_at": s.finished_at.isoformat() if s.finished_at else None,
        "applicant": s.applicant_name or None,
        "applicant_id": s.applicant_id,
        "program": s.program_name or None,
        "country": s.profile.country if s.profile else None,
        "mode": s.mode,
        "format": s.format_id,
        "questions": len(s.questions),
        "answered": len(s.answers),
        "failed": sum(a.status == "failed" for a in s.answers),
        "overall": s.overall,
        "reviewed": s.reviewed,
    }


def run_list(args: argparse.Namespace) -> int:
    from ..storage import Store

    with Store.open() as store:
        applicant_id = None
        if args.applicant:
            found = store.find_applicant(args.applicant)
            if found is None:
                raise NotFound(f"no applicant named {args.applicant!r}; "
                               "run 'sessions list' without --applicant to see them all")
            applicant_id = found.id
        rows = [session_row(s) for s in store.list_sessions(applicant_id=applicant_id)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no sessions yet")
        return 0
    for r in rows:
        overall = f"{r['overall']:.1f}" if r["overall"] is not None else "  - "
        print(f"{r['id']}  {r['created_at'][:16].replace('T', ' ')}  {overall}  "
              f"{r['answered']}/{r['questions']}  {r['applicant'] or '-'}  {r['program'] or '-'}"
              + ("  [reviewed]" if r["reviewed"] else ""))
    return 0


def run_show(args: argparse.Namespace) -> int:
    from ..storage import Store
    from ..summary import summarise_session

    with Store.open() as store:
        s = store.get_session(args.session_id)
    summary = summarise_session(s)
    if args.json:
        data = session_row(s)
        data["answers"] = [
            {"position": a.position, "attempt": a.attempt, "answer_id": a.id,
             "question_id": a.question_id, "question": a.question_text, "source": a.source,
             "status": a.status, "error": a.error, "text": a.display_text,
             "overall": a.final_overall,
             "criteria": a.final_scores, "audio_path": a.audio_path}
            for a in s.answers
        ]
        data["summary"] = summary.to_dict()
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    row = session_row(s)
    print(f"Session {s.id} ({s.format_id}) — {row['created_at'][:16].replace('T', ' ')} UTC")
    print(f"Applicant: {row['applicant'] or '-'}   Program: {row['program'] or '-'}")
    for a in s.answers:
        score = f"{a.final_overall:.1f}" if a.final_overall is not None else a.status
        print(f"\n{a.position}. {a.question_text}\n   [{score}] attempt {a.attempt}, {a.source}")
        if a.error:
            print(f"   error: {a.error}")
        elif a.display_text:
            print("   " + a.display_text[:300] + ("…" if len(a.display_text) > 300 else ""))
    if summary.overall is not None:
        print(f"\nOverall: {summary.overall:.1f}")
        for c in summary.criteria:
            print(f"  {c.name}: {c.mean:.1f}")
        if summary.work_on:
            print("Work on:")
            for f in summary.work_on:
                print(f"  - {f.name}: {f.tip}")
    return 0
