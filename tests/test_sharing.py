"""Export / import of a session as a zip: a real round trip between two data directories,
and the refusals (corrupt, foreign, zip-slip, symlink, existing id) with hand-made zips."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from coach_data import STRONG_US, WEAK_US, Answer, fixture_audio, store_session
from conftest import ROOT, run_cli_in_process
from export_zips import rewrite
from interview.errors import NotFound
from interview.sharing import FORMAT, MANIFEST, SharingError, export_session, import_session, read_export
from interview.storage import Store


@pytest.fixture
def source(data_dir):
    """A data dir with one session: two recorded answers and a typed one, plus a comment,
    an override, the reviewed mark and an earlier attempt."""
    with Store.open() as store:
        sess = store_session(store, [
            Answer(STRONG_US, category="personal", audio=fixture_audio("answer.wav"), filename="a.wav"),
            Answer(WEAK_US, category="us_system", audio=fixture_audio("fillers1.wav"), filename="b.wav"),
            Answer(WEAK_US, category="program_fit"),
        ])
        a1 = sess.answers[0]
        store.add_comment(sess.id, "Nice opener", author="kim", answer_id=a1.id)
        store.set_override(a1.id, a1.criteria[0]["id"], 2, reason="too long", author="kim")
        store.mark_reviewed(sess.id, "kim")
        yield store, store.get_session(sess.id)


@pytest.fixture
def second_dir(tmp_path, monkeypatch):
    """Switch INTERVIEW_DATA_DIR to a second, empty data directory (another machine)."""
    def switch():
        other = tmp_path / "other"
        other.mkdir(exist_ok=True)
        monkeypatch.setenv("INTERVIEW_DATA_DIR", str(other))
        return other
    return switch


def test_round_trip_keeps_ids_rows_and_audio_bytes(source, second_dir, tmp_path):
    store, sess = source
    out = export_session(store, sess.id, tmp_path / "s.zip")
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read(MANIFEST))
    assert {MANIFEST, "report.html"} <= names
    assert manifest["format"] == FORMAT and manifest["version"] == 1
    assert len([n for n in names if n.startswith("audio/")]) == 2

    other = second_dir()
    with Store.open() as dest:
        result = import_session(dest, out)
        assert result.session_id == sess.id and not result.replaced
        got = dest.get_session(sess.id)
        assert got.applicant.id == sess.applicant.id and got.profile.id == sess.profile.id
        assert [a.id for a in got.answers] == [a.id for a in sess.answers]
        assert [a.scores for a in got.answers] == [a.scores for a in sess.answers]
        assert got.reviewed_by == "kim" and got.reviewed
        assert [c.body for c in got.comments] == ["Nice opener"]
        assert got.answers[0].override(sess.answers[0].criteria[0]["id"]).score == 2
        for a_src, a_dst in zip(sess.answers, got.answers):
            if a_src.audio_path:
                src = store.audio_file(a_src)
                dst = dest.audio_file(a_dst)
                assert dst.is_relative_to(other) and dst.read_bytes() == src.read_bytes()
            else:
                assert a_dst.audio_path is None


def test_existing_session_refused_then_replaced_with_backup(source, tmp_path):
    store, sess = source
    out = export_session(store, sess.id, tmp_path / "s.zip")
    with pytest.raises(SharingError, match="already in this database.*--replace"):
        import_session(store, out)
    # nothing changed
    assert store.get_session(sess.id).comments[0].body == "Nice opener"
    store.add_comment(sess.id, "added after export", author="kim")
    result = import_session(store, out, replace=True)
    assert result.replaced and result.backup is not None and result.backup.is_file()
    assert [c.body for c in store.get_session(sess.id).comments] == ["Nice opener"]
    # the backup holds the replaced version (with the later comment)
    manifest, _ = read_export(result.backup)
    assert "added after export" in [c["body"] for c in manifest["data"]["comments"]]
    for a in store.get_session(sess.id).answers:
        if a.audio_path:
            assert store.audio_file(a).is_file()


def test_export_unknown_session(data_dir, tmp_path):
    with Store.open() as store, pytest.raises(NotFound):
        export_session(store, "missing", tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


# ------------------------------------------------------------------------------ refusals


@pytest.fixture
def exported(source, tmp_path):
    store, sess = source
    return store, sess, export_session(store, sess.id, tmp_path / "good.zip")


def _assert_refused(store, path, match, tmp_root):
    before = sorted(p for p in Path(store.root).rglob("*") if "backups" not in p.parts)
    with pytest.raises(SharingError, match=match):
        import_session(store, path)
    after = sorted(p for p in Path(store.root).rglob("*") if "backups" not in p.parts)
    # nothing written into the data dir (the db's WAL files may change, files may not appear)
    assert [p for p in after if p not in before and p.suffix not in (".db-wal", ".db-shm")] == []
    assert not (tmp_root / "evil.txt").exists()


def test_refuses_not_a_zip(exported, tmp_path):
    store, _, _ = exported
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"this is not a zip at all")
    _assert_refused(store, bad, "not a zip file or is corrupt", tmp_path)


def test_refuses_truncated_zip(exported, tmp_path):
    store, _, good = exported
    bad = tmp_path / "trunc.zip"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _assert_refused(store, bad, "corrupt|not a zip", tmp_path)


def test_refuses_corrupted_member(exported, tmp_path):
    store, sess, good = exported
    # flip bytes in an audio member's stored data (stored uncompressed for a clean hit)
    blob = bytearray(fixture_audio("answer.wav"))
    blob[5000:5010] = b"XXXXXXXXXX"
    member = sess.answers[0].audio_path

    def keep(m):
        return m
    bad = rewrite(good, tmp_path / "tampered.zip", drop=(member,), add=((member, bytes(blob)),),
                   manifest=keep)
    _assert_refused(store, bad, "checksum", tmp_path)


def test_refuses_foreign_zips(exported, tmp_path):
    store, _, good = exported
    plain = tmp_path / "photos.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("holiday.jpg", b"\xff\xd8\xff")
    _assert_refused(store, plain, "not a session export|not under audio", tmp_path)
    no_manifest = rewrite(good, tmp_path / "nomanifest.zip", drop=(MANIFEST,))
    _assert_refused(store, no_manifest, "no manifest.json", tmp_path)
    wrong = rewrite(good, tmp_path / "wrong.zip", manifest=lambda m: {**m, "format": "something-else"})
    _assert_refused(store, wrong, "format marker", tmp_path)
    newer = rewrite(good, tmp_path / "newer.zip", manifest=lambda m: {**m, "version": 99})
    _assert_refused(store, newer, "newer version", tmp_path)
    garbage = tmp_path / "garbage.zip"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(garbage, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, b"{not json" if info.filename == MANIFEST else zin.read(info))
    _assert_refused(store, garbage, "not valid JSON", tmp_path)


@pytest.mark.parametrize("evil", [
    "../evil.txt",
    "audio/../../evil.txt",
    "/tmp/evil.txt",
    "C:/evil.txt",
    "audio\\..\\..\\evil.txt",
    "report/../../evil.txt",
])
def test_refuses_zip_slip_members(exported, tmp_path, evil):
    store, _, good = exported
    bad = rewrite(good, tmp_path / "slip.zip", add=((evil, b"owned"),))
    _assert_refused(store, bad, "unsafe zip", tmp_path)


def test_refuses_zip_slip_in_manifest_paths(exported, tmp_path):
    """The rows point an answer's audio outside the data dir (the member itself is listed)."""
    store, sess, good = exported
    evil = "audio/../../evil.txt"

    def patch(m):
        m["data"]["answers"][0]["audio_path"] = evil
        m["files"].append({"path": evil, "size": 5, "sha256": "0" * 64})
        return m
    bad = rewrite(good, tmp_path / "slip2.zip", manifest=patch)
    _assert_refused(store, bad, "unsafe zip", tmp_path)


