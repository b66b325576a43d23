"""The session database: schema, migrations, WAL, and every Store method, on real SQLite
(and PostgreSQL when a server is reachable through ``TEST_DATABASE_URL``)."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from interview.errors import NotFound, StorageError
from interview.profile import make_profile
from interview.storage import (
    Store,
    create_db_engine,
    current_revision,
    head_revision,
    upgrade,
)

WAV_HEAD = b"RIFF\x24\x00\x00\x00WAVEfmt "


PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, data_dir):
    """A fresh store on SQLite, and on PostgreSQL when ``TEST_DATABASE_URL`` names an
    (expendable) database, e.g. postgresql+psycopg://postgres@/test?host=/tmp&port=5432."""
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("set TEST_DATABASE_URL=postgresql+psycopg://... to test PostgreSQL too")
        _reset_postgres(PG_URL)
        s = Store.open(PG_URL)
    else:
        s = Store.open()
    yield s
    s.close()


@pytest.fixture
def sqlite_store(data_dir):
    s = Store.open()
    yield s
    s.close()


@pytest.fixture
def profile():
    return make_profile(name="Prairie Family Medicine", country="ca", region="AB",
                        specialty="family_medicine", mission="Rural and Indigenous health")


def _session(store, profile, **kw):
    a = store.get_or_add_applicant("Amina Diallo", email="amina@example.org",
                                   coach_email="coach@example.org")
    p = store.find_or_add_profile(profile, applicant_id=a.id)
    qs = [{"id": "q1", "text": "Tell me about yourself."},
          {"id": "q2", "text": "Why Alberta?"}]
    return store.create_session(a.id, p.id, questions=qs, seed=5, **kw)


def _scores(clarity=3, structure=2):
    return {"overall": 2.5, "criteria": [{"id": "clarity", "score": clarity, "tips": ["x"]},
                                         {"id": "structure", "score": structure, "tips": []}]}


# ---- schema, WAL, migrations ------------------------------------------------------------

def test_open_creates_sqlite_in_data_dir_with_wal_and_foreign_keys(data_dir, sqlite_store):
    store = sqlite_store
    assert (data_dir / "interview.db").exists()
    assert store.journal_mode() == "wal"
    with sqlite3.connect(data_dir / "interview.db") as raw:  # persisted in the file
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert current_revision(store.engine) == head_revision()
    names = set(sa.inspect(store.engine).get_table_names())
    assert {"applicants", "profiles", "sessions", "answers", "comments", "overrides",
            "email_drafts", "alembic_version"} <= names


def test_foreign_keys_enforced(store):  # SQLite only with PRAGMA foreign_keys=ON
    with pytest.raises(sa.exc.IntegrityError):
        with store.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO answers (id, session_id, position, attempt, question_text, "
                "follow_ups, source, status, created_at, updated_at) VALUES "
                "('a', 'missing', 1, 1, 'q', '[]', 'typed', 'recorded', "
                "'2026-01-01', '2026-01-01')")


