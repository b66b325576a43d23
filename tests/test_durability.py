"""Never lose a take, never lock up: real processes, real SQLite (and PostgreSQL through
``TEST_DATABASE_URL``), real Whisper on a real recording, and real faults.

Faults are injected at the narrowest boundary: a full disk at the ``os.write`` the audio
writer uses, a read-only database file (opened read-only by SQLite itself when the tests
run as root, who may write any file), a database that refuses writes, a process killed
with SIGKILL, a PostgreSQL server that goes away (a loopback TCP relay in front of the
server is cut, then restored). Timings are measured in ``benchmarks/``, not here.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import FIXTURES, ROOT
from interview import practice
from interview.errors import StorageError
from interview.practice import process_answer, save_answer, start_session, submit_answer
from interview.profile import make_profile
from interview.recovery import find_unfinished, recover
from interview.storage import (
    AnswerBusy,
    DatabaseError,
    Store,
    create_db_engine,
    current_revision,
    head_revision,
    upgrade,
)
from interview.storage import files as storage_files
from interview.storage.sessions import SessionRepository

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
WAV = FIXTURES / "answer.wav"
TYPED = ("During my observership in Chicago I presented patients to the team every morning "
         "and learned how residents, nurses and pharmacists work together.")


@pytest.fixture
def profile():
    return make_profile(name="Lakeside Internal Medicine", country="us",
                        specialty="internal_medicine", mission="Serving underserved communities.")


@pytest.fixture
def session(store, profile):
    return start_session(store, store.add_applicant("Amina Diallo"), profile, count=3, seed=5)


def _env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _python(code: str, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=_env(**env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _cli(*args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "interview", *args], env=_env(**env),
                          capture_output=True, text=True, timeout=600)


def _one_line_error(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


# ---- concurrency ------------------------------------------------------------------------------

WRITER = """
    import sys, time
    from interview.storage import Store
    from interview.profile import make_profile
    start = float(sys.argv[1]) if len(sys.argv) > 1 else 0
    time.sleep(max(0.0, {start} - time.time()))   # all processes open the store at once
    with Store.open() as store:
        who = store.add_applicant("Applicant {n}")
        prof = store.add_profile(make_profile(name="Program {n}", country="ca"),
                                 applicant_id=who.id)
        sess = store.create_session(who.id, prof.id, questions=[
            {{"id": f"q{{i}}", "text": f"Question {{i}}?"}} for i in range(1, 5)])
        for i in range(1, 5):
            store.add_answer(sess.id, i, question_id=f"q{{i}}", question_text="Q",
                             text=f"answer {{i}} of {n}")
    print(sess.id)
