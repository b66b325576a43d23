"""The retention rule for answer videos and the guarded delete (real files in a temp dir)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from interview.errors import VideoError
from interview.retention import StoredVideo, VideoRetention, videos_to_delete
from interview.transcript import Segment, Transcript
from interview.video import delete_videos, speech_regions

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


def videos():
    return [StoredVideo("a", "a.webm", NOW - timedelta(days=40), scored=True),
            StoredVideo("b", "b.webm", NOW - timedelta(days=3), scored=True),
            StoredVideo("c", "c.webm", NOW - timedelta(days=31), scored=False),
            StoredVideo("d", "d.webm", NOW - timedelta(hours=1), scored=False)]


def test_keep_deletes_nothing():
    assert videos_to_delete(videos(), VideoRetention(), NOW) == []


def test_after_scoring_deletes_scored_videos_only():
    due = videos_to_delete(videos(), VideoRetention("after_scoring"), NOW)
    assert [v.take_id for v in due] == ["a", "b"]


def test_after_n_days():
    due = videos_to_delete(videos(), VideoRetention("days", days=30), NOW)
    assert [v.take_id for v in due] == ["a", "c"]
    assert "30 days" in VideoRetention("days", days=30).describe()


@pytest.mark.parametrize("mode, days", [("forever", 1), ("days", 0), ("days", 2.5)])
def test_bad_rules_are_refused(mode, days):
    with pytest.raises(ValueError):
        VideoRetention(mode, days)


def test_delete_videos_stays_inside_the_folder(tmp_path):
    root = tmp_path / "videos"
    root.mkdir()
    inside = root / "take1.webm"
    inside.write_bytes(b"x")
    outside = tmp_path / "precious.webm"
    outside.write_bytes(b"keep me")
    with pytest.raises(VideoError, match="not inside"):
        delete_videos([inside, root / ".." / "precious.webm"], root)
    assert inside.exists() and outside.exists()  # nothing deleted when one path is bad
    link = root / "link.webm"
    link.symlink_to(outside)
    with pytest.raises(VideoError):
        delete_videos([link], root)
    assert outside.exists()
    assert delete_videos([inside, root / "gone.webm"], root) == [inside.resolve()]
    assert not inside.exists()


def test_speech_regions_from_a_transcript():
    t = Transcript(text="a b", segments=[Segment(0, 0.5, 2.0, "a"), Segment(1, 3.0, 3.0, ""),
                                         Segment(2, 4.0, 6.5, "b")])
    assert speech_regions(t) == [(0.5, 2.0), (4.0, 6.5)]


# ---- applied: the store deletes, the service applies the rule, the CLI and the app set it ----
# (a real SQLite store and real files; the videos are tiny WebM-signed files, since deleting
# needs no decoding: the presence figures are stored as the pipeline stores them; the whole
# path with a real video, model and face is in tests/test_video_answers.py)

import json  # noqa: E402

import sqlalchemy as sa  # noqa: E402

from conftest import run_cli_in_process  # noqa: E402
from interview.access import AccessError, Viewer  # noqa: E402
from interview.errors import NotFound, StorageError  # noqa: E402
from interview.presence import LookAway, PresenceReport  # noqa: E402
from interview.practice import prune_videos, retry_answer, start_session  # noqa: E402
from interview.profile import make_profile  # noqa: E402
from interview.recovery import find_unfinished  # noqa: E402
from interview.storage import Store  # noqa: E402
from interview.storage.models import AnswerRow  # noqa: E402
from interview.transcript import Word  # noqa: E402

WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 4  # a WebM signature, ~1 kB
#: presence figures as the pipeline stores them (PresenceReport.to_dict of an 8.7 s answer)
PRESENCE = PresenceReport(frames=43, duration_s=8.7, sample_fps=5.0, face_in_frame=1.0,
                          eye_contact=0.6, longest_look_away_s=3.2, head_movement=0.05,
                          looks={"camera": 0.6, "down": 0.4},
                          look_aways=[LookAway(5.0, 8.2, "down")], speaking_only=True).to_dict()
ANSWER_TEXT = ("During my observership in Chicago I used Epic, presented patients on rounds and "
               "worked with interpreters.")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, data_dir):
    """A fresh store on SQLite, and on PostgreSQL when ``TEST_DATABASE_URL`` names an
    (expendable) database; the files live in the data directory either way."""
    if request.param == "postgresql":
        from test_storage import PG_URL, _reset_postgres

        if not PG_URL:
            pytest.skip("set TEST_DATABASE_URL=postgresql+psycopg://... to test PostgreSQL too")
        _reset_postgres(PG_URL)
        s = Store.open(PG_URL)
    else:
        s = Store.open()
    yield s
    s.close()


def new_session(store, email="amina@example.org", name="Amina Diallo"):
    applicant = store.add_applicant(name, email=email)
    profile = make_profile(name="Lakeside Internal Medicine", country="us", region="IL",
                           specialty="internal_medicine")
    return start_session(store, applicant, profile, count=2, seed=3)


def stored_video(store, session_id, *, scored=True, presence=True, days_ago=0, audio=WEBM,
                 filename="recording.webm"):
    """A video answer as the pipeline leaves it: saved, then (if ``scored``) its transcript,
    delivery and presence figures and scores stored."""
    ans = store.add_answer(session_id, 1, question_id=None, question_text="Tell me about yourself",
                           audio=audio, filename=filename, source="audio")
    if scored:
        words = [Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(ANSWER_TEXT.split())]
        transcript = Transcript(ANSWER_TEXT, [Segment(0, 0.0, 8.7, ANSWER_TEXT, words)],
                                duration=8.7)
        metrics = {"words_per_minute": 118.0, "duration_seconds": 8.7}
        if presence:
            metrics["presence"] = PRESENCE
        ans = store.update_answer(ans.id, text=ANSWER_TEXT, transcript=transcript.to_dict(),
                                  metrics=metrics, scores={"overall": 3.5, "criteria": []},
                                  overall=3.5, status="scored")
    if days_ago:
        with store.database.write() as db:
            db.execute(sa.update(AnswerRow).where(AnswerRow.id == ans.id)
                       .values(created_at=NOW - timedelta(days=days_ago)))
    return store.get_answer(ans.id)


def test_store_lists_video_answers_only(store):
    sess = new_session(store)
    video = stored_video(store, sess.id)
    stored_video(store, sess.id, presence=False)  # an audio-only WebM: no presence figures
    store.add_answer(sess.id, 2, question_id=None, question_text="Why us?", text=ANSWER_TEXT)
    assert [a.id for a in store.stored_videos()] == [video.id]
    assert store.stored_videos(session_ids=["someone-else"]) == []


def test_delete_video_keeps_the_figures_and_recovery_leaves_it_alone(store):
    sess = new_session(store)
    video = stored_video(store, sess.id)
    path = store.audio_file(video)
    assert path.read_bytes() == WEBM
    done = store.delete_video(video.id, at=NOW)
    assert not path.exists()
    assert done.audio_path is None and done.status == "scored"
    assert done.metrics["video_deleted"] is True
    assert done.metrics["video_deleted_at"] == NOW.isoformat()
    assert done.metrics["presence"] == PRESENCE and done.metrics["words_per_minute"] == 118.0
    assert done.text == ANSWER_TEXT and done.transcript["text"] == ANSWER_TEXT
    assert done.overall == 3.5 and done.scores["overall"] == 3.5
    assert store.stored_videos() == []
    assert find_unfinished(store).items == []  # nothing "lost", nothing to re-transcribe


def test_a_crash_between_file_and_row_is_finished_by_the_next_run(store):
    sess = new_session(store)
    video = stored_video(store, sess.id)
    store.audio_file(video).unlink()  # the file went, the process died before the row changed
    report = find_unfinished(store)
    assert report.items == [] and report.unmatched == []  # scored: recovery never touches it
    assert [a.id for a in store.stored_videos()] == [video.id]  # still listed...
    assert store.delete_video(video.id).audio_path is None  # ...and finished


def test_delete_video_refuses_unscored_answers_and_paths_outside_audio(store, data_dir):
    sess = new_session(store)
    pending = stored_video(store, sess.id, scored=False)
    with pytest.raises(StorageError, match="kept until it is scored"):
        store.delete_video(pending.id)
    assert store.audio_file(pending).is_file()
    # a row tampered with to point outside audio/: nothing outside is ever deleted
    victim = data_dir / "keep-me.webm"
    victim.write_bytes(WEBM)
    video = stored_video(store, sess.id)
    with store.database.write() as db:
        db.execute(sa.update(AnswerRow).where(AnswerRow.id == video.id)
                   .values(audio_path="audio/../keep-me.webm"))
    with pytest.raises(StorageError, match="not inside"):
        store.delete_video(video.id)
    assert victim.read_bytes() == WEBM
    assert store.get_answer(video.id).audio_path == "audio/../keep-me.webm"
    with pytest.raises(NotFound):
        store.delete_video("no-such-answer")


def test_viewer_store_deletes_only_the_applicants_own_videos(store):
    mine = stored_video(store, new_session(store).id)
    theirs = stored_video(store, new_session(store, "li@example.org", "Li Wei").id)
    amina = store.for_viewer(Viewer("amina@example.org", "applicant"))
    coach = store.for_viewer(Viewer("coach.kim@example.org", "coach"))
    admin = store.for_viewer(Viewer("boss@example.org", "admin"))
    assert [a.id for a in amina.stored_videos()] == [mine.id]
    assert coach.stored_videos() == []
    with pytest.raises(NotFound):  # another applicant's answer does not exist for her
        amina.delete_video(theirs.id)
    with pytest.raises((NotFound, AccessError)):
        coach.delete_video(mine.id)
    assert store.audio_file(theirs).is_file() and store.audio_file(mine).is_file()
    assert amina.delete_video(mine.id).audio_path is None
    assert [a.id for a in admin.stored_videos()] == [theirs.id]


def test_prune_applies_the_rule_and_only_to_scored_answers(store):
    sess = new_session(store)
    old = stored_video(store, sess.id, days_ago=40)
    recent = stored_video(store, sess.id, days_ago=3)
    unscored = stored_video(store, sess.id, scored=False, days_ago=50)
    assert prune_videos(store, VideoRetention()) == []
    planned = prune_videos(store, VideoRetention("days", 30), now=NOW, dry_run=True)
    assert [p.answer_id for p in planned] == [old.id] and not planned[0].deleted
    assert store.audio_file(old).is_file()
    done = prune_videos(store, VideoRetention("days", 30), now=NOW)
    assert [(p.answer_id, p.deleted, p.error) for p in done] == [(old.id, True, None)]
    assert store.get_answer(old.id).audio_path is None
    assert store.audio_file(recent).is_file() and store.audio_file(unscored).is_file()
    done = prune_videos(store, VideoRetention("after_scoring"), now=NOW)
    assert [p.answer_id for p in done] == [recent.id]
    assert store.audio_file(unscored).is_file()  # its figures are not stored yet


def test_configured_rule_is_applied_when_a_session_is_set_up(store, data_dir):
    old = stored_video(store, new_session(store).id, days_ago=40)
    new_session(store)  # no setting: videos are kept
    assert store.audio_file(old).is_file()
    (data_dir / "settings.json").write_text(json.dumps(
        {"video_retention": "days", "video_retention_days": 30}))
    new_session(store)
    assert store.get_answer(old.id).audio_path is None
    (data_dir / "settings.json").write_text(json.dumps({"video_retention": "bogus"}))
    kept = stored_video(store, new_session(store).id, days_ago=400)
    new_session(store)  # an unreadable setting deletes nothing
    assert store.audio_file(kept).is_file()


def test_retry_after_the_video_is_gone_keeps_the_presence_and_delivery(store):
    video = stored_video(store, new_session(store).id)
    store.delete_video(video.id)
    again = retry_answer(store, video.id)
    assert again.status == "scored", again.error
    assert again.metrics["presence"] == PRESENCE and again.metrics["video_deleted"] is True
    assert again.metrics["duration"] == pytest.approx(8.7)  # timed from the kept transcript
    assert again.metrics["timed"] is True and again.metrics["words_per_minute"] > 0


@pytest.fixture
def sqlite_store(data_dir):
    """The data directory's own SQLite store (the one the CLI opens)."""
    s = Store.open()
    yield s
    s.close()


def test_cli_videos_prune(sqlite_store, data_dir):
    store = sqlite_store
    old = stored_video(store, new_session(store).id, days_ago=40)
    recent = stored_video(store, new_session(store).id)
    r = run_cli_in_process("videos", "prune", "--json")  # no setting: keep
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["videos"] == []
    (data_dir / "settings.json").write_text(json.dumps(
        {"video_retention": "days", "video_retention_days": 30}))
    r = run_cli_in_process("videos", "prune", "--dry-run", "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["rule"] == {"mode": "days", "days": 30}
    assert [v["answer_id"] for v in out["videos"]] == [old.id] and out["deleted"] == 0
    assert store.audio_file(old).is_file()
    r = run_cli_in_process("videos", "prune")
    assert r.returncode == 0, r.stderr
    assert "deleted" in r.stdout and old.audio_path in r.stdout
    assert store.get_answer(old.id).audio_path is None
    assert store.audio_file(recent).is_file()
    r = run_cli_in_process("videos", "prune", "--after-scoring", "--json")
    assert json.loads(r.stdout)["deleted"] == 1
    r = run_cli_in_process("videos", "prune", "--days", "0")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--days" in r.stderr
