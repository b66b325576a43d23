"""Faults: a full disk, a read-only database file, a PostgreSQL server stopped mid-session.

Run: .venv/bin/python benchmarks/stress_faults.py
     [--pg-url URL --pg-stop "CMD" --pg-start "CMD"]

For each fault: what the user sees (one line), that nothing already saved is lost, and
that a retry works once the fault clears. Printed as a table of outcomes.

- disk full: the data directory is a 1 MB tmpfs (when this runs as root and may mount
  one; else the audio writer's ``os.write`` fails with ENOSPC after half a recording), a
  filler file uses the rest, then a recording is submitted; the filler is removed and the
  submission retried;
- read-only database: the SQLite file is made read-only (and, as root, who may write any
  file, opened read-only by SQLite: ``mode=ro``); a typed answer, a recording and the CLI
  are tried; then it is made writable and ``interview recover`` adds the kept recording;
- PostgreSQL stopped mid-session (with ``--pg-url`` and the commands that stop and start
  that server, e.g. ``pg_ctl -D ... stop -m fast``): answers are submitted while it is
  down, then after it is started again.
"""

from __future__ import annotations

import argparse
import errno
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WAV = ROOT / "tests" / "fixtures" / "answer.wav"
TYPED = ("During my observership in Chicago I presented patients to the team every morning "
         "and learned how residents, nurses and pharmacists work together.")

RESULTS: list[tuple[str, str, str, str]] = []


def _record(fault: str, message: str, kept: str, retry: str) -> None:
    RESULTS.append((fault, message, kept, retry))
    print(f"- {fault}\n    message: {message}\n    nothing lost: {kept}\n    retry: {retry}")


def _env(**extra) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.update(extra)
    return env


def _session(store):
    from interview.practice import start_session
    from interview.profile import make_profile

    prof = make_profile(name="Fault Program", country="us", specialty="internal_medicine")
    return start_session(store, store.add_applicant("Fault Test"), prof, count=3, seed=2)