def test_upgrade_from_0001_keeps_data(data_dir):
    url = f"sqlite:///{data_dir / 'old.db'}"
    engine = create_db_engine(url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO applicants (id, name, created_at) VALUES ('a1', 'Old Applicant', "
            "'2025-10-01 09:00:00')")
        conn.exec_driver_sql(
            "INSERT INTO profiles (id, name, country, mission, features, created_at) VALUES "
            "('p1', 'Old Program', 'us', '', '[]', '2025-10-01 09:00:00')")
        conn.exec_driver_sql(
            "INSERT INTO sessions (id, applicant_id, profile_id, mode, question_ids, created_at) "
            "VALUES ('s1', 'a1', 'p1', 'practice', '[\"q1\"]', '2025-10-01 09:00:00')")
        conn.exec_driver_sql(
            "INSERT INTO answers (id, session_id, position, attempt, question_id, question_text,"
            " follow_ups, source, text, status, overall, created_at, updated_at) VALUES "
            "('x1', 's1', 1, 1, 'q1', 'Tell me about yourself.', '[]', 'typed', 'I am...', "
            "'scored', 3.5, '2025-10-01 09:01:00', '2025-10-01 09:01:00')")
    engine.dispose()

    with Store.open(url) as store:  # upgrades to head
        assert current_revision(store.engine) == head_revision() != "0001"
        old = store.get_session("s1")
        assert old.applicant.name == "Old Applicant"
        assert old.answers[0].text == "I am..." and old.answers[0].overall == 3.5
        # 0002 backfilled the questions as asked from the answers
        assert old.questions[0]["id"] == "q1"
        assert old.questions[0]["text"] == "Tell me about yourself."
        assert old.created_at == datetime(2025, 10, 1, 9, 0, tzinfo=timezone.utc)
        # and the new unique index is there
        with pytest.raises(sa.exc.IntegrityError):
            with store.engine.begin() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO answers (id, session_id, position, attempt, question_text, "
                    "follow_ups, source, status, created_at, updated_at) VALUES ('x2', 's1', 1,"
                    " 1, 'q', '[]', 'typed', 'recorded', '2026-01-01', '2026-01-01')")


def test_reopen_keeps_everything_and_does_not_remigrate(data_dir, profile):
    with Store.open() as s:
        sess = _session(s, profile)
        s.add_answer(sess.id, 1, question_id="q1", question_text="T", text="typed answer")
    with Store.open() as s:
        again = s.get_session(sess.id)
        assert again.answers[0].text == "typed answer"
        assert current_revision(s.engine) == head_revision()


def test_bad_database_url_is_a_clear_storage_error(data_dir):
    with pytest.raises(StorageError, match="DATABASE_URL|database"):
        Store.open("nosuchdialect://x/y")
    with pytest.raises(StorageError, match="cannot open the database"):
        Store.open(f"sqlite:///{data_dir / 'missing-folder' / 'x.db'}")


def test_database_url_env_is_used(data_dir, monkeypatch):
    other = data_dir / "elsewhere.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{other}")
    with Store.open() as s:
        s.add_applicant("Env User")
    assert other.exists() and not (data_dir / "interview.db").exists()


# ---- applicants and profiles ------------------------------------------------------------

def test_applicants(store):
    a = store.add_applicant("  Amina Diallo ", email="Amina@Example.org", phone="+1 555",
                            aamc_id="123", carms_id=None, coach_email="Coach@x.org")
    assert a.name == "Amina Diallo" and len(a.id) == 32 and a.created_at.tzinfo
    assert store.get_applicant(a.id) == a
    b = store.add_applicant("Bilal Khan", coach_email="other@x.org")
    assert [x.name for x in store.list_applicants()] == ["Amina Diallo", "Bilal Khan"]
    assert [x.id for x in store.list_applicants(coach_email="coach@x.org ")] == [a.id]
    assert [x.id for x in store.list_applicants(email="amina@example.org")] == [a.id]
    assert store.find_applicant("amina diallo").id == a.id
    assert store.find_applicant("Nobody") is None
    assert store.get_or_add_applicant("Bilal Khan").id == b.id
    c = store.get_or_add_applicant("Chen Li", email="chen@x.org")
    assert c.email == "chen@x.org"
    upd = store.update_applicant(a.id, carms_id="C-9", phone="")
    assert upd.carms_id == "C-9" and upd.phone is None and upd.aamc_id == "123"
    with pytest.raises(StorageError, match="name"):
        store.add_applicant("  ")
    with pytest.raises(StorageError, match="cannot change"):
        store.update_applicant(a.id, id="x")
    with pytest.raises(NotFound, match="no applicant with id 'nope'"):
        store.get_applicant("nope")
    with pytest.raises(NotFound):
        store.update_applicant("nope", name="x")


def test_profiles_round_trip_and_reuse(store, profile):
    a = store.add_applicant("Amina")
    rec = store.add_profile(profile, applicant_id=a.id)
    assert rec.to_profile() == profile
    assert rec.to_profile().all_features == profile.all_features
    assert store.get_profile(rec.id) == rec
    assert store.find_or_add_profile(profile, applicant_id=a.id).id == rec.id
    shared = store.add_profile(make_profile(name="Shared IM", country="us", region="NY"))
    other = store.add_applicant("Other")
    store.add_profile(make_profile(name="Theirs", country="us"), applicant_id=other.id)
    mine = {p.name for p in store.list_profiles(applicant_id=a.id)}
    assert mine == {"Prairie Family Medicine", "Shared IM"}
    assert len(store.list_profiles()) == 3
    assert shared.applicant_id is None
    with pytest.raises(NotFound, match="program profile"):
        store.get_profile("zzz")
    with pytest.raises(NotFound, match="applicant"):
        store.add_profile(profile, applicant_id="zzz")


# ---- sessions and answers -----------------------------------------------------------------

