"""Hostile export zips (issue 11): every attack is tried against the real import, through the
function and through the CLI; each is refused with one line (exit 1 on the CLI) and nothing
is written inside or outside the data directory."""

from __future__ import annotations

import json
import os
import stat
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from coach_data import STRONG_US, WEAK_US, Answer, fixture_audio, store_session
from conftest import ROOT
from export_zips import rewrite
from interview import sharing
from interview.sharing import MANIFEST, SharingError, export_session, import_session
from interview.storage import Store


@pytest.fixture
def good(data_dir, tmp_path):
    """A real export (two recordings and a typed answer) and the session it came from."""
    with Store.open() as store:
        sess = store_session(store, [
            Answer(STRONG_US, category="personal", audio=fixture_audio("answer.wav"), filename="a.wav"),
            Answer(WEAK_US, category="us_system", audio=fixture_audio("fillers1.wav"), filename="b.wav"),
            Answer(WEAK_US, category="program_fit"),
        ])
        path = export_session(store, sess.id, tmp_path / "good.zip")
    return sess, path


@pytest.fixture
def target(tmp_path, monkeypatch):
    """A second, empty data directory deep inside tmp_path (so '../..' lands in tmp_path)."""
    root = tmp_path / "machine2" / "home" / "data"
    root.mkdir(parents=True)
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(root))
    Store.open().close()  # its database exists: an attack must not add anything else
    return root


def snapshot(tmp_path: Path) -> set[str]:
    """Every file under tmp_path except the zips we made and SQLite's journal files."""
    return {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")
            if p.suffix not in (".zip", ".db-wal", ".db-shm") and not p.is_dir()}


def with_session_id(src: Path, dst: Path, sid: str, old: str) -> Path:
    """The attack of the issue: the manifest (and every path in it) names another id."""
    def swap(value):
        return value.replace(f"audio/{old}/", f"audio/{sid}/") if isinstance(value, str) else value

    def patch(m):
        m["session_id"] = sid
        m["data"]["session"]["id"] = sid
        for f in m["files"]:
            f["path"] = swap(f["path"])
        for a in m["data"]["answers"]:
            a["session_id"] = sid
            a["audio_path"] = swap(a.get("audio_path"))
        return m
    return rewrite(src, dst, manifest=patch, rename=swap)


