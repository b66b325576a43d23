"""Crash test: SIGKILL at random moments while answers are submitted and transcribed, then
``interview recover``; nothing may be lost, stuck or orphaned (issue 12).

Run: .venv/bin/python benchmarks/stress_crash.py [--runs 20] [--seed 1]

Each run starts a process on a fresh session of 2 questions. Odd runs ("transcribe") save a
real recording (``save_answer``: fsync'd file, committed row), print "accepted <id>" (the
moment the take is accepted, as the app marks it handled), then transcribe and score it
with the real model (``process_answer``), twice. Even runs ("save") save 8 takes back to
back, so that kills land inside the audio write and the commit. Once the process is ready
(imports done, model loaded) it is killed with SIGKILL after a random delay between 0 and
the length of an uninterrupted run of its kind (measured first). Then
``python -m interview recover --json`` runs, and the checks:

- every accepted take has its row and its audio file, and is scored after recovery;
- no answer is left recorded / transcribing / failed; every audio file has a row; no
  ``.part`` file, sidecar or claim remains;
- a second ``interview recover`` finds nothing (idempotent).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WAV = ROOT / "tests" / "fixtures" / "answer.wav"

DRIVER = """
import sys
from interview.practice import process_answer, save_answer
from interview.storage import Store
from interview.transcribe import get_transcriber
store = Store.open()
sid, wav, mode = sys.argv[1], sys.argv[2], sys.argv[3]
transcriber = get_transcriber() if mode == "transcribe" else None
print("ready", flush=True)
if mode == "transcribe":   # submit and transcribe 2 answers
    for pos in (1, 2):
        a = save_answer(store, sid, pos, audio=wav, source="upload")
        print("accepted", a.id, flush=True)
        a = process_answer(store, a, transcriber=transcriber)
        print("done", a.id, a.status, flush=True)
else:                      # save takes back to back: kills land in the write and the commit
    for k in range(8):
        a = save_answer(store, sid, 1 + k % 2, audio=wav, source="upload")
        print("accepted", a.id, flush=True)
"""


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _run(sid: str, mode: str, kill_after: float | None) -> tuple[list[str], list[str], float]:
    """Run the driver; ``kill_after`` seconds after it is ready (imports done, model
    loaded), SIGKILL it. Returns the accepted and done ids and the time it ran once ready."""
    p = subprocess.Popen([sys.executable, "-c", DRIVER, sid, str(WAV), mode], env=_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    if first.strip() != "ready":
        raise SystemExit(f"the driver did not start: {first}{p.stderr.read()}")
    t0 = time.monotonic()
    elapsed = 0.0
    if kill_after is not None:
        try:
            p.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
        out, err = p.communicate()
    else:  # calibration: the time of the last line, not of the interpreter's exit
        lines = []
        for line in p.stdout:
            lines.append(line)
            elapsed = time.monotonic() - t0
        err = p.stderr.read()
        p.wait()
        out = "".join(lines)
    if kill_after is None and p.returncode != 0:
        raise SystemExit(f"the uninterrupted run failed: {err}")
    lines = out.split("\n")
    accepted = [ln.split()[1] for ln in lines if ln.startswith("accepted ")]
    done = [ln.split()[1] for ln in lines if ln.startswith("done ")]
    return accepted, done, elapsed


def _recover() -> dict:
    res = subprocess.run([sys.executable, "-m", "interview", "recover", "--json"], env=_env(),
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"interview recover failed ({res.returncode}): {res.stderr}{res.stdout}")
    return json.loads(res.stdout)


def _check(store, root: Path, accepted: list[str]) -> None:
    for answer_id in accepted:
        a = store.get_answer(answer_id)  # NotFound would be a lost take
        if a.status != "scored":
            raise SystemExit(f"FAILED: accepted answer {answer_id} is {a.status}: {a.error}")
        if not store.audio_file(a).is_file():
            raise SystemExit(f"FAILED: the recording of accepted answer {answer_id} is gone")
    left = store.unfinished_answers()
    if left:
        raise SystemExit(f"FAILED: unfinished after recover: {[(a.id, a.status) for a in left]}")
    files = store.audio_files()
    rows = store.existing_answer_ids(f.answer_id for f in files)
    bad = [str(f.path) for f in files if f.kind != "audio" or f.answer_id not in rows]
    if bad:
        raise SystemExit(f"FAILED: orphaned or partial files after recover: {bad}")
    claims = list((root / "claims").glob("*.lock")) if (root / "claims").exists() else []
    if claims:
        raise SystemExit(f"FAILED: claims left: {claims}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="stress-crash-") as tmp:
        root = Path(tmp) / "data"
        root.mkdir()
        os.environ["INTERVIEW_DATA_DIR"] = str(root)
        os.environ.pop("DATABASE_URL", None)
        from interview.profile import make_profile
        from interview.storage import Store

        store = Store.open()
        who = store.add_applicant("Crash Test")
        prof = store.add_profile(make_profile(name="Crash Program", country="us"))

        def new_session():
            return store.create_session(who.id, prof.id, questions=[
                {"id": "q1", "text": "Why internal medicine?"},
                {"id": "q2", "text": "Tell me about yourself."}]).id

        full = {mode: _run(new_session(), mode, None)[2] for mode in ("transcribe", "save")}
        _recover()  # the calibration's saved-only takes
        print(f"uninterrupted, once ready: 2 answers saved and transcribed in "
              f"{full['transcribe']:.2f} s; 8 takes saved in {full['save']:.2f} s. "
              f"{args.runs} runs, alternating, each killed at random in that span")
        phases: Counter = Counter()
        recovered: Counter = Counter()
        for i in range(1, args.runs + 1):
            mode = "transcribe" if i % 2 else "save"
            sid = new_session()
            kill_at = rng.uniform(0, full[mode])
            accepted, done, _ = _run(sid, mode, kill_at)
            # before recovery: every accepted take has its row and its file
            for answer_id in accepted:
                a = store.get_answer(answer_id)
                if not store.audio_file(a).is_file():
                    raise SystemExit(f"FAILED: run {i}: accepted take {answer_id} has no file")
            phase = f"{mode}: {len(accepted)} accepted" + (
                f", {len(done)} done" if mode == "transcribe" else "")
            phases[mode] += 1
            report = _recover()
            kinds = Counter(f"{it['kind']}->{it['outcome']}" for it in report["items"])
            recovered.update(kinds)
            _check(store, root, accepted)
            again = _recover()
            if again["items"]:
                raise SystemExit(f"FAILED: run {i}: a second recover found {again['items']}")
            print(f"run {i:2}: killed at {kill_at:5.2f} s ({phase:30}) recovered "
                  f"{dict(kinds) or '-'}; checks OK")
        total = sum(len(s.answers) for s in store.list_sessions())
        store.close()
        print(f"{args.runs} kills: {dict(phases)}")
        print(f"recovered: {dict(recovered) or 'nothing'}; {total} answers stored, all scored; "
              "no stuck answer, orphaned or partial file, or claim left")
    return 0


if __name__ == "__main__":
    sys.exit(main())