def test_create_and_get_session(store, profile):
    sess = _session(store, profile, mode="interview")
    assert sess.mode == "interview" and sess.seed == 5
    assert sess.question_ids == ["q1", "q2"]
    assert sess.questions[1]["text"] == "Why Alberta?"
    assert sess.applicant.name == "Amina Diallo" and sess.program_name == "Prairie Family Medicine"
    assert sess.answers == [] and sess.overall is None and not sess.reviewed
    with pytest.raises(StorageError, match="unknown mode"):
        store.create_session(None, None, mode="exam")
    with pytest.raises(NotFound, match="applicant"):
        store.create_session("nope", None)
    with pytest.raises(NotFound, match="program profile"):
        store.create_session(None, "nope")
    with pytest.raises(NotFound, match="no session with id 'nope'"):
        store.get_session("nope")
    fin = store.finish_session(sess.id)
    assert fin.finished_at is not None


def test_audio_saved_under_data_dir_before_the_row(store, profile, data_dir):
    sess = _session(store, profile)
    data = WAV_HEAD + b"\x00" * 100
    ans = store.add_answer(sess.id, 1, question_id="q1", question_text="Tell me",
                           audio=data, source="audio")
    assert ans.audio_path == f"audio/{sess.id}/{ans.id}.wav"
    path = store.audio_file(ans)
    assert path == data_dir / ans.audio_path and path.read_bytes() == data
    assert ans.status == "recorded" and ans.attempt == 1 and ans.source == "audio"

    # a path is copied, keeping its extension
    src = data_dir.parent / "phone.m4a"
    src.write_bytes(b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 50)
    up = store.add_answer(sess.id, 2, question_id="q2", question_text="Why", audio=src)
    assert up.audio_path.endswith(".m4a") and up.source == "upload"
    assert store.audio_file(up).read_bytes() == src.read_bytes()
    # webm bytes without a filename are recognised by their signature
    web = store.add_answer(sess.id, 2, question_id="q2", question_text="Why",
                           audio=b"\x1a\x45\xdf\xa3" + b"\x00" * 20, source="microphone")
    assert web.audio_path.endswith(".webm") and web.attempt == 2


def test_audio_kept_when_the_row_cannot_be_saved(store, profile, data_dir):
    sess = _session(store, profile)
    first = store.add_answer(sess.id, 1, question_id="q1", question_text="T", text="a")
    with pytest.raises(StorageError, match="recording is kept at"):
        # reusing an id makes the insert fail *after* the audio was written
        store.add_answer(sess.id, 1, question_id="q1", question_text="T", audio=WAV_HEAD,
                         id=first.id)
    assert (data_dir / "audio" / sess.id / f"{first.id}.wav").read_bytes() == WAV_HEAD


def test_add_answer_refusals(store, profile, data_dir):
    sess = _session(store, profile)
    with pytest.raises(NotFound, match="session"):
        store.add_answer("nope", 1, question_id="q", question_text="t", audio=WAV_HEAD)
    assert not (data_dir / "audio" / "nope").exists()
    with pytest.raises(StorageError, match="audio or typed text"):
        store.add_answer(sess.id, 1, question_id="q", question_text="t")
    with pytest.raises(StorageError, match="empty"):
        store.add_answer(sess.id, 1, question_id="q", question_text="t", audio=b"")
    with pytest.raises(StorageError, match="does not exist"):
        store.add_answer(sess.id, 1, question_id="q", question_text="t",
                         audio=data_dir / "missing.wav")
    with pytest.raises(StorageError, match="position"):
        store.add_answer(sess.id, 0, question_id="q", question_text="t", text="x")
    with pytest.raises(StorageError, match="source"):
        store.add_answer(sess.id, 1, question_id="q", question_text="t", text="x", source="fax")