def test_refuses_audio_of_another_session(exported, tmp_path):
    store, sess, good = exported

    def patch(m):
        m["data"]["answers"][0]["audio_path"] = "audio/othersession/x.wav"
        return m
    bad = rewrite(good, tmp_path / "other.zip", manifest=patch)
    _assert_refused(store, bad, "this session's audio folder", tmp_path)


def test_refuses_symlink_member(exported, tmp_path):
    store, sess, good = exported
    bad = rewrite(good, tmp_path / "link.zip", symlink=(f"audio/{sess.id}/link.wav", "/etc/passwd"))
    _assert_refused(store, bad, "symbolic link", tmp_path)


def test_refuses_unlisted_member(exported, tmp_path):
    store, sess, good = exported
    bad = rewrite(good, tmp_path / "extra.zip", add=((f"audio/{sess.id}/extra.wav", b"RIFF"),))
    _assert_refused(store, bad, "does not list", tmp_path)


def test_refuses_missing_audio_member(exported, tmp_path):
    store, sess, good = exported
    bad = rewrite(good, tmp_path / "missing.zip", drop=(sess.answers[0].audio_path,))
    _assert_refused(store, bad, "incomplete", tmp_path)


# ------------------------------------------------------------------------------ CLI
def _cli(*args, data):
    env = {**os.environ, "INTERVIEW_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    return run_cli_in_process(*args, cwd=ROOT, env=env)  # the script: test_cli_entrypoints.py


def test_cli_export_import(source, tmp_path, data_dir):
    store, sess = source
    out = tmp_path / "cli.zip"
    r = _cli("export", sess.id, "-o", str(out), data=data_dir)
    assert r.returncode == 0, r.stderr
    assert out.is_file()
    other = tmp_path / "machine2"
    r = _cli("import", str(out), data=other)
    assert r.returncode == 0, r.stderr
    assert f"imported session {sess.id}" in r.stdout
    r = _cli("import", str(out), data=other)
    assert r.returncode == 1 and r.stderr.startswith("error:") and "--replace" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = _cli("import", str(out), "--replace", data=other)
    assert r.returncode == 0 and "replaced session" in r.stdout


def test_cli_errors(tmp_path, data_dir):
    r = _cli("export", "nope", "-o", str(tmp_path / "x.zip"), data=data_dir)
    assert r.returncode == 2 and "nope" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"garbage")
    r = _cli("import", str(bad), data=data_dir)
    assert r.returncode == 1 and "corrupt" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_export_refuses_missing_recording_and_leaves_no_file(source, tmp_path):
    store, sess = source
    store.audio_file(sess.answers[1]).unlink()
    with pytest.raises(SharingError, match="cannot be read"):
        export_session(store, sess.id, tmp_path / "x.zip")
    assert list(tmp_path.glob("*.zip*")) == [] and list(tmp_path.glob(".export-*")) == []