def disk_full(transcriber) -> None:
    from interview.errors import StorageError
    from interview.practice import submit_answer
    from interview.storage import Store
    from interview.storage import files as storage_files

    with tempfile.TemporaryDirectory(prefix="faults-disk-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(data)],
                                 capture_output=True).returncode == 0 if os.geteuid() == 0 else False
        os.environ["INTERVIEW_DATA_DIR"] = str(data)
        os.environ.pop("DATABASE_URL", None)
        real_write = storage_files._os_write
        try:
            with Store.open() as store:
                sess = _session(store)
                first = submit_answer(store, sess.id, 1, audio=WAV, transcriber=transcriber)
                filler = data / "filler"
                if mounted:  # fill what is left of the 1 MB, but for 100 KB
                    free = os.statvfs(data).f_bavail * os.statvfs(data).f_frsize
                    filler.write_bytes(b"\0" * max(0, free - 100_000))
                    how = "1 MB tmpfs filled up (real ENOSPC)"
                else:
                    def full(fd, chunk, _n=[0]):
                        _n[0] += 1
                        if _n[0] == 1:
                            return real_write(fd, bytes(chunk[: len(chunk) // 2]))
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                    storage_files._os_write = full
                    how = "audio writer's os.write fails with ENOSPC (no tmpfs)"
                try:
                    submit_answer(store, sess.id, 2, audio=WAV, transcriber=transcriber)
                    message = "NO ERROR (unexpected)"
                except StorageError as exc:
                    message = str(exc)
                folder = data / "audio" / sess.id
                leftovers = [p.name for p in folder.iterdir() if not p.name.startswith(first.id)]
                got = store.get_session(sess.id)
                kept = (f"answer 1 {got.answer_at(1).status}, its recording intact: "
                        f"{store.audio_file(first).read_bytes() == WAV.read_bytes()}; "
                        f"no row for the refused take: {got.answer_at(2) is None}; "
                        f"partial files left: {leftovers or 'none'}")
                storage_files._os_write = real_write
                filler.unlink(missing_ok=True)
                again = submit_answer(store, sess.id, 2, audio=WAV, transcriber=transcriber)
                retry = f"space freed, submitted again: {again.status}"
            _record(f"disk full on the audio write ({how})", message, kept, retry)
        finally:
            storage_files._os_write = real_write
            if mounted:
                subprocess.run(["umount", str(data)], check=False)


def read_only(transcriber) -> None:
    from interview.practice import submit_answer
    from interview.recovery import recover
    from interview.storage import DatabaseError, Store

    with tempfile.TemporaryDirectory(prefix="faults-ro-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        os.environ["INTERVIEW_DATA_DIR"] = str(data)
        os.environ.pop("DATABASE_URL", None)
        db = data / "interview.db"
        with Store.open() as store:
            sess = _session(store)
            first = submit_answer(store, sess.id, 1, text=TYPED, source="typed")
        os.chmod(db, 0o444)
        url = f"sqlite:///file:{db}?mode=ro&uri=true" if os.geteuid() == 0 else f"sqlite:///{db}"
        messages = []
        with Store.open(url) as store:
            for kind, kwargs in (("typed", dict(text=TYPED, source="typed")),
                                 ("recording", dict(audio=WAV, transcriber=transcriber))):
                try:
                    submit_answer(store, sess.id, 2, **kwargs)
                    messages.append(f"{kind}: NO ERROR (unexpected)")
                except DatabaseError as exc:
                    messages.append(f"{kind}: {exc}")
            readable = store.get_session(sess.id).answer_at(1).id == first.id
        answer = Path(tmp) / "a.txt"
        answer.write_text(TYPED)
        cli = subprocess.run([sys.executable, "-m", "interview", "practice", "--country", "us",
                              "--program-name", "P", "--answers", str(answer)],
                             env=_env(DATABASE_URL=url), capture_output=True, text=True)
        messages.append(f"CLI (exit {cli.returncode}, {len(cli.stderr.splitlines())} line, "
                        f"traceback: {'Traceback' in cli.stderr}): {cli.stderr.strip()}")
        os.chmod(db, 0o644)
        with Store.open() as store:
            report = recover(store, transcriber=transcriber)
            got = store.get_session(sess.id)
            kept = (f"answer 1 readable while read-only: {readable}, still "
                    f"{got.answer_at(1).status} after")
            retry = (f"made writable; interview recover: "
                     f"{[(i.kind, i.outcome) for i in report.items]}; answer 2 "
                     f"{got.answer_at(2).status if got.answer_at(2) else 'missing'}")
        _record("database file read-only", " | ".join(messages), kept, retry)


def pg_stopped(transcriber, url: str, stop: str, start: str) -> None:
    import sqlalchemy as sa

    from interview.practice import submit_answer
    from interview.recovery import recover
    from interview.storage import DatabaseError, Store

    eng = sa.create_engine(url)
    with eng.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    eng.dispose()
    with tempfile.TemporaryDirectory(prefix="faults-pg-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        os.environ["INTERVIEW_DATA_DIR"] = str(data)
        messages = []
        try:
            with Store.open(url) as store:
                sess = _session(store)
                first = submit_answer(store, sess.id, 1, text=TYPED, source="typed")
                subprocess.run(shlex.split(stop), check=True, capture_output=True)
                for pos, kind, kwargs in ((2, "typed", dict(text=TYPED, source="typed")),
                                          (3, "recording", dict(audio=WAV,
                                                                transcriber=transcriber))):
                    try:
                        # the question as the app has it on the page (no database read)
                        submit_answer(store, sess.id, pos, sess.questions[pos - 1], **kwargs)
                        messages.append(f"{kind}: NO ERROR (unexpected)")
                    except DatabaseError as exc:
                        messages.append(f"{kind}: {exc}")
                kept_files = [f.kind for f in store.audio_files()]
                subprocess.run(shlex.split(start), check=True, capture_output=True)
                again = submit_answer(store, sess.id, 2, text=TYPED, source="typed")
                report = recover(store, transcriber=transcriber)
                got = store.get_session(sess.id)
                kept = (f"answer 1 {got.answer_at(1).status} (id kept: "
                        f"{got.answer_at(1).id == first.id}); the recording stayed on disk "
                        f"while the server was down: {kept_files}")
                retry = (f"server started; typed answer submitted again: {again.status}; "
                         f"interview recover: {[(i.kind, i.outcome) for i in report.items]}; "
                         f"answer 3 {got.answer_at(3).status if got.answer_at(3) else 'missing'}")
        finally:
            subprocess.run(shlex.split(start), capture_output=True)
        _record("PostgreSQL server stopped mid-session", " | ".join(messages), kept, retry)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg-url")
    ap.add_argument("--pg-stop")
    ap.add_argument("--pg-start")
    args = ap.parse_args()
    from interview.transcribe import get_transcriber

    transcriber = get_transcriber()
    disk_full(transcriber)
    read_only(transcriber)
    if args.pg_url and args.pg_stop and args.pg_start:
        pg_stopped(transcriber, args.pg_url, args.pg_stop, args.pg_start)
    else:
        print("- PostgreSQL server stopped mid-session: skipped (give --pg-url, --pg-stop and "
              "--pg-start)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
