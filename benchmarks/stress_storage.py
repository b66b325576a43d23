"""Stress: concurrent writers on one data directory (issue 12's concurrency figures).

Run: .venv/bin/python benchmarks/stress_storage.py [--url DATABASE_URL] [--workers 8]

Three rounds, each checked (every answer present, none failed):

1. ``fresh``: N processes start at the same instant on a new, empty data directory; each
   opens the store (the first open creates the schema), starts a session of 4 questions
   and saves 4 recorded answers (real WAV bytes, fsync'd) with the app's save path
   (``interview.practice.save_answer``), then scores nothing;
2. ``existing``: the same on the now existing database;
3. ``threads``: N threads of one process share one Store (as the app's cached store) and
   each runs the app's whole code path for 4 typed answers: ``start_session``, then
   ``save_answer`` + ``process_answer`` (scoring) per answer.

Printed per round: wall time, and the longest wait of any single store call (open,
session, answer), with the median call time. With ``--url`` (e.g. the PostgreSQL of
``TEST_DATABASE_URL``) the rounds run against that server (its schema is reset first).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WAV = ROOT / "tests" / "fixtures" / "answer.wav"
ANSWERS = 4

WORKER = """
import json, sys, time
t_import = time.time()
from interview.practice import save_answer, start_session
from interview.profile import make_profile
from interview.storage import Store
from interview.bank import load_bank
import alembic.command, alembic.script  # imported before the start: the figures are the store's
load_bank()
import os
ready, n, wav, total = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read(), int(sys.argv[4])
open(os.path.join(ready, n), "w").close()
while len(os.listdir(ready)) < total:  # a barrier: every process is warm, then all go
    time.sleep(0.002)
waits = {}
def timed(name, fn):
    t0 = time.perf_counter(); out = fn(); waits.setdefault(name, []).append(time.perf_counter() - t0)
    return out
t0 = time.time()
store = timed("open", Store.open)
who = timed("session", lambda: store.add_applicant(f"Applicant {n}"))
prof = make_profile(name=f"Program {n}", country="us")
sess = timed("session", lambda: start_session(store, who, prof, count=4, seed=int(n) + 1))
ids = [timed("answer", lambda: save_answer(store, sess.id, i, audio=wav, filename="a.wav",
                                            source="audio").id) for i in range(1, 5)]
store.close()
print(json.dumps({"session": sess.id, "answers": ids, "waits": waits,
                  "started": t0, "ended": time.time()}))
"""


def _run_processes(n: int, env: dict) -> tuple[float, list[dict]]:
    ready = tempfile.mkdtemp(prefix="ready-")  # the processes' start barrier
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, ready, str(i), str(WAV), str(n)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for i in range(n)]
    results, failures = [], []
    for p in procs:
        out, err = p.communicate(timeout=600)
        if p.returncode != 0:
            failures.append(err.strip().splitlines()[-1] if err.strip() else f"rc {p.returncode}")
        else:
            results.append(json.loads(out))
    if failures:
        raise SystemExit(f"FAILED: {len(failures)} of {n} processes: {failures}")
    wall = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return wall, results


def _run_threads(n: int, url: str | None, root: Path) -> tuple[float, list[dict]]:
    from interview.practice import process_answer, save_answer, start_session
    from interview.profile import make_profile
    from interview.storage import Store

    from interview.bank import load_bank

    load_bank()  # cached: the figures are the store's, not the YAML parser's
    store = Store.open(url)
    text = ("During my observership in Chicago I presented patients to the team every morning "
            "and learned how residents, nurses and pharmacists work together, and I want to "
            "bring that to your program.")
    results: list[dict] = []
    errors: list[str] = []
    barrier = threading.Barrier(n)

    def worker(i: int) -> None:
        waits: dict[str, list[float]] = {}

        def timed(name, fn):
            t0 = time.perf_counter()
            out = fn()
            waits.setdefault(name, []).append(time.perf_counter() - t0)
            return out
        try:
            barrier.wait()
            who = timed("session", lambda: store.add_applicant(f"Thread {i}"))
            prof = make_profile(name=f"Thread Program {i}", country="ca")
            sess = timed("session", lambda: start_session(store, who, prof, count=4, seed=i + 1))
            ids = []
            for pos in range(1, ANSWERS + 1):
                a = timed("answer", lambda: save_answer(store, sess.id, pos, text=text,
                                                        source="typed"))
                a = timed("process", lambda: process_answer(store, a))
                if a.status != "scored":
                    errors.append(f"thread {i}: answer {pos} {a.status}: {a.error}")
                ids.append(a.id)
            results.append({"session": sess.id, "answers": ids, "waits": waits})
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors.append(f"thread {i}: {exc.__class__.__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    store.close()
    if errors:
        raise SystemExit(f"FAILED: {errors}")
    return wall, results


def _check(url: str | None, results: list[dict], root: Path) -> int:
    from interview.storage import Store

    with Store.open(url) as store:
        for r in results:
            sess = store.get_session(r["session"])
            got = [a.id for a in sess.answers]
            if got != r["answers"]:
                raise SystemExit(f"FAILED: session {r['session']} has {got}, expected {r['answers']}")
            for a in sess.answers:
                if a.audio_path and not store.audio_file(a).is_file():
                    raise SystemExit(f"FAILED: audio of answer {a.id} missing")
    return sum(len(r["answers"]) for r in results)


def _report(label: str, wall: float, results: list[dict], stored: int) -> None:
    waits: dict[str, list[float]] = {}
    for r in results:
        for k, v in r["waits"].items():
            waits.setdefault(k, []).extend(v)
    every = [x for v in waits.values() for x in v]
    parts = ", ".join(f"{k} median {statistics.median(v) * 1000:.0f} ms / max "
                      f"{max(v) * 1000:.0f} ms" for k, v in sorted(waits.items()))
    print(f"{label:9} wall {wall:6.2f} s | longest wait {max(every) * 1000:6.0f} ms | "
          f"{stored} answers in {len(results)} sessions, all present | {parts}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="database URL (default: SQLite in a fresh data directory)")
    ap.add_argument("--workers", type=int, default=8)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="stress-storage-") as tmp:
        root = Path(tmp) / "data"
        root.mkdir()
        os.environ["INTERVIEW_DATA_DIR"] = str(root)
        if args.url:
            os.environ["DATABASE_URL"] = args.url
            import sqlalchemy as sa

            eng = sa.create_engine(args.url)
            with eng.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
            eng.dispose()
        else:
            os.environ.pop("DATABASE_URL", None)
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        where = args.url and args.url.split("@")[-1] or "SQLite (WAL)"
        print(f"{args.workers} writers, {ANSWERS} answers each, on {where}; {os.cpu_count()} CPUs")
        for label in ("fresh", "existing"):
            wall, results = _run_processes(args.workers, env)
            _report(label, wall, results, _check(args.url, results, root))
        wall, results = _run_threads(args.workers, args.url, root)
        _report("threads", wall, results, _check(args.url, results, root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