def cli(*args, data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "INTERVIEW_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "interview", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def refused(zip_path: Path, target: Path, tmp_path: Path, match: str, *, replace=False) -> None:
    """Refused by the function and by the CLI (one line, exit 1), nothing written anywhere."""
    before = snapshot(tmp_path)
    with Store.open() as store, pytest.raises(SharingError, match=match):
        import_session(store, zip_path, replace=replace)
    assert snapshot(tmp_path) == before
    r = cli("import", str(zip_path), *(["--replace"] if replace else []), data=target)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert snapshot(tmp_path) == before
    assert not list(tmp_path.rglob("victim*")) and not list(tmp_path.rglob("evil*"))


# ------------------------------------------------------------------ traversal session ids
@pytest.mark.parametrize("sid", [
    "..", ".", "../x", "../../victim", "../../../../../../tmp/victim",
    "/tmp/victim", "/", "C:\\victim", "C:/victim", "\\\\server\\share\\victim",
    "audio/../..", "", "0" * 31, "0" * 33, "A" * 32, "0" * 31 + "\n", "0" * 32 + "/..",
])
def test_traversal_session_ids_are_refused(good, target, tmp_path, sid):
    sess, path = good
    bad = with_session_id(path, tmp_path / "bad.zip", sid, sess.id) if "\\" not in sid and sid \
        else rewrite(path, tmp_path / "bad.zip",
                     manifest=lambda m: {**m, "session_id": sid,
                                         "data": {**m["data"], "session": {**m["data"]["session"], "id": sid}}})
    refused(bad, target, tmp_path, "unsafe zip|inconsistent")


def test_issue_attack_with_replace_writes_no_backup_outside(good, target, tmp_path):
    """Issue 11: id '../../victim' imported, then --replace wrote its backup outside and
    rmtree'd '<data>/audio/../../victim'. Now the first import is already refused."""
    sess, path = good
    victim = target.parent / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    with_audio = with_session_id(path, tmp_path / "bad.zip", "../../victim", sess.id)

    def typed_only(m):  # no recordings: the id itself is what is checked
        m["files"] = []
        for a in m["data"]["answers"]:
            a["audio_path"] = None
        return m
    typed = rewrite(with_audio, tmp_path / "typed.zip", manifest=typed_only,
                    drop=[a.audio_path.replace(sess.id, "../../victim")
                          for a in sess.answers if a.audio_path])
    for bad, why in ((with_audio, "contains '..'"), (typed, "not 32 hex characters")):
        for replace in (False, True):
            with Store.open() as store, pytest.raises(SharingError, match=why):
                import_session(store, bad, replace=replace)
            r = cli("import", str(bad), *(["--replace"] if replace else []), data=target)
            assert r.returncode == 1 and why in r.stderr, r.stderr
    assert (victim / "keep.txt").read_text() == "precious"
    assert not (target / "backups").exists()


# ------------------------------------------------------------------ member paths
@pytest.mark.parametrize("evil", [
    "../evil.txt", "audio/../../evil.txt", "/tmp/evil.txt", "/etc/evil",
    "C:/evil.txt", "C:evil.txt", "c:\\evil.txt", "audio\\..\\..\\evil.txt",
    "\\\\server\\share\\evil.txt", "audio/./evil.txt", "./evil.txt", "audio//evil.txt",
])
def test_traversal_member_paths_are_refused(good, target, tmp_path, evil):
    _, path = good
    refused(rewrite(path, tmp_path / "bad.zip", add=((evil, b"owned"),)), target, tmp_path,
            "unsafe zip")


@pytest.mark.parametrize("rel", [
    "audio/{sid}/../../../evil.wav", "audio/{sid}/sub/evil.wav", "audio/{sid}/evil.wav",
    "audio/{sid}/..", "/abs/{sid}/x.wav", "audio/00000000000000000000000000000000/x.wav",
])
def test_recording_paths_in_the_rows_are_refused(good, target, tmp_path, rel):
    """The rows point an answer's audio elsewhere (what the store would later read or delete)."""
    sess, path = good
    rel = rel.format(sid=sess.id)

    def patch(m):
        m["data"]["answers"][0]["audio_path"] = rel
        return m
    refused(rewrite(path, tmp_path / "bad.zip", manifest=patch), target, tmp_path, "unsafe zip")


def test_symlink_members_are_refused(good, target, tmp_path):
    sess, path = good
    for name, link in ((f"audio/{sess.id}/{'a' * 32}.wav", "/etc/passwd"),
                       ("audio", "/"), (f"audio/{sess.id}", "../../..")):
        refused(rewrite(path, tmp_path / "bad.zip", symlink=(name, link)), target, tmp_path,
                "symbolic link")


def test_symlink_planted_in_the_data_dir_is_not_followed(good, target, tmp_path):
    """audio/<id> inside the data dir is a link to a folder outside: refused, nothing written."""
    sess, path = good
    outside = tmp_path / "outside"
    outside.mkdir()
    (target / "audio").mkdir(mode=0o700)
    (target / "audio" / sess.id).symlink_to(outside, target_is_directory=True)
    with Store.open() as store, pytest.raises(SharingError, match="outside"):
        import_session(store, path)
    assert list(outside.iterdir()) == []


# ------------------------------------------------------------------ sizes and counts
def test_oversize_member_is_refused(good, target, tmp_path):
    """A real zip bomb: 201 MiB of zeros (about 200 KB compressed) in one member."""
    sess, path = good
    bomb = tmp_path / "bomb.zip"
    rewrite(path, bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf, \
            zf.open(f"audio/{sess.id}/{'b' * 32}.wav", "w", force_zip64=True) as out:
        chunk = bytes(1024 * 1024)
        for _ in range(sharing.MAX_MEMBER_BYTES // len(chunk) + 1):
            out.write(chunk)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    refused(bomb, target, tmp_path, "too large")


def test_total_size_cap(good, target, tmp_path, monkeypatch):
    _, path = good
    with zipfile.ZipFile(path) as zf:
        total = sum(i.file_size for i in zf.infolist())
    monkeypatch.setattr(sharing, "MAX_TOTAL_BYTES", total - 1)
    before = snapshot(tmp_path)
    with Store.open() as store, pytest.raises(SharingError, match="more than the"):
        import_session(store, path)
    assert snapshot(tmp_path) == before


def test_size_counted_while_streaming(good, target, tmp_path, monkeypatch):
    """Caps hold on the bytes really decompressed, not only on the size fields."""
    sess, path = good
    member = sess.answers[0].audio_path
    with zipfile.ZipFile(path) as zf:
        size = zf.getinfo(member).file_size
    monkeypatch.setattr(sharing, "_check_members", lambda infos, name: None)
    monkeypatch.setattr(sharing, "MAX_MEMBER_BYTES", size - 1)
    before = snapshot(tmp_path)
    with Store.open() as store, pytest.raises(SharingError, match="unpacks to more than"):
        import_session(store, path)
    assert snapshot(tmp_path) == before


def test_lying_size_field_is_refused(good, target, tmp_path):
    """The central directory claims a recording is 10 bytes: read as corrupt, nothing written."""
    sess, path = good
    member = sess.answers[0].audio_path.encode()
    raw = bytearray(path.read_bytes())
    pos = 0
    while True:
        pos = raw.find(b"PK\x01\x02", pos)
        assert pos >= 0
        name_len = struct.unpack_from("<H", raw, pos + 28)[0]
        if raw[pos + 46: pos + 46 + name_len] == member:
            break
        pos += 4
    struct.pack_into("<I", raw, pos + 24, 10)
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bytes(raw))
    refused(liar, target, tmp_path, "corrupt|checksum")


def test_too_many_members_is_refused(good, target, tmp_path):
    sess, path = good
    many = [(f"audio/{sess.id}/{i:032x}.wav", b"") for i in range(sharing.MAX_MEMBERS)]
    refused(rewrite(path, tmp_path / "many.zip", add=many), target, tmp_path, "more than the")


def test_good_zip_still_imports_privately(good, target, tmp_path):
    sess, path = good
    r = cli("import", str(path), data=target)
    assert r.returncode == 0, r.stderr
    files = [p for p in (target / "audio").rglob("*")]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == (0o700 if p.is_dir() else 0o600)
                         for p in files)
    assert not list(target.glob(".import-*"))


# ------------------------------------------------------------------ recording extensions
@pytest.mark.parametrize("ext", [".json", ".part", ".html", ".exe", ".lock"])
def test_recordings_with_a_non_recording_extension_are_refused(good, target, tmp_path, ext):
    """A member named <answer id>.json would be taken for (and deleted as) a sidecar."""
    sess, path = good
    first = next(a for a in json.loads(zipfile.ZipFile(path).read(MANIFEST))["data"]["answers"]
                 if a.get("audio_path"))
    old = first["audio_path"]
    new = old.rsplit(".", 1)[0] + ext

    def swap(value):
        return new if value == old else value

    def patch(m):
        for f in m["files"]:
            f["path"] = swap(f["path"])
        for a in m["data"]["answers"]:
            a["audio_path"] = swap(a.get("audio_path"))
        return m
    refused(rewrite(path, tmp_path / "bad.zip", manifest=patch, rename=swap), target, tmp_path,
            "not a recording format")


# ------------------------------------------------------------------ rows reaching outside
@pytest.fixture
def victim(target):
    """A session and an answer already in the target data directory."""
    from interview.practice import start_session, submit_answer
    from interview.profile import make_profile

    with Store.open() as store:
        app = store.add_applicant("Victim", email="victim@x.org")
        sess = start_session(store, app.id, make_profile(name="P", country="us"), count=1,
                             seed=1)
        answer = submit_answer(store, sess.id, 1, text="my own answer", source="typed")
    return sess.id, answer.id


def _attack(kind, sess_id, answer_id, victim_sid, victim_answer):
    def patch(m):
        d = m["data"]
        row = {"id": "c" * 32, "created_at": "2026-01-01T00:00:00"}
        if kind == "answer":
            d["answers"].append(dict(d["answers"][-1], id="c" * 32, session_id=victim_sid,
                                     attempt=99, audio_path=None))
        elif kind == "comment":
            d["comments"] = [dict(row, session_id=victim_sid, body="planted", author="x")]
        elif kind == "comment_answer":
            d["comments"] = [dict(row, session_id=sess_id, answer_id=victim_answer,
                                  body="planted", author="x")]
        elif kind == "draft":
            d["email_drafts"] = [dict(row, session_id=victim_sid, subject="s", body="b")]
        elif kind == "override":
            d["overrides"] = [dict(row, answer_id=victim_answer, criterion_id="star",
                                   score=1.0, reason="planted")]
        elif kind == "parent":
            d["answers"][-1]["parent_answer_id"] = victim_answer
            d["answers"][-1]["follow_up"] = 1
        return m
    return patch


@pytest.mark.parametrize("kind", ["answer", "comment", "comment_answer", "draft", "override",
                                  "parent"])
def test_rows_naming_another_session_or_its_answers_are_refused(good, target, victim, tmp_path,
                                                               kind):
    sess, path = good
    victim_sid, victim_answer = victim
    bad = rewrite(path, tmp_path / "bad.zip",
                  manifest=_attack(kind, sess.id, None, victim_sid, victim_answer))
    refused(bad, target, tmp_path, "not in this session|belongs to another session")
    with Store.open() as store:
        v = store.get_session(victim_sid)
        assert [a.id for a in v.answers] == [victim_answer]
        assert store.list_comments(victim_sid) == []
        assert store.get_answer(victim_answer).overrides == []


def test_an_existing_applicant_with_another_name_is_not_reused(good, target, victim, tmp_path):
    sess, path = good
    victim_sid, _ = victim
    with Store.open() as store:
        victim_app = store.get_session(victim_sid).applicant_id

    def patch(m):  # the archive claims the victim's applicant id under another name
        m["data"]["applicant"]["id"] = victim_app
        m["data"]["session"]["applicant_id"] = victim_app
        return m
    refused(rewrite(path, tmp_path / "bad.zip", manifest=patch), target, tmp_path,
            "another name or email")

    def no_applicant(m):  # or names it without carrying the applicant at all
        m["data"]["session"]["applicant_id"] = victim_app
        m["data"]["applicant"] = None
        return m
    refused(rewrite(path, tmp_path / "bad2.zip", manifest=no_applicant), target, tmp_path,
            "not the exported applicant")


def test_imported_emails_are_normalised_and_a_same_applicant_is_reused(good, target, tmp_path):
    sess, path = good

    def patch(m):
        m["data"]["applicant"]["email"] = "  Amina.Diallo@Example.ORG "
        m["data"]["applicant"]["coach_email"] = " Coach@Example.org"
        return m
    ok = rewrite(path, tmp_path / "ok.zip", manifest=patch)
    with Store.open() as store:
        import_session(store, ok)
        app = store.get_applicant(store.get_session(sess.id).applicant_id)
        assert (app.email, app.coach_email) == ("amina.diallo@example.org", "coach@example.org")