"""


def _writers(n: int, **env) -> list[str]:
    start = time.time() + 3
    procs = [_python(WRITER.format(start=start, n=i), **env) for i in range(n)]
    out = [p.communicate(timeout=300) for p in procs]
    for p, (stdout, stderr) in zip(procs, out):
        assert p.returncode == 0, stderr
        assert not stderr.strip(), stderr
    return [stdout.strip() for stdout, _ in out]


def test_eight_processes_open_a_fresh_data_dir_at_once_then_an_existing_one(data_dir):
    """The first-open migration no longer races ("table applicants already exists")."""
    first = _writers(8)
    again = _writers(8)
    with Store.open() as store:
        for sid in first + again:
            assert [a.text[:8] for a in store.get_session(sid).answers] == ["answer 1",
                                                                             "answer 2",
                                                                             "answer 3",
                                                                             "answer 4"]
        assert len(store.list_sessions()) == 16
        assert current_revision(store.engine) == head_revision()
    assert not (data_dir / "backups").exists()  # a fresh database is not backed up


def test_a_second_writer_waits_for_the_first_instead_of_failing(store, profile):
    """Writes begin with BEGIN IMMEDIATE: the second writer waits for the busy timeout
    rather than failing at once with 'database is locked' when upgrading its read lock."""
    held = threading.Event()

    def long_write():
        with store.database.write() as db:
            db.execute(sa.text("UPDATE applicants SET name = name"))
            held.set()
            time.sleep(1.5)

    t = threading.Thread(target=long_write)
    t.start()
    held.wait(10)
    t0 = time.monotonic()
    who = store.add_applicant("Waited Patiently")  # waits for the other transaction
    waited = time.monotonic() - t0
    t.join()
    assert store.get_applicant(who.id).name == "Waited Patiently"
    assert waited > 0.5


def test_a_writer_busy_past_the_timeout_gets_one_clear_line(data_dir, monkeypatch):
    monkeypatch.setenv("INTERVIEW_DB_BUSY_TIMEOUT", "0.3")
    with Store.open() as store:
        raw = sqlite3.connect(data_dir / "interview.db")
        raw.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(DatabaseError) as err:
                store.add_applicant("Blocked")
        finally:
            raw.rollback()
            raw.close()
        msg = str(err.value)
        assert "busy" in msg and "try again" in msg and "\n" not in msg
        assert store.add_applicant("After").name == "After"  # retry works once it is free


def test_the_cli_reports_a_busy_database_in_one_line(data_dir, tmp_path):
    answer = tmp_path / "a.txt"
    answer.write_text(TYPED)
    Store.open().close()
    raw = sqlite3.connect(data_dir / "interview.db")
    raw.execute("BEGIN EXCLUSIVE")
    try:
        res = _cli("practice", "--country", "us", "--program-name", "P", "--answers",
                   str(answer), INTERVIEW_DB_BUSY_TIMEOUT="0.5")
    finally:
        raw.rollback()
        raw.close()
    assert res.returncode == 2
    assert "busy" in _one_line_error(res.stderr)


# ---- migrations -------------------------------------------------------------------------------


def _old_database(data_dir: Path) -> str:
    url = f"sqlite:///{data_dir / 'interview.db'}"
    engine = create_db_engine(url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO applicants (id, name, created_at) VALUES "
                             "('a1', 'Old Applicant', '2025-10-01 09:00:00')")
    engine.dispose()
    return url


def test_an_upgrade_copies_the_sqlite_file_first(data_dir):
    _old_database(data_dir)
    with Store.open() as store:
        assert store.get_applicant("a1").name == "Old Applicant"
    backups = sorted((data_dir / "backups").iterdir())
    assert len(backups) == 1 and backups[0].name.startswith("interview-0001-")
    copy = sqlite3.connect(backups[0])
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert copy.execute("SELECT name FROM applicants").fetchall() == [("Old Applicant",)]
    copy.close()
    Store.open().close()  # at head now: no new copy
    assert len(list((data_dir / "backups").iterdir())) == 1


def test_processes_upgrading_an_old_database_at_once_upgrade_it_once(data_dir):
    _old_database(data_dir)
    start = time.time() + 3
    code = f"""
        import time
        time.sleep(max(0.0, {start} - time.time()))
        from interview.storage import Store
        with Store.open() as s:
            print(s.get_applicant("a1").name)
    """
    procs = [_python(code) for _ in range(6)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert out.strip() == "Old Applicant"
    assert len(list((data_dir / "backups").iterdir())) == 1


# ---- faults -----------------------------------------------------------------------------------


def test_disk_full_on_the_audio_write(store, session, transcriber, monkeypatch, data_dir):
    kept = submit_answer(store, session.id, 1, text=TYPED, source="typed")
    real_write = os.write
    calls = []

    def full_disk(fd, data):  # half of the first chunk fits, then the disk is full
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(storage_files, "_os_write", full_disk)
    with pytest.raises(StorageError) as err:
        submit_answer(store, session.id, 2, audio=WAV, transcriber=transcriber)
    assert "disk is full" in str(err.value) and "\n" not in str(err.value)
    assert calls
    # nothing half-written is left, nothing already saved is lost
    folder = data_dir / "audio" / session.id
    assert not folder.exists() or list(folder.iterdir()) == []
    after = store.get_session(session.id)
    assert after.answer_at(2) is None
    assert after.answer_at(1).id == kept.id and after.answer_at(1).status == "scored"
    assert find_unfinished(store).items == []

    monkeypatch.setattr(storage_files, "_os_write", real_write)  # space freed: retry works
    done = submit_answer(store, session.id, 2, audio=WAV, transcriber=transcriber)
    assert done.status == "scored" and store.audio_file(done).read_bytes() == WAV.read_bytes()


def _read_only(path: Path) -> str:
    """The URL of ``path`` made read-only (root writes any file, so SQLite is then told to
    open it read-only, which is what a read-only file means to everyone else)."""
    os.chmod(path, 0o444)
    if os.geteuid() == 0:
        return f"sqlite:///file:{path}?mode=ro&uri=true"
    return f"sqlite:///{path}"


def test_a_read_only_database_file(data_dir, profile, transcriber, tmp_path):
    db = data_dir / "interview.db"
    with Store.open() as store:
        sess = start_session(store, store.add_applicant("Amina"), profile, count=2, seed=3)
        first = submit_answer(store, sess.id, 1, text=TYPED, source="typed")
    url = _read_only(db)
    with Store.open(url) as store:
        assert store.get_session(sess.id).answer_at(1).id == first.id  # reads still work
        with pytest.raises(DatabaseError) as err:
            submit_answer(store, sess.id, 2, text=TYPED, source="typed")
        msg = str(err.value)
        assert "read-only" in msg and "writable" in msg and "\n" not in msg
        # a recording is kept on disk, and said so
        with pytest.raises(DatabaseError, match="recording is kept at .*interview recover"):
            submit_answer(store, sess.id, 2, audio=WAV, transcriber=transcriber)
    # the CLI says the same in one line
    answer = tmp_path / "a.txt"
    answer.write_text(TYPED)
    res = _cli("practice", "--country", "us", "--program-name", "P", "--answers", str(answer),
               DATABASE_URL=url)
    assert res.returncode == 2 and "read-only" in _one_line_error(res.stderr)

    os.chmod(db, 0o644)  # the fault clears: the kept recording is added back and scored
    with Store.open() as store:
        assert store.get_session(sess.id).answer_at(1).status == "scored"
        report = recover(store, transcriber=transcriber)
        assert [(i.kind, i.outcome) for i in report.items] == [("orphan", "scored")]
        got = store.get_session(sess.id).answer_at(2)
        assert got.status == "scored" and got.source == "upload"
        assert got.question_text == sess.questions[1]["text"]


def test_the_failure_write_cannot_leave_an_answer_transcribing(store, session, transcriber,
                                                               monkeypatch):
    """The database refuses every later write of this answer: the pipeline says so in
    one line, and the answer is found by recovery instead of staying 'transcribing'."""
    monkeypatch.setattr(practice, "FAILURE_WRITE_DELAYS", (0, 0, 0))
    real = Store.update_answer

    def refuse(self, answer_id, **changes):
        if changes.get("status") in ("scored", "failed"):
            raise DatabaseError("the database is gone (test)")
        return real(self, answer_id, **changes)

    monkeypatch.setattr(Store, "update_answer", refuse)
    with pytest.raises(DatabaseError, match="interview recover") as err:
        submit_answer(store, session.id, 1, audio=WAV, transcriber=transcriber)
    assert "\n" not in str(err.value)
    stuck = store.get_session(session.id).answer_at(1)
    assert stuck.status == "transcribing"
    found = find_unfinished(store)
    assert [(i.kind, i.answer_id) for i in found.items] == [("stuck", stuck.id)]

    monkeypatch.setattr(Store, "update_answer", real)
    report = recover(store, transcriber=transcriber)
    assert [i.outcome for i in report.items] == ["scored"]
    assert store.get_answer(stuck.id).status == "scored"
    assert recover(store, transcriber=transcriber).items == []  # idempotent


# ---- recovery ---------------------------------------------------------------------------------

KILLED = """
    import os, signal
    from interview.storage import Store
    from interview.practice import save_answer
    store = Store.open()
    answer = save_answer(store, "{sid}", {pos}, audio=r"{wav}", source="upload")
    with store.claim_answer(answer.id):
        if {transcribing}:
            store.update_answer(answer.id, status="transcribing")
        print(answer.id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
"""


def test_recover_finishes_takes_of_killed_processes_and_is_idempotent(store, session,
                                                                      data_dir):
    ids = []
    for pos, transcribing in [(1, True), (2, False)]:
        p = _python(KILLED.format(sid=session.id, pos=pos, wav=WAV, transcribing=transcribing))
        out, err = p.communicate(timeout=300)
        assert p.returncode == -signal.SIGKILL, err
        ids.append(out.strip())
    statuses = {a.id: a.status for a in store.get_session(session.id).answers}
    assert statuses == {ids[0]: "transcribing", ids[1]: "recorded"}

    res = _cli("recover", "--json")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert {(i["kind"], i["answer_id"], i["outcome"]) for i in report["items"]} == {
        ("stuck", ids[0], "scored"), ("pending", ids[1], "scored")}
    for answer_id in ids:
        assert store.get_answer(answer_id).status == "scored"
    again = _cli("recover")
    assert again.returncode == 0 and "nothing to recover" in again.stdout
    assert not (data_dir / "claims").exists() or list((data_dir / "claims").iterdir()) == []


def test_recover_adds_back_a_recording_whose_row_was_never_committed(store, session,
                                                                     transcriber,
                                                                     monkeypatch, data_dir):
    def refused(self, answer_id, fields, rel):
        raise DatabaseError("the database refused the insert (test)")

    monkeypatch.setattr(SessionRepository, "_insert_answer", refused)
    with pytest.raises(DatabaseError, match="recording is kept at"):
        save_answer(store, session.id, 3, audio=WAV, source="microphone")
    monkeypatch.undo()
    assert store.get_session(session.id).answer_at(3) is None
    files = store.audio_files()
    assert sorted(f.kind for f in files) == ["audio", "sidecar"]

    report = recover(store, transcriber=transcriber)
    assert [(i.kind, i.outcome) for i in report.items] == [("orphan", "scored")]
    added = store.get_session(session.id).answer_at(3)
    assert added.id == files[0].answer_id and added.source == "microphone"
    assert added.question_id == session.questions[2]["id"] and added.status == "scored"
    assert [f.kind for f in store.audio_files()] == ["audio"]  # the sidecar is gone
    assert recover(store, transcriber=transcriber).items == []


def test_recover_leaves_live_work_alone_and_removes_never_accepted_writes(store, session,
                                                                          data_dir):
    folder = data_dir / "audio" / session.id
    folder.mkdir(parents=True)
    dead, live = "d" * 32, "e" * 32
    (folder / f"{dead}.wav.part").write_bytes(b"RIFF half")
    (folder / f"{live}.wav.part").write_bytes(b"RIFF being written")
    (data_dir / "claims").mkdir()
    (data_dir / "claims" / f"{'c' * 32}.lock").touch()  # its process died holding it
    with store.claim_answer(live):  # this (live) process is writing it
        res = _cli("recover", "--json")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert [(i["kind"], i["answer_id"], i["outcome"]) for i in report["items"]] == [
        ("partial", dead, "removed")]
    assert report["in_progress"] == [live]
    assert report["stale_claims"] == 1
    assert [p.name for p in (data_dir / "claims").iterdir()] == []  # the live one is gone now
    assert sorted(p.name for p in folder.iterdir()) == [f"{live}.wav.part"]


def test_a_claim_is_exclusive_across_processes(store):
    code = """
        import sys
        from interview.storage import Store, AnswerBusy
        try:
            with Store.open().claim_answer("f" * 32):
                print("claimed")
        except AnswerBusy as exc:
            print("busy:", exc)
    """
    with store.claim_answer("f" * 32):
        out, _ = _python(code).communicate(timeout=120)
        assert out.startswith("busy:")
        with store.claim_answer("f" * 32):  # re-entrant in the thread that holds it
            pass
        seen = []

        def other_thread():  # e.g. the app's recovery, beside a user's submission
            try:
                with store.claim_answer("f" * 32):
                    seen.append("claimed")
            except AnswerBusy:
                seen.append("busy")

        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        assert seen == ["busy"]
    out, _ = _python(code).communicate(timeout=120)
    assert out.strip() == "claimed"


# ---- listing ----------------------------------------------------------------------------------


def test_listing_sessions_makes_the_same_number_of_queries_for_3_or_30(store, profile):
    who = store.add_applicant("Amina")

    def add(n):
        for _ in range(n):
            s = start_session(store, who, profile, count=2, avoid_recent=False)
            a = store.add_answer(s.id, 1, question_id="q", question_text="Q", text="t")
            store.add_comment(s.id, "good", answer_id=a.id)

    statements = []
    sa.event.listen(store.engine, "before_cursor_execute",
                    lambda *args: statements.append(args[2]))

    def count() -> int:
        statements.clear()
        listed = store.list_sessions()
        assert all(s.applicant and s.profile and s.answers and s.comments for s in listed)
        return len(statements)

    add(3)
    few = count()
    add(27)
    assert count() == few <= 8


# ---- PostgreSQL -------------------------------------------------------------------------------

needs_pg = pytest.mark.skipif(not PG_URL, reason="set TEST_DATABASE_URL=postgresql+psycopg://"
                              "... to test PostgreSQL too (.ci/run does)")


def _reset_postgres() -> None:
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@needs_pg
def test_postgresql_processes_migrate_a_fresh_database_at_once(data_dir):
    _reset_postgres()
    ids = _writers(8, DATABASE_URL=PG_URL)
    with Store.open(PG_URL) as store:
        assert all(len(store.get_session(sid).answers) == 4 for sid in ids)


class Relay:
    """A loopback TCP relay in front of the PostgreSQL server: ``stop()`` makes the server
    vanish for the client (connections cut, port closed); ``start()`` brings it back."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = None
        self._listener = None
        self._conns: list[socket.socket] = []

    def start(self):
        lst = socket.socket()
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind(("127.0.0.1", self.port or 0))
        lst.listen()
        self.port = lst.getsockname()[1]
        self._listener = lst
        threading.Thread(target=self._accept, args=(lst,), daemon=True).start()

    def _accept(self, lst):
        while True:
            try:
                client, _ = lst.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        try:  # wakes the thread blocked in accept() (a bare close() would not, on Linux)
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        for c in self._conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self._conns.clear()


@needs_pg
def test_postgresql_server_gone_mid_session(data_dir, profile, transcriber):
    _reset_postgres()
    url = sa.engine.make_url(PG_URL)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    relay.start()
    via = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    with Store.open(via) as store:
        sess = start_session(store, store.add_applicant("Amina"), profile, count=2, seed=3)
        first = submit_answer(store, sess.id, 1, text=TYPED, source="typed")
        relay.stop()  # the server goes away mid-session
        with pytest.raises(DatabaseError) as err:
            submit_answer(store, sess.id, 2, text=TYPED, source="typed")
        msg = str(err.value)
        assert "database server" in msg and "try again" in msg and "\n" not in msg
        # a recording made now is kept on disk (the question as the page has it)
        with pytest.raises(DatabaseError, match="recording is kept at .*interview recover"):
            submit_answer(store, sess.id, 2, sess.questions[1], audio=WAV,
                          transcriber=transcriber)
        relay.start()  # back on the same port: the next call works (pre-ping reconnects)
        again = submit_answer(store, sess.id, 2, text=TYPED, source="typed")
        assert again.status == "scored"
        got = store.get_session(sess.id)
        assert [a.id for a in got.answers] == [first.id, again.id]
        report = recover(store, transcriber=transcriber)
        assert [(i.kind, i.outcome) for i in report.items] == [("orphan", "scored")]
        assert store.get_session(sess.id).answer_at(2).source == "upload"  # a new attempt
        assert len(store.answer_attempts(sess.id, 2)) == 2
    relay.stop()


def test_recover_retries_a_failed_answer_but_not_one_recorded_again_since(store, session,
                                                                          transcriber,
                                                                          data_dir):
    corrupt = FIXTURES / "corrupt.wav"
    old = submit_answer(store, session.id, 1, audio=corrupt, transcriber=transcriber)
    assert old.status == "failed"
    newer = submit_answer(store, session.id, 1, text=TYPED, source="typed")
    assert newer.status == "scored"
    failed = submit_answer(store, session.id, 2, audio=corrupt, transcriber=transcriber)
    # the corrupt take at question 1 was answered again: only question 2's is looked at
    assert [(i.kind, i.answer_id) for i in find_unfinished(store).items] == [
        ("failed", failed.id)]
    assert find_unfinished(store, include_failed=False).items == []
    assert find_unfinished(store, session_ids=["someone-else"]).items == []  # access rule
    report = recover(store, transcriber=transcriber)  # still corrupt: still failed, kept
    assert [(i.answer_id, i.outcome) for i in report.items] == [(failed.id, "failed")]
    assert store.get_answer(failed.id).error == failed.error
    assert store.audio_file(failed).read_bytes() == corrupt.read_bytes()


def test_a_follow_up_take_is_saved_first_and_recovered_like_a_main_answer(
        store, session, transcriber, monkeypatch, data_dir):
    """A follow-up answer is on disk and committed before any other work (with its timing);
    if its row is refused, recovery adds it back under its main answer, scores it against the
    follow-up's own text, and a failed follow-up counts its attempts apart from the main
    answer's."""
    from interview.formats import AnswerTiming

    main = submit_answer(store, session.id, 1, text=TYPED, source="typed")
    saved = practice.save_follow_up(store, main.id, "And what would you do differently?",
                                    audio=WAV, source="audio",
                                    timing=AnswerTiming(answer_seconds=12.5))
    assert (saved.status, saved.follow_up, saved.parent_answer_id) == ("recorded", 1, main.id)
    assert saved.answer_seconds == 12.5 and store.audio_file(saved).is_file()
    assert [a.id for a in store.get_answer(main.id).follow_up_answers] == [saved.id]

    def refused(self, answer_id, fields, rel):
        raise DatabaseError("the database refused the insert (test)")

    monkeypatch.setattr(SessionRepository, "_insert_answer", refused)
    with pytest.raises(DatabaseError, match="recording is kept at"):
        practice.save_follow_up(store, main.id, "And what would you do differently?",
                                audio=WAV, source="audio", follow_up=1,
                                timing={"answer_seconds": 30.0, "timed_out": True})
    monkeypatch.undo()

    report = recover(store, transcriber=transcriber)
    assert sorted((i.kind, i.outcome) for i in report.items) == [
        ("orphan", "scored"), ("pending", "scored")]
    sess = store.get_session(session.id)
    (answer,) = [a for a in sess.answers if a.position == 1]
    assert answer.id == main.id and [a.attempt for a in sess.attempts[1]] == [1]
    (reply,) = answer.follow_up_answers  # the latest attempt at follow-up 1: the orphan
    assert (reply.follow_up, reply.attempt, reply.timed_out, reply.answer_seconds) == (
        1, 2, True, 30.0)
    assert reply.question_text == "And what would you do differently?"
    assert reply.status == "scored" and store.get_answer(saved.id).status == "scored"
    assert recover(store, transcriber=transcriber).items == []

    # a main answer recorded again does not make a failed follow-up history
    bad = practice.submit_follow_up(store, main.id, "Why?", follow_up=2,
                                    audio=FIXTURES / "corrupt.wav", transcriber=transcriber)
    submit_answer(store, session.id, 1, text=TYPED, source="typed")
    assert [(i.kind, i.answer_id) for i in find_unfinished(store).items] == [("failed", bad.id)]


def test_recover_does_not_trust_a_crafted_sidecar(store, profile, session, data_dir, tmp_path):
    """A sidecar is data on disk (an imported archive can carry one): recovery rebuilds the
    audio path from the scanned file, keeps parent_answer_id only for an answer of the same
    session, never deletes outside audio/, and reports a bad sidecar as one failed item."""
    victim = save_answer(store, session.id, 1, audio=WAV, source="upload")
    other = start_session(store, store.add_applicant("Other"), profile, count=2, seed=2)
    folder = data_dir / "audio" / other.id
    folder.mkdir(parents=True, exist_ok=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.json").write_text("{}")
    base = {"session_id": other.id, "position": 1, "question_text": "q",
            "created_at": "2026-01-01T00:00:00"}
    crafted = {
        "a" * 32: dict(base, audio_path=victim.audio_path, parent_answer_id=victim.id),
        "b" * 32: dict(base, audio_path=str(outside / "keep.x")),
        "c" * 32: dict(base, position="1"),
        "d" * 32: dict(base, created_at="yesterday"),
        "e" * 32: dict(base, question_text=["not", "text"]),
        "f" * 32: dict(base, timing="fast"),
    }
    for answer_id, meta in crafted.items():
        (folder / f"{answer_id}.webm").write_bytes(b"\x1a\x45\xdf\xa3junk")
        (folder / f"{answer_id}.json").write_text(json.dumps(meta))

    report = recover(store, include_failed=False, transcriber=None)
    outcome = {i.answer_id: i for i in report.items}
    for answer_id in ("a" * 32, "b" * 32):  # adopted with their own file (then undecodable)
        got = store.get_answer(answer_id)
        assert got.audio_path == f"audio/{other.id}/{answer_id}.webm"
        assert got.session_id == other.id and got.parent_answer_id is None
    assert (outside / "keep.json").exists()
    assert (data_dir / victim.audio_path).exists()
    assert store.get_answer(victim.id).audio_path == victim.audio_path
    for answer_id, field in (("c", "position"), ("d", "created_at"), ("e", "text"),
                             ("f", "timing")):
        item = outcome[answer_id * 32]
        assert item.outcome == "failed" and "sidecar" in item.error and field in item.error
        assert "\n" not in item.error
        assert (folder / f"{answer_id * 32}.webm").exists()  # the recording is kept
    assert (data_dir / victim.audio_path).exists()


def test_drop_sidecar_stays_inside_audio_and_never_removes_a_recording(data_dir, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.json").write_text("{}")
    storage_files.drop_sidecar(data_dir, str(outside / "x.wav"))
    storage_files.drop_sidecar(data_dir, "../elsewhere/x.wav")
    assert (outside / "x.json").exists()
    folder = data_dir / "audio" / ("1" * 32)
    folder.mkdir(parents=True)
    take = folder / ("2" * 32 + ".json")
    take.write_bytes(b"RIFF")
    storage_files.drop_sidecar(data_dir, f"audio/{'1' * 32}/{'2' * 32}.json")
    assert take.exists()


@pytest.mark.parametrize("name, ext", [
    ("interview practice answer.json", ".wav"),  # a WAV's bytes: its signature decides
    ("take.part", ".wav"), ("take.exe", ".wav"), ("take.FLAC", ".flac"), ("take.mkv", ".mkv"),
])
def test_a_recording_is_saved_only_under_a_recording_extension(store, session, data_dir,
                                                               tmp_path, name, ext):
    """A take named *.json was saved as <id>.json and then deleted as its own sidecar."""
    src = tmp_path / name
    src.write_bytes(WAV.read_bytes())
    saved = save_answer(store, session.id, 1, audio=src, source="upload")
    assert saved.audio_path.endswith(ext) and (data_dir / saved.audio_path).is_file()
    assert storage_files.audio_ext(b"\x00\x01unknown", "x.json") == storage_files.NEUTRAL_EXT
    assert store.get_answer(saved.id).audio_path == saved.audio_path