def test_attempts_update_and_latest(store, profile):
    sess = _session(store, profile)
    a1 = store.add_answer(sess.id, 1, question_id="q1", question_text="T", text="first try",
                          category="opening", kind="opening", suggested_seconds=90,
                          follow_ups=["And then?"], look_for="A clear story")
    assert a1.source == "typed" and a1.audio_path is None and a1.follow_ups == ["And then?"]
    store.update_answer(a1.id, status="scored", scores=_scores(), overall=2.5,
                        metrics={"wpm": 130.0})
    a2 = store.add_answer(sess.id, 1, question_id="q1", question_text="T", text="second try")
    store.update_answer(a2.id, status="failed", error="boom")
    b1 = store.add_answer(sess.id, 2, question_id="q2", question_text="W", text="because")
    full = store.get_session(sess.id)
    assert [a.id for a in full.answers] == [a2.id, b1.id]
    assert [a.attempt for a in full.attempts[1]] == [1, 2]
    assert full.attempts[1][0].scores["criteria"][0]["id"] == "clarity"
    assert full.attempts[1][0].metrics == {"wpm": 130.0}
    assert full.answer_at(1).error == "boom" and full.answer_at(3) is None
    assert [a.id for a in store.answer_attempts(sess.id, 1)] == [a1.id, a2.id]
    got = store.get_answer(a1.id)
    assert got.display_text == "first try" and got.updated_at >= got.created_at

    class Rec:  # anything with to_dict() is stored as its dict
        def to_dict(self):
            return {"text": "spoken words", "segments": []}
    upd = store.update_answer(b1.id, transcript=Rec(), text=None)
    assert upd.transcript == {"text": "spoken words", "segments": []}
    assert upd.display_text == "spoken words"
    with pytest.raises(StorageError, match="status"):
        store.update_answer(a1.id, status="done")
    with pytest.raises(StorageError, match="cannot change"):
        store.update_answer(a1.id, session_id="x")
    with pytest.raises(NotFound, match="answer"):
        store.update_answer("nope", status="scored")
    with pytest.raises(NotFound):
        store.get_answer("nope")


def test_records_are_detached_copies(store, profile):
    sess = _session(store, profile)
    a = store.add_answer(sess.id, 1, question_id="q1", question_text="T", text="x")
    store.update_answer(a.id, scores=_scores())
    rec = store.get_answer(a.id)
    rec.scores["criteria"].clear()  # mutating a cached record never touches the database
    assert store.get_answer(a.id).scores["criteria"]
    with pytest.raises(Exception):
        rec.status = "failed"  # frozen


def test_list_sessions_filters(store, profile):
    s1 = _session(store, profile)
    other = store.add_applicant("Bilal")
    p2 = store.add_profile(make_profile(name="City IM", country="us", region="NY"))
    s2 = store.create_session(other.id, p2.id, questions=[{"id": "q9", "text": "Why NY?"}])
    a = store.add_answer(s2.id, 1, question_id="q9", question_text="Why NY?", text="x")
    store.update_answer(a.id, overall=4.0, scores=_scores(), status="scored")
    store.mark_reviewed(s1.id, by="coach@example.org")

    assert [s.id for s in store.list_sessions()] == [s2.id, s1.id]
    assert [s.id for s in store.list_sessions(applicant_id=other.id)] == [s2.id]
    assert [s.id for s in store.list_sessions(applicant_ids=[s1.applicant_id])] == [s1.id]
    assert [s.id for s in store.list_sessions(profile_id=p2.id)] == [s2.id]
    assert [s.id for s in store.list_sessions(reviewed=True)] == [s1.id]
    assert [s.id for s in store.list_sessions(reviewed=False)] == [s2.id]
    now = datetime.now(timezone.utc)
    assert len(store.list_sessions(since=now - timedelta(minutes=5))) == 2
    assert store.list_sessions(since=now + timedelta(minutes=5)) == []
    assert store.list_sessions(until=now - timedelta(minutes=5)) == []
    assert len(store.list_sessions(limit=1)) == 1
    listed = store.list_sessions(applicant_id=other.id)[0]
    assert listed.overall == 4.0 and listed.applicant_name == "Bilal"
    assert listed.program_name == "City IM"


def test_recent_question_ids(store, profile):
    sess = _session(store, profile)
    for pos, qid in enumerate(["q1", "q2", "q3"], start=1):
        store.add_answer(sess.id, pos, question_id=qid, question_text="t", text="x")
    store.add_answer(sess.id, 1, question_id="q1", question_text="t", text="again")
    other = store.add_applicant("Someone else")
    s2 = store.create_session(other.id, None)
    store.add_answer(s2.id, 1, question_id="q7", question_text="t", text="x")
    recent = store.recent_question_ids(sess.applicant_id, limit=10)
    assert recent[0] == "q1" and set(recent) == {"q1", "q2", "q3"}
    assert len(store.recent_question_ids(sess.applicant_id, limit=2)) == 2
    assert store.recent_question_ids(None) == []


# ---- coach review ---------------------------------------------------------------------------

def test_comments_overrides_and_review(store, profile):
    sess = _session(store, profile)
    a = store.add_answer(sess.id, 1, question_id="q1", question_text="T", text="x")
    with pytest.raises(StorageError, match="no automatic scores"):
        store.set_override(a.id, "clarity", 4, reason="r")
    store.update_answer(a.id, scores=_scores(clarity=3, structure=2), overall=2.5,
                        status="scored")

    c1 = store.add_comment(sess.id, "Good eye contact", author="coach@x.org", answer_id=a.id)
    c2 = store.add_comment(sess.id, "Overall solid session", author="coach@x.org")
    assert c1.answer_id == a.id and c2.answer_id is None
    assert [c.id for c in store.list_comments(sess.id)] == [c1.id, c2.id]
    assert [c.id for c in store.list_comments(sess.id, answer_id=a.id)] == [c1.id]
    with pytest.raises(StorageError, match="empty"):
        store.add_comment(sess.id, "  ")
    other = store.create_session(None, None)
    with pytest.raises(StorageError, match="not part of session"):
        store.add_comment(other.id, "x", answer_id=a.id)

    o = store.set_override(a.id, "structure", 4, reason="Clear STAR structure", author="coach")
    assert (o.auto_score, o.score, o.reason) == (2, 4.0, "Clear STAR structure")
    rec = store.get_answer(a.id)
    assert rec.auto_score("structure") == 2 and rec.override("structure").score == 4
    assert rec.final_scores == {"clarity": 3, "structure": 4.0}
    assert rec.final_overall == 3.5 and rec.overall == 2.5  # automatic score kept
    store.set_override(a.id, "structure", None, reason="Back to automatic")
    rec = store.get_answer(a.id)
    assert rec.override("structure") is None and rec.final_overall == 2.5
    assert len(store.list_overrides(a.id)) == 2  # history kept
    with pytest.raises(StorageError, match="reason"):
        store.set_override(a.id, "clarity", 4, reason=" ")
    with pytest.raises(StorageError, match="between 1 and 5"):
        store.set_override(a.id, "clarity", 7, reason="r")
    with pytest.raises(StorageError, match="unknown criterion 'tone'.*clarity"):
        store.set_override(a.id, "tone", 3, reason="r")
    with pytest.raises(NotFound):
        store.set_override("nope", "clarity", 3, reason="r")

    full = store.get_session(sess.id)
    assert [c.id for c in full.comments] == [c1.id, c2.id]
    assert [c.id for c in full.answers[0].comments] == [c1.id]
    assert len(full.answers[0].overrides) == 2

    rev = store.mark_reviewed(sess.id, by="coach@x.org")
    assert rev.reviewed and rev.reviewed_by == "coach@x.org"
    assert not store.mark_reviewed(sess.id, by="coach@x.org", reviewed=False).reviewed
    with pytest.raises(NotFound):
        store.mark_reviewed("nope", by="x")


# ---- email drafts ---------------------------------------------------------------------------

def test_email_drafts(store, profile):
    sess = _session(store, profile)
    send_by = datetime(2026, 1, 16, 15, 0, tzinfo=timezone.utc)
    d = store.save_email_draft(sess.id, interviewer_name="Dr. Ada Roy",
                               interviewer_title="Program Director",
                               interviewer_role="program director", detail="the rural track",
                               tone="warm", subject="Thank you", body="Dear Dr. Roy...",
                               send_by=send_by)
    assert d.send_by == send_by and d.session_id == sess.id
    loose = store.save_email_draft(None, interviewer_name="Dr. B", subject="s", body="b",
                                   send_by="2026-01-17T10:00:00+00:00")
    assert loose.send_by == datetime(2026, 1, 17, 10, tzinfo=timezone.utc)
    assert [x.id for x in store.list_email_drafts(sess.id)] == [d.id]
    assert len(store.list_email_drafts()) == 2
    upd = store.update_email_draft(d.id, body="Dear Dr. Roy, thank you", tone="formal")
    assert upd.body.endswith("thank you") and upd.tone == "formal"
    assert upd.updated_at >= d.updated_at and store.get_email_draft(d.id) == upd
    with pytest.raises(StorageError, match="cannot change"):
        store.update_email_draft(d.id, session_id="x")
    with pytest.raises(StorageError, match="interviewer's name"):
        store.save_email_draft(sess.id, interviewer_name="", subject="s", body="b")
    with pytest.raises(NotFound, match="email draft"):
        store.get_email_draft("nope")
    with pytest.raises(NotFound, match="session"):
        store.save_email_draft("nope", interviewer_name="x", subject="s", body="b")
    store.delete_email_draft(loose.id)
    assert [x.id for x in store.list_email_drafts()] == [d.id]


def test_standalone_drafts_are_listed_apart_from_session_drafts(store, profile):
    sess = _session(store, profile)
    first = store.save_email_draft(None, interviewer_name="Dr. Early", subject="s1", body="b1")
    with_session = store.save_email_draft(sess.id, interviewer_name="Dr. Roy", subject="s",
                                          body="b")
    second = store.save_email_draft(None, interviewer_name="Dr. Late", subject="s2", body="b2")
    # standalone only, newest first; the session's draft is listed only with its session
    assert [d.id for d in store.list_standalone_email_drafts()] == [second.id, first.id]
    assert [d.id for d in store.list_email_drafts(sess.id)] == [with_session.id]
    # existing behaviour kept: no session means every draft, oldest first
    assert [d.id for d in store.list_email_drafts()] == [first.id, with_session.id, second.id]
    store.delete_email_draft(second.id)
    assert [d.id for d in store.list_standalone_email_drafts()] == [first.id]
    store.delete_email_draft(first.id)
    assert store.list_standalone_email_drafts() == []
    assert [d.id for d in store.list_email_drafts(sess.id)] == [with_session.id]


# ---- export / import ---------------------------------------------------------------------

def test_export_import_round_trip_keeps_ids(tmp_path, monkeypatch, profile):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    src_dir, dst_dir = tmp_path / "src", tmp_path / "dst"
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(src_dir))
    with Store.open() as src:
        sess = _session(src, profile)
        a = src.add_answer(sess.id, 1, question_id="q1", question_text="T", audio=WAV_HEAD)
        src.update_answer(a.id, scores=_scores(), overall=2.5, status="scored",
                          transcript={"text": "hello", "segments": []})
        src.add_answer(sess.id, 1, question_id="q1", question_text="T", text="retry")
        src.add_comment(sess.id, "Nice", author="c", answer_id=a.id)
        src.set_override(a.id, "clarity", 5, reason="very clear", author="c")
        src.save_email_draft(sess.id, interviewer_name="Dr. X", subject="s", body="b")
        src.mark_reviewed(sess.id, by="c")
        data = src.export_session(sess.id)
        original = src.get_session(sess.id)
    assert data["format"] == "interview-session" and len(data["answers"]) == 2

    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(dst_dir))
    with Store.open() as dst:
        got = dst.import_session(data)
        assert got.to_dict() == original.to_dict()
        assert dst.list_email_drafts(sess.id)[0].interviewer_name == "Dr. X"
        with pytest.raises(StorageError, match="already in this database"):
            dst.import_session(data)
        with pytest.raises(StorageError, match="not an exported"):
            dst.import_session({"hello": 1})
        broken = {"format": "interview-session", "version": 1, "session": {"id": "abc"}}
        with pytest.raises(StorageError, match="malformed"):
            dst.import_session(broken)
        assert [s.id for s in dst.list_sessions()] == [sess.id]  # nothing half-imported


def test_delete_session_is_explicit_and_complete(store, profile, data_dir):
    sess = _session(store, profile)
    a = store.add_answer(sess.id, 1, question_id="q1", question_text="T", audio=WAV_HEAD)
    store.update_answer(a.id, scores=_scores())
    store.set_override(a.id, "clarity", 4, reason="r")
    store.add_comment(sess.id, "c", answer_id=a.id)
    store.save_email_draft(sess.id, interviewer_name="X", subject="s", body="b")
    store.delete_session(sess.id)
    with pytest.raises(NotFound):
        store.get_session(sess.id)
    assert not (data_dir / "audio" / sess.id).exists()


def test_concurrent_writers_from_threads(store, profile):
    sess = _session(store, profile)
    errors = []

    def work(pos):
        try:
            for _ in range(5):
                store.add_answer(sess.id, pos, question_id=f"q{pos}", question_text="t", text="x")
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(p,)) for p in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    full = store.get_session(sess.id)
    assert {p: [a.attempt for a in v] for p, v in full.attempts.items()} == {
        p: [1, 2, 3, 4, 5] for p in range(1, 5)}


# ---- PostgreSQL (optional) -------------------------------------------------------------------

def test_postgresql_dialect_and_migrations(store):
    """Every test above also runs on PostgreSQL with TEST_DATABASE_URL; this one checks the
    backend itself (no WAL there) and that alembic brought it to head."""
    if store.dialect == "sqlite":
        assert store.journal_mode() == "wal"
    else:
        assert store.dialect == "postgresql" and store.journal_mode() is None
    assert current_revision(store.engine) == head_revision()
